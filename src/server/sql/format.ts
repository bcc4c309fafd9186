import type { Setting } from "./ast.js";

/**
 * How the engine prints names, literals and types in SHOW CREATE (docs/timeplus-sql.md
 * "Canonical form"). Pure text functions.
 */

/** Words the engine's formatter would not leave bare as a name. */
const RESERVED = new Set([
  "ALL",
  "AND",
  "ANY",
  "ARRAY",
  "AS",
  "ASC",
  "BETWEEN",
  "BY",
  "CASE",
  "CAST",
  "CROSS",
  "DESC",
  "DISTINCT",
  "ELSE",
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
  "INTERVAL",
  "INTO",
  "IS",
  "JOIN",
  "LEFT",
  "LIKE",
  "LIMIT",
  "NOT",
  "NULL",
  "OFFSET",
  "ON",
  "OR",
  "ORDER",
  "OUTER",
  "PARTITION",
  "PREWHERE",
  "RIGHT",
  "SAMPLE",
  "SELECT",
  "SETTINGS",
  "THEN",
  "TRUE",
  "UNION",
  "USING",
  "WHEN",
  "WHERE",
  "WITH",
]);

/** ClickHouse's identifier characters (letters, `_`, any non-ASCII letter; then digits and `$`). */
function isIdentifierStart(ch: string): boolean {
  return /^[A-Za-z_]$/.test(ch) || (ch.charCodeAt(0) > 127 && !/\s/u.test(ch));
}

function isIdentifierPart(ch: string): boolean {
  return isIdentifierStart(ch) || /^[0-9$]$/.test(ch);
}

function isBare(name: string): boolean {
  if (name === "" || !isIdentifierStart(name.charAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isIdentifierPart(name.charAt(i))) return false;
  return !RESERVED.has(name.toUpperCase());
}

/** A name in backquotes, `` ` `` and `\` escaped. */
export function backquote(name: string): string {
  return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}

/** A name quoted only where needed (object names), as the engine prints them. */
export function quoteName(name: string): string {
  return isBare(name) ? name : backquote(name);
}

/** `default.name`, each part quoted only where needed. */
export function qualifiedName(database: string, name: string): string {
  return `${quoteName(database)}.${quoteName(name)}`;
}

/**
 * The catalog key of an object: its name in `default`, `db.name` in another database (the REST
 * catalog has one namespace, so an object elsewhere is kept under its qualified name).
 */
export function catalogKey(database: string | undefined, name: string): string {
  return database === undefined || database === "default" ? name : `${database}.${name}`;
}

/** The database and name of a catalog key. Names in default never hold a dot from SQL, which reads `a.b` as database a. */
export function splitCatalogKey(key: string): { readonly database: string; readonly name: string } {
  const dot = key.indexOf(".");
  return dot <= 0 ? { database: "default", name: key } : { database: key.slice(0, dot), name: key.slice(dot + 1) };
}

/** `db.name` of a catalog key, as the engine prints it. */
export function objectName(key: string): string {
  const { database, name } = splitCatalogKey(key);
  return qualifiedName(database, name);
}

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "'": "\\'",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\0": "\\0",
  "\b": "\\b",
  "\f": "\\f",
  "\v": "\\v",
};

/** A single-quoted literal that reads back (through the shared tokenizer) as exactly `value`. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\n\r\t\0\b\f\v]/g, (ch) => STRING_ESCAPES[ch] ?? ch)}'`;
}

/** A `$$ … $$` body; a body that itself holds `$$` gets a tag it does not contain. */
export function heredoc(value: string): string {
  let tag = "$$";
  for (let n = 0; value.includes(tag); n++) tag = `$tp${n === 0 ? "" : n}$`;
  return `${tag}${value}${tag}`;
}

export function settingLiteral(setting: Pick<Setting, "value" | "kind">): string {
  return setting.kind === "string" ? quoteString(setting.value) : setting.value;
}

/** `k = v, k2 = 'v2'`: spaces around `=`, as the engine prints SETTINGS. */
export function settingList(settings: readonly Pick<Setting, "key" | "value" | "kind">[]): string {
  return settings.map((setting) => `${quoteName(setting.key)} = ${settingLiteral(setting)}`).join(", ");
}

/** Type names and aliases the engine normalises (`int` → `int32`, `Float32` → `float32`). */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: "int32",
  integer: "int32",
  uint: "uint32",
  tinyint: "int8",
  smallint: "int16",
  bigint: "int64",
  float: "float32",
  real: "float32",
  double: "float64",
  boolean: "bool",
  text: "string",
  varchar: "string",
  datetime64: "datetime64",
  lowcardinality: "low_cardinality",
  fixedstring: "fixed_string",
};

/**
 * The engine's spelling of a column type: known names lower-cased and de-aliased, recursively
 * inside `nullable(…)`, `array(…)` and the like; string arguments and numbers kept; `datetime64`
 * without a precision gets 3. Unknown names are kept as written (docs/fidelity.md).
 */
export function canonicalType(type: string): string {
  const trimmed = type.trim();
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?$/s.exec(trimmed);
  if (!match) return trimmed;
  const base = match[1] as string;
  const lower = base.toLowerCase();
  const name = TYPE_ALIASES[lower] ?? (KNOWN_TYPES.has(lower) ? lower : base);
  const inner = match[2];
  if (inner === undefined) return name === "datetime64" ? "datetime64(3)" : name;
  const args = splitTopLevel(inner).map((arg) => {
    const text = arg.trim();
    if (/^'.*'$/s.test(text) || /^-?\d/.test(text)) return text;
    // `tuple(a int, b string)`: a named element keeps its name.
    const named = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/s.exec(text);
    if (named && !KNOWN_TYPES.has((named[1] as string).toLowerCase())) return `${named[1]} ${canonicalType(named[2] as string)}`;
    return canonicalType(text);
  });
  return `${name}(${args.join(", ")})`;
}

const KNOWN_TYPES = new Set([
  "int8",
  "int16",
  "int32",
  "int64",
  "int128",
  "int256",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "uint128",
  "uint256",
  "float32",
  "float64",
  "decimal",
  "decimal32",
  "decimal64",
  "decimal128",
  "decimal256",
  "bool",
  "string",
  "fixed_string",
  "uuid",
  "date",
  "date32",
  "datetime",
  "datetime64",
  "enum",
  "enum8",
  "enum16",
  "array",
  "tuple",
  "map",
  "nullable",
  "low_cardinality",
  "ipv4",
  "ipv6",
  "json",
  "nested",
]);

/** Splits at commas outside parentheses and quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quote !== undefined) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === "`") quote = ch;
    else if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
