export * from "./tokenPickupTrigger";
