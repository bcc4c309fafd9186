// Public surface of the Timeplus SQL toolkit (pure). Implementation in progress: see the
// sibling modules. Signatures here are the contract other modules code against.
export { tokenizeSql, type Token, type TokenType } from "./tokenize.js";
export { canonicalizeSql } from "./canonical.js";
export { extractReferences, type SqlReferences } from "./references.js";
