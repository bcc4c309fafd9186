// Public surface of the Timeplus SQL toolkit (pure: no I/O, imports only model/).
export { tokenizeSql, SqlSyntaxError, type Token, type TokenType } from "./tokenize.js";
export { canonicalizeSql, formatSql } from "./canonical.js";
export { extractReferences, extractQualifiedRelations, type SqlReferences } from "./references.js";
export { matchBrackets, type BracketProblem } from "./brackets.js";
export { isKeyword, isPlainIdentifier } from "./identifiers.js";
export { canonicalType, unwrapCodec } from "./types.js";
export { manifestPrimaryKey, primaryKeyElements, printPrimaryKey } from "./primary-key.js";
export { analyzeSql, type AnalyzedColumn, type RelationInfo, type SqlAnalysis } from "./analyze.js";
