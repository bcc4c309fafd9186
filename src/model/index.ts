export * from "./kinds.js";
export * from "./json.js";
export * from "./resource.js";
export * from "./plan.js";
export * from "./ownership.js";
export * from "./reserved.js";
export * from "./spelling.js";
export * from "./drift.js";
