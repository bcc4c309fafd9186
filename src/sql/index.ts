// Public surface of the Timeplus SQL toolkit (pure: no I/O, imports only model/).
export { tokenizeSql, SqlSyntaxError, type Token } from "./tokenize.js";
export { canonicalizeSql, formatSql } from "./canonical.js";
export { extractReferences, extractQualifiedRelations } from "./references.js";
export { matchBrackets } from "./brackets.js";
export { canonicalType, unwrapCodec } from "./types.js";
export { manifestPrimaryKey, printPrimaryKey } from "./primary-key.js";
export { analyzeSql } from "./analyze.js";
