export * from "./rolePolicies";
export * from "./sessionPreferences";
export * from "./accessRoles";
