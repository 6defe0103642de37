export * from "./context";
export * from "./graphql";
export * from "./logger";
export * from "./safe-error";
export * from "./startup";
