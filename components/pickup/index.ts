export * from "./credentialPickupTrigger";
