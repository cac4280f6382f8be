export * from "./privateBucket";
