export * from "./policies";
export * from "./rotatedSecret";
