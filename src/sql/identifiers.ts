// Words the tokenizer reports as keywords (matched case-insensitively). ClickHouse reserves words
// only by context, so this is the set that structures a query, not a list of forbidden names:
// common column names (first, last, key, date, type, ...) are left out on purpose, because
// canonicalSql lower-cases keywords and identifiers are case-sensitive.
const KEYWORD_LIST = [
  "AFTER",
  "ALL",
  "AND",
  "ANTI",
  "ANY",
  "ARRAY",
  "AS",
  "ASC",
  "ASOF",
  "BETWEEN",
  "BY",
  "CASE",
  "CROSS",
  "CUBE",
  "DESC",
  "DISTINCT",
  "ELSE",
  "EMIT",
  "END",
  "EXCEPT",
  "EXISTS",
  "FALSE",
  "FINAL",
  "FORMAT",
  "FROM",
  "FULL",
  "GLOBAL",
  "GROUP",
  "HAVING",
  "ILIKE",
  "IN",
  "INNER",
  "INSERT",
  "INTERSECT",
  "INTERVAL",
  "INTO",
  "IS",
  "JOIN",
  "LATEST",
  "LEFT",
  "LIKE",
  "LIMIT",
  "NOT",
  "NULL",
  "NULLS",
  "OFFSET",
  "ON",
  "OR",
  "ORDER",
  "OUTER",
  "OVER",
  "PARTITION",
  "PERIODIC",
  "PREWHERE",
  "QUALIFY",
  "RIGHT",
  "ROLLUP",
  "SAMPLE",
  "SELECT",
  "SEMI",
  "SETTINGS",
  "THEN",
  "TIES",
  "TOTALS",
  "TRUE",
  "UNION",
  "USING",
  "VALUES",
  "WHEN",
  "WHERE",
  "WINDOW",
  "WITH",
] as const;

const KEYWORDS: ReadonlySet<string> = new Set(KEYWORD_LIST);

/** True when `word` (any case) is a keyword in the sense of the tokenizer. */
export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toUpperCase());
}

/** `isKeyword` of a word already upper-cased, for the tokenizer, which keeps the upper-cased form as the token's value. */
export function isUpperCaseKeyword(upper: string): boolean {
  return KEYWORDS.has(upper);
}

/** A character that may start an unquoted identifier (ClickHouse also accepts any non-ASCII letter). */
export function isIdentifierStart(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (code > 127 && !/\s/u.test(ch));
}

/** A character that may continue an unquoted identifier. */
export function isIdentifierPart(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return isIdentifierStart(ch) || (code >= 48 && code <= 57) || code === 36; // digits and `$`
}

/**
 * True when `name` can be written without quotes and still mean the same identifier: it is a
 * single unquoted word and not a keyword. Example: `isPlainIdentifier("clicks")` is true,
 * `isPlainIdentifier("from")` and `isPlainIdentifier("my stream")` are false.
 */
export function isPlainIdentifier(name: string): boolean {
  if (name === "" || !isIdentifierStart(name.charAt(0))) return false;
  for (let i = 1; i < name.length; i++) {
    if (!isIdentifierPart(name.charAt(i))) return false;
  }
  return !isKeyword(name);
}
