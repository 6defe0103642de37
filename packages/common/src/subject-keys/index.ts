export * from "./key-store";
export * from "./seal";
export * from "./sealed-entities";
export * from "./key-files";
export * from "./key-copy";
export * from "./id-aliases";
