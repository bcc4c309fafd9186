import type { Address, JsonObject, JsonValue, Kind } from "../../model/index.js";
import { addressOf, qualifyName, readFunctionBodyMarkers, readOwnershipMarker, readSchemaOwnershipMarker } from "../../model/index.js";
import { significantTokens, type Token } from "../tokenize.js";
import { BUILT_IN_DATABASES } from "./read-databases.js";
import { isSecretSettingName } from "./secrets.js";

/** The engine's DDL could not be read back; names what was being read and where. */
export class DdlParseError extends Error {
  constructor(what: string, problem: string) {
    super(`cannot read the definition of ${what}: ${problem}`);
    this.name = "DdlParseError";
  }
}

/**
 * One engine object read back into the manifest model: `spec` has the REST API's field names,
 * as the REST driver's reading gives them, with the engine's canonical spellings and additions
 * folded away.
 */
export interface ParsedDefinition {
  readonly kind: Kind;
  readonly name: string;
  /** The database the object lives in; undefined for global objects (UDFs, format schemas). */
  readonly database?: string;
  readonly spec: JsonObject;
  readonly owner?: string;
  readonly secretsFingerprint?: string;
  /** What this object reads or writes, where system.tables says so. */
  readonly dependsOn: readonly Address[];
}

export interface ParseOptions {
  /**
   * Setting names whose values are credentials. The REST API never returns them, so reading them
   * back would make the two drivers differ and would put secrets into exports; they are left out.
   * The default is the planner's rule (`isSecretSettingName`).
   */
  readonly isSecretSetting?: (key: string) => boolean;
  /** The engine's `system.tables.engine` value, when known: tells a 1.6-style external stream from a stream. */
  readonly engine?: string;
}

// ---------------------------------------------------------------------------------------------
// A cursor over the meaningful tokens, with slices of the original text for expressions.

class Cursor {
  readonly tokens: Token[];
  pos = 0;

  constructor(
    readonly sql: string,
    readonly what: string,
  ) {
    try {
      this.tokens = significantTokens(sql);
    } catch (error) {
      throw new DdlParseError(what, error instanceof Error ? error.message : "unreadable SQL");
    }
    while (this.tokens.at(-1)?.text === ";") this.tokens.pop();
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  done(): boolean {
    return this.pos >= this.tokens.length;
  }

  /** True (and consumes) when the next tokens are these words, in any case. */
  accept(...words: string[]): boolean {
    for (let i = 0; i < words.length; i++) {
      if (!isWord(this.peek(i), words[i] as string)) return false;
    }
    this.pos += words.length;
    return true;
  }

  expect(...words: string[]): void {
    if (!this.accept(...words)) this.fail(`expected ${words.join(" ")}`);
  }

  acceptPunct(text: string): boolean {
    if (this.peek()?.type === "punctuation" && this.peek()?.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }

  fail(problem: string): never {
    const token = this.peek();
    throw new DdlParseError(
      this.what,
      `${problem} at ${token === undefined ? "the end" : `offset ${token.start} (\`${token.text.slice(0, 40)}\`)`}`,
    );
  }

  /** A name part: a bare word or a quoted identifier. */
  identifier(): string {
    const token = this.peek();
    if (token === undefined || (token.type !== "identifier" && token.type !== "quoted_identifier" && token.type !== "keyword")) {
      this.fail("expected a name");
    }
    this.pos++;
    return token.type === "quoted_identifier" ? token.value : token.text;
  }

  /** `[db.]name` */
  qualifiedName(): { database?: string; name: string } {
    const first = this.identifier();
    if (this.acceptPunct(".")) return { database: first, name: this.identifier() };
    return { name: first };
  }

  string(): string {
    const token = this.peek();
    if (token?.type !== "string") this.fail("expected a string literal");
    this.pos++;
    return token.value;
  }

  /**
   * Tokens up to (not including) the first depth-0 token for which `stop` holds, as source text.
   * Returns "" when the first token already stops.
   */
  until(stop: (token: Token, next: Token | undefined) => boolean): string {
    const start = this.pos;
    let depth = 0;
    while (!this.done()) {
      const token = this.peek() as Token;
      if (depth === 0 && stop(token, this.peek(1))) break;
      if (token.type === "punctuation" && (token.text === "(" || token.text === "[" || token.text === "{")) depth++;
      if (token.type === "punctuation" && (token.text === ")" || token.text === "]" || token.text === "}")) {
        if (depth === 0) break;
        depth--;
      }
      this.pos++;
    }
    return this.slice(start, this.pos);
  }

  slice(from: number, to: number): string {
    if (to <= from) return "";
    const first = this.tokens[from] as Token;
    const last = this.tokens[to - 1] as Token;
    return this.sql.slice(first.start, last.end);
  }
}

function isWord(token: Token | undefined, word: string): boolean {
  return token !== undefined && (token.type === "identifier" || token.type === "keyword") && token.text.toUpperCase() === word;
}

// ---------------------------------------------------------------------------------------------

/**
 * Reads one `CREATE …` statement as SHOW CREATE, `system.tables.create_table_query` or
 * `system.functions.create_query` print it: streams (append, kv, changelog, mutable), views,
 * materialized views, external streams and tables, JavaScript and remote functions, format schemas.
 *
 * @example parseCreateStatement("CREATE VIEW default.v AS SELECT 1").spec // {name: "v", query: "SELECT 1", description: ""}
 * @throws {DdlParseError} on a statement of another kind or shape.
 */
export function parseCreateStatement(sql: string, options: ParseOptions = {}): ParsedDefinition {
  const c = new Cursor(sql, "a CREATE statement");
  c.expect("CREATE");
  c.accept("OR", "REPLACE");
  if (c.accept("MUTABLE", "STREAM")) return parseStream(c, true);
  if (c.accept("RANDOM", "STREAM")) return parseRandomStream(c);
  if (c.accept("EXTERNAL", "STREAM")) return parseExternal(c, "external_stream", options);
  if (c.accept("EXTERNAL", "TABLE")) return parseExternal(c, "external_table", options);
  if (c.accept("MATERIALIZED", "VIEW") || c.accept("SCHEDULED", "MATERIALIZED", "VIEW")) return parseMaterializedView(c);
  if (c.accept("VIEW")) return parseView(c);
  if (c.accept("FORMAT", "SCHEMA")) return parseFormatSchema(c);
  if (c.accept("DATABASE")) return parseDatabase(c);
  if (c.accept("DICTIONARY")) return parseDictionary(c, options);
  if (c.accept("TASK")) return parseTask(c);
  if (c.accept("NAMED", "COLLECTION")) return parseNamedCollection(c);
  if (c.accept("REMOTE", "FUNCTION")) return parseFunction(c, "remote", false, options);
  if (c.accept("AGGREGATE", "FUNCTION")) return parseFunction(c, "javascript", true, options);
  if (c.accept("FUNCTION")) return parseFunction(c, "javascript", false, options);
  if (c.accept("STREAM") || c.accept("TABLE")) {
    // 1.6 prints an external stream as `CREATE STREAM … SETTINGS type = 'kafka'` (its formatter
    // has no EXTERNAL STREAM head, proton ASTCreateQuery.cpp); the ENGINE line or system.tables tells.
    const engine = options.engine ?? engineInText(c);
    if (engine === "ExternalStream") return parseExternal(c, "external_stream", options);
    if (engine === "MutableStream") return parseStream(c, true);
    return parseStream(c, false);
  }
  return c.fail("expected STREAM, MUTABLE STREAM, VIEW, MATERIALIZED VIEW, EXTERNAL STREAM, EXTERNAL TABLE, FUNCTION or FORMAT SCHEMA");
}

/** The name in a depth-0 `ENGINE = Name(…)` clause, looking ahead without consuming. */
function engineInText(c: Cursor): string | undefined {
  let depth = 0;
  for (let i = c.pos; i < c.tokens.length; i++) {
    const token = c.tokens[i] as Token;
    if (token.type === "punctuation" && token.text === "(") depth++;
    else if (token.type === "punctuation" && token.text === ")") depth--;
    else if (depth === 0 && isWord(token, "ENGINE") && c.tokens[i + 1]?.text === "=") return c.tokens[i + 2]?.text;
  }
  return undefined;
}

function head(c: Cursor): { database?: string; name: string } {
  c.accept("IF", "NOT", "EXISTS");
  const name = c.qualifiedName();
  // `SHOW CREATE … SETTINGS show_uuid=true` adds ` UUID '…'`.
  if (c.accept("UUID")) c.string();
  return name;
}

function finish(
  kind: Kind,
  name: { database?: string; name: string },
  spec: Record<string, JsonValue>,
  comment: string | undefined,
): ParsedDefinition {
  const marker = readOwnershipMarker(comment ?? "");
  return {
    kind,
    name: name.name,
    ...(name.database !== undefined ? { database: name.database } : {}),
    spec: { name: name.name, ...spec, description: marker.description },
    ...(marker.owner !== undefined ? { owner: marker.owner } : {}),
    ...(marker.secretsFingerprint !== undefined ? { secretsFingerprint: marker.secretsFingerprint } : {}),
    dependsOn: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Streams

const COLUMN_CLAUSES = new Set([
  "DEFAULT",
  "MATERIALIZED",
  "ALIAS",
  "EPHEMERAL",
  "COMMENT",
  "CODEC",
  "TTL",
  "AUTO_INCREMENT",
  "NOT",
  "NULL",
]);
const STORAGE_CLAUSES = new Set(["ENGINE", "PARTITION", "PRIMARY", "ORDER", "SAMPLE", "TTL", "SETTINGS", "COMMENT"]);

interface ParsedColumn {
  name: string;
  type: string;
  default?: string;
  comment?: string;
  codec?: string;
  ttl_expression?: string;
}

interface Element {
  readonly kind: "column" | "index" | "family" | "primary_key" | "other";
  readonly column?: ParsedColumn;
  readonly name?: string;
  readonly text: string;
  /** Skipping index: `expr TYPE t GRANULARITY g`; secondary index: its columns. */
  readonly columns?: string[];
  readonly storing?: string[];
  readonly unique?: boolean;
  readonly expression?: string;
}

function parseElements(c: Cursor): Element[] {
  const elements: Element[] = [];
  if (!c.acceptPunct("(")) return elements;
  while (!c.acceptPunct(")")) {
    if (c.done()) c.fail("expected `)`");
    elements.push(parseElement(c));
    if (!c.acceptPunct(",") && c.peek()?.text !== ")") c.fail("expected `,` or `)`");
  }
  return elements;
}

function stopAtComma(token: Token): boolean {
  return token.type === "punctuation" && token.text === ",";
}

function nameListIn(c: Cursor): string[] {
  const names: string[] = [];
  if (!c.acceptPunct("(")) return [c.identifier()];
  while (!c.acceptPunct(")")) {
    names.push(c.identifier());
    c.acceptPunct(",");
    if (c.done()) c.fail("expected `)`");
  }
  return names;
}

function parseElement(c: Cursor): Element {
  const start = c.pos;
  const first = c.peek();
  // Canonical text backquotes every column name, so a bare INDEX / FAMILY word starts an index.
  if (first?.type !== "quoted_identifier") {
    if (c.accept("INDEX")) {
      const name = c.identifier();
      if (c.peek()?.text === "(" && !hasTypeClause(c)) {
        const columns = nameListIn(c);
        const unique = c.accept("UNIQUE");
        const storing = c.accept("STORING") ? nameListIn(c) : undefined;
        return { kind: "index", name, columns, unique, ...(storing !== undefined ? { storing } : {}), text: c.slice(start, c.pos) };
      }
      const expression = c.until((token) => isWord(token, "TYPE"));
      c.until(stopAtComma);
      return { kind: "index", name, expression, text: c.slice(start, c.pos) };
    }
    if (c.accept("FAMILY")) {
      const name = c.identifier();
      return { kind: "family", name, columns: nameListIn(c), text: c.slice(start, c.pos) };
    }
    if (c.accept("PRIMARY", "KEY")) {
      return { kind: "primary_key", expression: c.until(stopAtComma), text: c.slice(start, c.pos) };
    }
    if (isWord(first, "CONSTRAINT") || isWord(first, "PROJECTION")) {
      c.until(stopAtComma);
      return { kind: "other", text: c.slice(start, c.pos) };
    }
  }
  const column: ParsedColumn = { name: c.identifier(), type: "" };
  column.type = c.until((token) =>
    token.type === "punctuation" && token.text === ","
      ? true
      : COLUMN_CLAUSES.has(token.text.toUpperCase()) && token.type !== "quoted_identifier" && token.type !== "string",
  );
  while (!c.done() && c.peek()?.text !== "," && c.peek()?.text !== ")") {
    if (c.accept("DEFAULT") || c.accept("MATERIALIZED") || c.accept("ALIAS") || c.accept("EPHEMERAL")) {
      column.default = c.until(columnClauseStop);
    } else if (c.accept("COMMENT")) {
      column.comment = c.string();
    } else if (c.accept("CODEC")) {
      // Read back without the CODEC( ) wrapper, as manifests write it (`ZSTD(1)`).
      if (!c.acceptPunct("(")) c.fail("expected `(` after CODEC");
      column.codec = c.until(() => false);
      c.acceptPunct(")");
    } else if (c.accept("TTL")) {
      column.ttl_expression = c.until(columnClauseStop);
    } else {
      // AUTO_INCREMENT, NULL / NOT NULL: not manifest fields.
      c.pos++;
    }
  }
  return { kind: "column", column, text: c.slice(start, c.pos) };
}

function columnClauseStop(token: Token): boolean {
  if (token.type === "punctuation" && token.text === ",") return true;
  return (
    (token.type === "identifier" || token.type === "keyword") &&
    ["COMMENT", "CODEC", "TTL", "AUTO_INCREMENT"].includes(token.text.toUpperCase())
  );
}

/** Does the index element starting here have the skipping-index `TYPE` clause? */
function hasTypeClause(c: Cursor): boolean {
  const save = c.pos;
  c.until(stopAtComma);
  const text = c.slice(save, c.pos);
  c.pos = save;
  return /\bTYPE\b/i.test(text.replace(/'(?:[^'\\]|\\.)*'/g, "''"));
}

interface StorageClauses {
  engine?: string;
  partition?: string;
  primaryKey?: string;
  orderBy?: string;
  ttl?: string;
  settings: [string, string, Token["type"]][];
  comment?: string;
}

function storageClauseStop(token: Token, next: Token | undefined): boolean {
  if (token.type !== "identifier" && token.type !== "keyword") return false;
  const word = token.text.toUpperCase();
  if (!STORAGE_CLAUSES.has(word)) return false;
  if (word === "PARTITION" || word === "ORDER" || word === "SAMPLE") return isWord(next, "BY");
  if (word === "PRIMARY") return isWord(next, "KEY");
  return true;
}

/**
 * Storage clauses in any order. Before a view's or MV's `AS` (the formatter prints an MV's own
 * storage there, proton `src/Parsers/ASTCreateQuery.cpp`), `beforeSelect` ends the list at `AS`.
 */
function parseStorageClauses(c: Cursor, beforeSelect = false): StorageClauses {
  const clauses: StorageClauses = { settings: [] };
  const stop = (token: Token, next: Token | undefined): boolean => storageClauseStop(token, next) || (beforeSelect && isWord(token, "AS"));
  while (!c.done()) {
    if (beforeSelect && isWord(c.peek(), "AS")) break;
    if (c.accept("ENGINE")) {
      if (c.peek()?.text === "=") c.pos++;
      clauses.engine = c.until(stop);
    } else if (c.accept("PARTITION", "BY")) clauses.partition = c.until(stop);
    else if (c.accept("PRIMARY", "KEY")) clauses.primaryKey = c.until(stop);
    else if (c.accept("ORDER", "BY")) clauses.orderBy = c.until(stop);
    else if (c.accept("SAMPLE", "BY")) c.until(stop);
    else if (c.accept("TTL")) clauses.ttl = c.until(stop);
    else if (c.accept("SETTINGS")) clauses.settings = parseSettingList(c, beforeSelect);
    else if (c.accept("COMMENT")) clauses.comment = c.string();
    else c.fail("expected a storage clause (PARTITION BY, PRIMARY KEY, ORDER BY, TTL, SETTINGS, COMMENT)");
  }
  return clauses;
}

/** `k = v, …` up to COMMENT or the end. Values: the literal's value, else the source text. */
function parseSettingList(c: Cursor, beforeSelect = false): [string, string, Token["type"]][] {
  const settings: [string, string, Token["type"]][] = [];
  do {
    if (c.done() || isWord(c.peek(), "COMMENT") || (beforeSelect && isWord(c.peek(), "AS"))) break;
    const key = c.identifier();
    if (c.peek()?.text !== "=") c.fail(`expected = after setting ${key}`);
    c.pos++;
    const from = c.pos;
    const text = c.until((token) => stopAtComma(token) || isWord(token, "COMMENT") || (beforeSelect && isWord(token, "AS")));
    const only = c.pos - from === 1 ? c.tokens[from] : undefined;
    settings.push([key, only?.type === "string" ? only.value : text, only?.type ?? "operator"]);
  } while (c.acceptPunct(","));
  return settings;
}

const GRANULARITY_OF: Readonly<Record<string, string>> = {
  "to_yyyymm(_tp_time)": "M",
  "to_yyyymmdd(_tp_time)": "D",
  "to_start_of_hour(_tp_time)": "H",
  "to_start_of_minute(_tp_time)": "m",
};

function granularityOf(expression: string): string | undefined {
  return GRANULARITY_OF[expression.replace(/[\s`]/g, "").toLowerCase()];
}

/** `(a)` → `a`, `(a, b)` stays: the engine and users write a one-column key either way. */
function unwrapSingle(expression: string): string {
  const c = new Cursor(expression, "a key");
  if (!c.acceptPunct("(")) return expression.trim();
  const inner = c.until(stopAtComma);
  if (c.acceptPunct(")") && c.done()) return inner;
  return expression.trim();
}

/** Splits a top-level tuple `(a, b, c)` into its parts; anything else is one part. */
function tupleParts(expression: string): string[] {
  const c = new Cursor(expression, "a key");
  if (!c.acceptPunct("(")) return [expression.trim()];
  const parts: string[] = [];
  while (!c.done()) {
    parts.push(c.until(stopAtComma));
    if (c.acceptPunct(")")) return c.done() ? parts : [expression.trim()];
    if (!c.acceptPunct(",")) return [expression.trim()];
  }
  return [expression.trim()];
}

const sameSql = (a: string, b: string): boolean => a.replace(/[\s`]/g, "") === b.replace(/[\s`]/g, "");

const IMPLICIT_TIME = /^datetime64\(\s*3\s*,\s*'([^']*)'\s*\)$/i;

/**
 * `CREATE RANDOM STREAM name (…) [SETTINGS eps = …, interval_time = …] [COMMENT '…']`. The
 * engine's defaults (eps 1000, interval_time 5) are what an omitted setting means, so they are
 * filled in: a manifest that leaves them out and one that states them are the same.
 */
function parseRandomStream(c: Cursor): ParsedDefinition {
  const name = head(c);
  const elements = parseElements(c);
  const clauses = parseStorageClauses(c);
  const settings = new Map(clauses.settings.map(([key, value]) => [key, value]));
  const columns = elements.flatMap((element) =>
    element.kind === "column" && element.column !== undefined ? [columnSpec(element.column)] : [],
  );
  const number = (key: string, fallback: number): number => {
    const value = Number(settings.get(key));
    return settings.has(key) && Number.isFinite(value) ? value : fallback;
  };
  return finish("random_stream", name, { columns, eps: number("eps", 1000), interval_time: number("interval_time", 5) }, clauses.comment);
}

function parseStream(c: Cursor, mutable: boolean): ParsedDefinition {
  const name = head(c);
  const elements = parseElements(c);
  const clauses = parseStorageClauses(c);
  const settings = new Map(clauses.settings.map(([key, value, type]) => [key, { value, type }]));
  const spec: Record<string, JsonValue> = {};

  const mode = settings.get("mode")?.value ?? "append";
  const eventTime = settings.get("event_time_column")?.value;
  const columns: ParsedColumn[] = [];
  for (const element of elements) {
    if (element.kind !== "column" || element.column === undefined) continue;
    const column = element.column;
    if (column.name === "_tp_time") {
      const zone = IMPLICIT_TIME.exec(column.type.replace(/\s+/g, " "))?.[1];
      const implicitDefault =
        column.default === undefined ||
        (zone !== undefined && sameSql(column.default, `now64(3, '${zone}')`)) ||
        (eventTime !== undefined && sameSql(column.default, eventTime));
      // The engine's own _tp_time (or the one DDL declares for a time zone) is not a manifest column.
      if (zone !== undefined && implicitDefault) {
        if (zone !== "UTC") spec["event_time_timezone"] = zone;
        continue;
      }
    }
    if (column.name === "_tp_delta" && mode !== "append" && /^int8$/i.test(column.type.trim()) && column.default === undefined) continue;
    if (column.name === "_tp_index_time" && mutable) continue;
    columns.push(column);
  }
  const indexes = elements.filter((element) => element.kind === "index" && !(element.name ?? "").startsWith("_tp_"));
  for (const index of indexes) {
    if (index.expression === undefined) continue;
    // A skipping index belongs to the column its expression names (the REST API's per-column field).
    const column =
      columns.find((candidate) =>
        new RegExp(`(^|[^A-Za-z0-9_])\`?${escapeRegExp(candidate.name)}\`?($|[^A-Za-z0-9_])`).test(index.expression ?? ""),
      ) ?? columns[0];
    if (column !== undefined) (column as ParsedColumn & { skipping_index_expression?: string }).skipping_index_expression = index.text;
  }
  spec["columns"] = columns.map((column) => columnSpec(column));

  const primaryKey = clauses.primaryKey ?? elements.find((element) => element.kind === "primary_key")?.expression;
  if (primaryKey !== undefined) spec["primary_key"] = unwrapSingle(primaryKey);

  if (mutable) {
    const secondary = indexes.filter((index) => index.columns !== undefined);
    if (secondary.length > 0) {
      spec["secondary_indexes"] = secondary.map((index) => ({
        name: index.name ?? "",
        columns: index.columns ?? [],
        ...(index.storing !== undefined ? { storing: index.storing } : {}),
        ...(index.unique ? { unique: true } : {}),
      }));
    }
    const families = elements.filter((element) => element.kind === "family");
    if (families.length > 0)
      spec["column_families"] = families.map((family) => ({ name: family.name ?? "", columns: family.columns ?? [] }));
  } else {
    spec["mode"] = mode;
    if (clauses.partition !== undefined) {
      const partition = granularityOf(clauses.partition);
      // D (to_YYYYMMDD(_tp_time)) is the engine's default partitioning, never a difference.
      if (partition !== undefined && partition !== "D") spec["partition_by_granularity"] = partition;
    }
    if (clauses.orderBy !== undefined) readOrderBy(clauses.orderBy, primaryKey, spec);
    if (clauses.ttl !== undefined) spec["ttl_expression"] = clauses.ttl;
  }

  for (const key of ["shards", "replication_factor", "logstore_retention_bytes", "logstore_retention_ms"]) {
    const value = settings.get(key)?.value;
    if (value !== undefined && /^-?\d+$/.test(value)) spec[key] = Number(value);
  }
  if (eventTime !== undefined && eventTime !== "") spec["event_time_column"] = eventTime;
  if (mutable) {
    // Over SQL a mutable stream is its own kind (kinds/mutable-stream.ts), with its settings as fields.
    const version = settings.get("version_column")?.value;
    if (version !== undefined && version !== "") spec["version_column"] = version;
    const coalesced = settings.get("coalesced")?.value;
    if (coalesced !== undefined) spec["coalesced"] = /^(true|1)$/i.test(coalesced);
    const ttl = settings.get("ttl_seconds")?.value;
    if (ttl !== undefined && /^\d+$/.test(ttl)) spec["ttl_seconds"] = Number(ttl);
    const ttlColumn = settings.get("ttl_column")?.value;
    if (ttlColumn !== undefined && ttlColumn !== "") spec["ttl_column"] = ttlColumn;
  }
  return finish(mutable ? "mutable_stream" : "stream", name, spec, clauses.comment);
}

/**
 * ORDER BY back into order_by_granularity / order_by_expression: the engine's default
 * (`to_start_of_hour(_tp_time)`) and an ORDER BY that only repeats the primary key are no fields;
 * `(granularity(_tp_time), rest)` is the form the REST API and the renderer write.
 */
function readOrderBy(orderBy: string, primaryKey: string | undefined, spec: Record<string, JsonValue>): void {
  if (primaryKey !== undefined && sameSql(unwrapSingle(orderBy), unwrapSingle(primaryKey))) return;
  const whole = granularityOf(orderBy);
  if (whole !== undefined) {
    if (whole !== "H") spec["order_by_granularity"] = whole;
    return;
  }
  const parts = tupleParts(orderBy);
  const first = parts.length > 1 ? granularityOf(parts[0] as string) : undefined;
  if (first !== undefined) {
    spec["order_by_granularity"] = first;
    spec["order_by_expression"] = parts.slice(1).join(", ");
    return;
  }
  spec["order_by_expression"] = unwrapSingle(orderBy);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function columnSpec(column: ParsedColumn & { skipping_index_expression?: string }): JsonObject {
  return {
    name: column.name,
    type: column.type,
    ...(column.default !== undefined ? { default: column.default } : {}),
    ...(column.codec !== undefined ? { codec: column.codec } : {}),
    ...(column.ttl_expression !== undefined ? { ttl_expression: column.ttl_expression } : {}),
    ...(column.skipping_index_expression !== undefined ? { skipping_index_expression: column.skipping_index_expression } : {}),
    ...(column.comment !== undefined ? { comment: column.comment } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Views and materialized views

/**
 * The SELECT after AS, less a trailing COMMENT. The engine's formatter wraps the SELECT in
 * parentheses when a COMMENT follows (`AS (` … `)`); one pair around the whole query is removed.
 */
function queryAndComment(c: Cursor): { query: string; comment?: string } {
  const start = c.pos;
  let end = c.tokens.length;
  let comment: string | undefined;
  const last = c.tokens[end - 1];
  if (last?.type === "string" && isWord(c.tokens[end - 2], "COMMENT") && end - 2 > start) {
    comment = last.value;
    end -= 2;
  }
  if (c.tokens[start]?.text === "(" && c.tokens[end - 1]?.text === ")" && matchingClose(c.tokens, start) === end - 1) {
    return { query: c.slice(start + 1, end - 1).trim(), ...(comment !== undefined ? { comment } : {}) };
  }
  if (end <= start) c.fail("expected a SELECT after AS");
  return { query: c.slice(start, end), ...(comment !== undefined ? { comment } : {}) };
}

function matchingClose(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.type !== "punctuation") continue;
    if (token.text === "(") depth++;
    if (token.text === ")" && --depth === 0) return i;
  }
  return -1;
}

function parseView(c: Cursor): ParsedDefinition {
  const name = head(c);
  if (c.peek()?.text === "(") parseElements(c);
  parseStorageClauses(c, true);
  c.expect("AS");
  const { query, comment } = queryAndComment(c);
  return finish("view", name, { query }, comment);
}

/**
 * `CREATE DATABASE name [ENGINE = …] [SETTINGS …] [COMMENT '…']`, as SHOW CREATE DATABASE prints
 * it (1.6 prints `ENGINE = Atomic`). Settings of external databases are not a manifest field yet.
 */
function parseDatabase(c: Cursor): ParsedDefinition {
  c.accept("IF", "NOT", "EXISTS");
  const name = c.identifier();
  let comment: string | undefined;
  while (!c.done()) {
    if (c.accept("COMMENT")) comment = c.string();
    else if (c.accept("ENGINE") || c.accept("SETTINGS")) c.until((token) => isWord(token, "COMMENT") || isWord(token, "SETTINGS"));
    else c.fail("expected ENGINE, SETTINGS or COMMENT");
  }
  return finish("database", { name }, {}, comment);
}

/** `NAME[(KEY value …)]` of a SOURCE or LAYOUT as `{type: name, key: value}`, secrets left out as for external streams. */
function parseClauseCall(c: Cursor, options: ParseOptions): Record<string, JsonValue> {
  const isSecret = options.isSecretSetting ?? isSecretSettingName;
  const call: Record<string, JsonValue> = { type: c.identifier().toLowerCase() };
  if (!c.acceptPunct("(")) return call;
  while (!c.acceptPunct(")")) {
    if (c.done()) c.fail("expected `)`");
    const key = c.identifier().toLowerCase();
    const token = c.peek();
    let value: JsonValue;
    if (token?.type === "string") value = c.string();
    else if (token?.type === "number") {
      c.pos++;
      value = Number(token.text);
    } else value = c.identifier();
    if (!isSecret(key)) call[key] = value;
  }
  return call;
}

/**
 * `CREATE [OR REPLACE] DICTIONARY name (cols) PRIMARY KEY k SOURCE(…) LAYOUT(…) LIFETIME(…) [SETTINGS(…)] [COMMENT '…']`,
 * clauses in any order (the docs' examples differ). `LIFETIME(n)` is `LIFETIME(MIN 0 MAX n)`.
 */
function parseDictionary(c: Cursor, options: ParseOptions): ParsedDefinition {
  c.accept("IF", "NOT", "EXISTS");
  const name = head(c);
  const elements = parseElements(c);
  const spec: Record<string, JsonValue> = {
    columns: elements.flatMap((element) => (element.kind === "column" && element.column !== undefined ? [columnSpec(element.column)] : [])),
  };
  let comment: string | undefined;
  const clause = (token: Token): boolean =>
    ["SOURCE", "LAYOUT", "LIFETIME", "RANGE", "SETTINGS", "COMMENT"].some((word) => isWord(token, word));
  while (!c.done()) {
    if (c.accept("PRIMARY", "KEY")) spec["primary_key"] = unwrapSingle(c.until(clause));
    else if (c.accept("COMMENT")) comment = c.string();
    else if (c.accept("SOURCE") || c.accept("LAYOUT")) {
      const field = isWord(c.tokens[c.pos - 1], "SOURCE") ? "source" : "layout";
      if (!c.acceptPunct("(")) c.fail("expected `(`");
      spec[field] = parseClauseCall(c, options);
      if (!c.acceptPunct(")")) c.fail("expected `)`");
    } else if (c.accept("LIFETIME")) {
      if (!c.acceptPunct("(")) c.fail("expected `(`");
      const words = c.until(() => false).split(/\s+/);
      const upper = words.map((word) => word.toUpperCase());
      const number = (word: string | undefined): number => Number(word ?? "0");
      spec["lifetime"] = upper.includes("MAX")
        ? { min: number(words[upper.indexOf("MIN") + 1]), max: number(words[upper.indexOf("MAX") + 1]) }
        : { min: 0, max: number(words[0]) };
      if (!c.acceptPunct(")")) c.fail("expected `)`");
    } else if (c.accept("RANGE") || c.accept("SETTINGS")) {
      // Not manifest fields yet: read past them.
      if (!c.acceptPunct("(")) c.fail("expected `(`");
      c.until(() => false);
      if (!c.acceptPunct(")")) c.fail("expected `)`");
    } else c.fail("expected PRIMARY KEY, SOURCE, LAYOUT, LIFETIME, RANGE, SETTINGS or COMMENT");
  }
  // The grammar requires all three: a definition without one is not the engine's.
  for (const [field, clause] of [
    ["primary_key", "PRIMARY KEY"],
    ["source", "SOURCE(…)"],
    ["layout", "LAYOUT(…)"],
  ] as const) {
    if (spec[field] === undefined) c.fail(`expected ${clause}`);
  }
  return finish("dictionary", name, spec, comment);
}

/** `CREATE [OR REPLACE] TASK name SCHEDULE s TIMEOUT t INTO target AS <query>`; a task has no place for an ownership marker. */
function parseTask(c: Cursor): ParsedDefinition {
  const name = head(c);
  c.expect("SCHEDULE");
  const schedule = c.until((token) => isWord(token, "TIMEOUT"));
  c.expect("TIMEOUT");
  const timeout = c.until((token) => isWord(token, "INTO"));
  c.expect("INTO");
  const target = c.qualifiedName();
  c.expect("AS");
  const start = c.peek()?.start ?? c.sql.length;
  const query = c.sql.slice(start).replace(/;\s*$/, "").trimEnd();
  return {
    kind: "task",
    name: name.name,
    ...(name.database !== undefined ? { database: name.database } : {}),
    spec: { name: name.name, schedule, timeout, into: qualifyName(target.database, target.name), query },
    dependsOn: [],
  };
}

/**
 * `CREATE NAMED COLLECTION name AS k = v [[NOT] OVERRIDABLE], …`: the keys and whether each may be
 * overridden. Every value is left out: a named collection's values are credentials as a rule.
 */
function parseNamedCollection(c: Cursor): ParsedDefinition {
  c.accept("IF", "NOT", "EXISTS");
  const name = c.identifier();
  c.expect("AS");
  const settings: JsonValue[] = [];
  while (!c.done()) {
    const key = c.identifier();
    if (!c.acceptPunct("=")) {
      const token = c.peek();
      if (token?.type === "operator" && token.text === "=") c.pos++;
      else c.fail("expected `=`");
    }
    c.until((token) => (token.type === "punctuation" && token.text === ",") || isWord(token, "OVERRIDABLE") || isWord(token, "NOT"));
    const overridable = c.accept("NOT", "OVERRIDABLE") ? false : c.accept("OVERRIDABLE") ? true : undefined;
    settings.push({ key, ...(overridable !== undefined ? { overridable } : {}) });
    if (!c.acceptPunct(",")) break;
  }
  if (!c.done()) c.fail("expected `,` or the end");
  return { kind: "named_collection", name, spec: { name, settings }, dependsOn: [] };
}

function parseMaterializedView(c: Cursor): ParsedDefinition {
  const name = head(c);
  const spec: Record<string, JsonValue> = {};
  // Timeplus writes INTO; the ClickHouse formatter it derives from prints TO: both are read.
  if (c.accept("INTO") || c.accept("TO")) {
    // `INTO INNER UUID '…'` (show_uuid) is the MV's own storage, not a target stream.
    if (c.accept("INNER")) {
      if (c.accept("UUID")) c.string();
    } else {
      const target = c.qualifiedName();
      // A target in another database keeps its qualifier: that is its name in tpctl.
      spec["target_stream"] = qualifyName(target.database, target.name);
    }
  }
  if (c.peek()?.text === "(") parseElements(c);
  // An inner-stream MV may print its own storage here; its TTL and retention are the MV's fields.
  const storage = parseStorageClauses(c, true);
  if (storage.ttl !== undefined) spec["ttl_expression"] = storage.ttl;
  for (const [key, value] of storage.settings) {
    if ((key === "logstore_retention_bytes" || key === "logstore_retention_ms") && /^-?\d+$/.test(value)) spec[key] = Number(value);
  }
  c.expect("AS");
  const { query, comment } = queryAndComment(c);
  spec["query"] = query;
  return finish("materialized_view", name, spec, comment);
}

// ---------------------------------------------------------------------------------------------
// External streams and tables

function parseExternal(c: Cursor, kind: "external_stream" | "external_table", options: ParseOptions): ParsedDefinition {
  const name = head(c);
  const elements = parseElements(c);
  // The Python external stream's body (`AS $$ … $$`) has no manifest field.
  if (c.accept("AS")) c.string();
  const clauses = parseStorageClauses(c);
  const isSecret = options.isSecretSetting ?? isSecretSettingName;
  const spec: Record<string, JsonValue> = {
    settings: clauses.settings.filter(([key]) => !isSecret(key)).map(([key, value]) => ({ key, value })),
  };
  const columns = elements
    .filter((element) => element.kind === "column" && element.column !== undefined)
    .map((element) => columnSpec(element.column as ParsedColumn));
  if (kind === "external_stream" && columns.length > 0) spec["columns"] = columns;
  return finish(kind, name, spec, clauses.comment);
}

// ---------------------------------------------------------------------------------------------
// Functions and format schemas (global: no database)

function parseFunction(c: Cursor, type: "javascript" | "remote", aggregate: boolean, options: ParseOptions): ParsedDefinition {
  c.accept("IF", "NOT", "EXISTS");
  const { name } = c.qualifiedName();
  const args: JsonObject[] = [];
  if (!c.acceptPunct("(")) c.fail("expected the argument list");
  while (!c.acceptPunct(")")) {
    const argument = c.identifier();
    args.push({ name: argument, type: c.until(stopAtComma) });
    c.acceptPunct(",");
    if (c.done()) c.fail("expected `)`");
  }
  c.expect("RETURNS");
  const returnType = c.until((token) => isWord(token, "LANGUAGE") || isWord(token, "AS") || isWord(token, "URL"));
  const spec: Record<string, JsonValue> = { type, arguments: args, return_type: returnType };
  let description = "";
  let record: { owner?: string; secretsFingerprint?: string } = {};

  if (type === "javascript") {
    if (c.accept("LANGUAGE")) c.identifier();
    c.expect("AS");
    let body = c.string();
    // The renderer writes the body between a leading and a trailing line break.
    body = body.replace(/^\n/, "").replace(/\n$/, "");
    const read = readFunctionBodyMarkers(body);
    body = read.source;
    record = read;
    description = read.description ?? "";
    spec["source"] = body;
    spec["is_aggregation"] = aggregate;
  } else {
    c.expect("URL");
    spec["url"] = c.string();
    const isSecret = options.isSecretSetting ?? isSecretSettingName;
    while (!c.done()) {
      if (c.accept("AUTH_METHOD")) spec["auth_method"] = c.string();
      else if (c.accept("AUTH_HEADER")) spec["auth_context"] = { key_name: c.string() };
      else if (c.accept("AUTH_KEY")) {
        const value = c.string();
        // Like the REST API, the key's value is never read back.
        if (!isSecret("key_value")) spec["auth_context"] = { ...(spec["auth_context"] as JsonObject | undefined), key_value: value };
      } else if (c.accept("EXECUTION_TIMEOUT")) c.pos++;
      else c.fail("expected AUTH_METHOD, AUTH_HEADER, AUTH_KEY or EXECUTION_TIMEOUT");
    }
  }
  return {
    kind: "udf",
    name,
    spec: { name, ...spec, description },
    ...(record.owner !== undefined ? { owner: record.owner } : {}),
    ...(record.secretsFingerprint !== undefined ? { secretsFingerprint: record.secretsFingerprint } : {}),
    dependsOn: [],
  };
}

function parseFormatSchema(c: Cursor): ParsedDefinition {
  c.accept("IF", "NOT", "EXISTS");
  const { name } = c.qualifiedName();
  c.expect("AS");
  const content = c.string();
  c.expect("TYPE");
  const token = c.peek();
  const type = token?.type === "string" ? c.string() : c.identifier();
  const marker = readSchemaOwnershipMarker(content);
  return {
    kind: "schema",
    name,
    spec: { name, type, content: marker.content },
    ...(marker.owner !== undefined ? { owner: marker.owner } : {}),
    dependsOn: [],
  };
}

// ---------------------------------------------------------------------------------------------
// system.tables

/** The `system.tables` columns tpctl reads (`SELECT database, name, uuid, engine, create_table_query, comment, dependencies_database, dependencies_table FROM system.tables WHERE database = …`). */
export interface SystemTableRow {
  readonly database: string;
  readonly name: string;
  readonly engine: string;
  readonly create_table_query: string;
  readonly uuid?: string;
  readonly comment?: string;
  readonly dependencies_database?: readonly string[];
  readonly dependencies_table?: readonly string[];
}

const ENGINE_KINDS: Readonly<Record<string, Kind>> = {
  Stream: "stream",
  MutableStream: "mutable_stream",
  View: "view",
  MaterializedView: "materialized_view",
  ExternalStream: "external_stream",
  ExternalTable: "external_table",
  Random: "random_stream",
  Dictionary: "dictionary",
};

const INNER_PREFIX = ".inner.target-id.";

/**
 * Every managed object from one `system.tables` answer: one query whatever the size of the
 * workspace. With `database`, only that database's; without, every database but the built-in ones,
 * each object named as tpctl names it (`db.name` outside `default`, model/kinds.ts `qualifyName`).
 * Rows of other engines (random streams, dictionaries, system engines) are skipped; an MV's inner
 * stream (`.inner.target-id.<mv uuid>`) is not a resource of its own but carries the MV's retention
 * and TTL. `dependencies_table` lists the views and MVs that read a row's object, so each such edge
 * becomes a dependency of the reader.
 */
export function readSystemTables(rows: readonly SystemTableRow[], options: ParseOptions & { database?: string } = {}): ParsedDefinition[] {
  const inScope = rows.filter((row) =>
    options.database !== undefined
      ? row.database === options.database
      : !BUILT_IN_DATABASES.includes(row.database) || row.database === "default",
  );
  const keyOf = (database: string, name: string): string => qualifyName(database, name);
  const kinds = new Map<string, Kind>();
  for (const row of inScope) {
    const kind = ENGINE_KINDS[row.engine];
    if (kind !== undefined && !row.name.startsWith(".inner.")) kinds.set(keyOf(row.database, row.name), kind);
  }
  const inner = new Map<string, SystemTableRow>();
  for (const row of inScope) if (row.name.startsWith(INNER_PREFIX)) inner.set(row.name.slice(INNER_PREFIX.length), row);

  const readers = new Map<string, Address[]>();
  for (const row of inScope) {
    const key = keyOf(row.database, row.name);
    const kind = kinds.get(key);
    if (kind === undefined) continue;
    (row.dependencies_table ?? []).forEach((reader, index) => {
      const readerKey = keyOf(row.dependencies_database?.[index] ?? row.database, reader);
      if (!kinds.has(readerKey)) return;
      const list = readers.get(readerKey) ?? [];
      list.push(addressOf(kind, key));
      readers.set(readerKey, list);
    });
  }

  const result: ParsedDefinition[] = [];
  for (const row of inScope) {
    const key = keyOf(row.database, row.name);
    const kind = kinds.get(key);
    if (kind === undefined) continue;
    let parsed: ParsedDefinition;
    try {
      parsed = parseCreateStatement(row.create_table_query, { ...options, engine: row.engine });
    } catch (error) {
      // One unreadable definition stops the read: planning without it would try to create it again.
      throw new DdlParseError(`${kind}/${key}`, error instanceof Error ? error.message : "unreadable DDL");
    }
    if (parsed.kind !== kind && !(kind === "external_stream" && parsed.kind === "stream")) {
      throw new DdlParseError(`${kind}/${key}`, `system.tables says ${row.engine} but its DDL reads as a ${parsed.kind}`);
    }
    // The row is authoritative for where the object lives, whatever the printed DDL qualifies.
    parsed = { ...parsed, database: row.database };
    // The comment column is authoritative where the printed DDL leaves the COMMENT out.
    if (row.comment !== undefined && row.comment !== "" && parsed.spec["description"] === "" && parsed.owner === undefined) {
      const marker = readOwnershipMarker(row.comment);
      parsed = {
        ...parsed,
        spec: { ...parsed.spec, description: marker.description },
        ...(marker.owner !== undefined ? { owner: marker.owner } : {}),
        ...(marker.secretsFingerprint !== undefined ? { secretsFingerprint: marker.secretsFingerprint } : {}),
      };
    }
    if (kind === "materialized_view" && row.uuid !== undefined && inner.has(row.uuid)) {
      parsed = { ...parsed, spec: { ...parsed.spec, ...innerStorage(inner.get(row.uuid) as SystemTableRow, options) } };
    }
    const target = parsed.spec["target_stream"];
    const dependsOn = [...(readers.get(key) ?? [])];
    if (typeof target === "string" && kinds.has(target)) dependsOn.push(addressOf(kinds.get(target) as Kind, target));
    result.push({ ...parsed, dependsOn: [...new Set(dependsOn)].sort() });
  }
  return result;
}

function innerStorage(row: SystemTableRow, options: ParseOptions): Record<string, JsonValue> {
  const stream = parseCreateStatement(row.create_table_query, { ...options, engine: "Stream" }).spec;
  const storage: Record<string, JsonValue> = {};
  for (const key of ["ttl_expression", "logstore_retention_bytes", "logstore_retention_ms"]) {
    const value = stream[key];
    if (value !== undefined) storage[key] = value;
  }
  return storage;
}

// ---------------------------------------------------------------------------------------------
// system.functions

/** The `system.functions` columns tpctl reads (`SELECT name, origin, create_query FROM system.functions WHERE origin != 'System'`). */
export interface SystemFunctionRow {
  readonly name: string;
  readonly origin: string;
  readonly create_query: string;
}

/**
 * The UDFs of one `system.functions` answer. SQL lambda functions (`AS (x) -> …`) have no manifest
 * kind and are skipped. The v1.6 engine fills `create_query` only for SQL functions, so the names
 * of user functions without one come back in `unread`, for the driver to read with
 * `SHOW CREATE FUNCTION` (and, once a deployment is known to fill it, not at all).
 */
export function readSystemFunctions(
  rows: readonly SystemFunctionRow[],
  options: ParseOptions = {},
): { functions: ParsedDefinition[]; unread: string[] } {
  const functions: ParsedDefinition[] = [];
  const unread: string[] = [];
  for (const row of rows) {
    if (row.origin === "System") continue;
    if (row.create_query.trim() === "") {
      unread.push(row.name);
      continue;
    }
    if (/^\s*CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+AS\b/i.test(row.create_query)) continue;
    functions.push(parseCreateStatement(row.create_query, options));
  }
  return { functions, unread: unread.sort() };
}
