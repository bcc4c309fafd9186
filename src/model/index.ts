export * from "./kinds.js";
export * from "./json.js";
export * from "./resource.js";
export * from "./plan.js";
export * from "./ownership.js";
