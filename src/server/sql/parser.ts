import { SqlSyntaxError, type Token, tokenizeSql } from "../../sql/tokenize.js";
import type {
  AlterCommand,
  ColumnDef,
  CreateFunction,
  DropTarget,
  Expr,
  Family,
  NamedCollectionEntry,
  Parsed,
  QualifiedName,
  SecondaryIndex,
  Select,
  SelectItem,
  Setting,
  ShowCreateTarget,
  ShowListTarget,
  SkippingIndex,
  Statement,
} from "./ast.js";
import { SQL_CODES, sqlError, syntaxError } from "./errors.js";

/**
 * The server's DDL parser: one statement, strictly the grammar docs/timeplus-sql.md gives per
 * kind, built on the shared tokenizer. Expressions (defaults, keys, TTL, view queries) are kept as
 * source text; only the small SELECT over system tables is parsed into an expression tree.
 *
 * @throws {SqlError} 62 SYNTAX_ERROR for anything outside the grammar, an empty query, or a second
 *   statement ("Multi-statements are not allowed").
 */
export function parseSql(sql: string): Parsed {
  let tokens: Token[];
  try {
    tokens = tokenizeSql(sql).filter((token) => token.type !== "whitespace" && token.type !== "comment");
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw syntaxError(`Syntax error: failed at position ${error.offset + 1}: ${error.message}`);
    throw error;
  }
  if (tokens.length === 0) throw syntaxError("Empty query");
  const semicolon = firstTopLevelSemicolon(tokens);
  const body = semicolon === -1 ? tokens : tokens.slice(0, semicolon);
  const rest = semicolon === -1 ? [] : tokens.slice(semicolon);
  if (body.length === 0) throw syntaxError("Empty query");

  let format: string | undefined;
  const last = body.at(-1);
  const beforeLast = body.at(-2);
  if (
    body.length > 2 &&
    isWord(beforeLast, "FORMAT") &&
    !isWord(body.at(-3), "SHOW") &&
    last !== undefined &&
    (last.type === "identifier" || last.type === "quoted_identifier")
  ) {
    format = last.value;
    body.splice(-2, 2);
  }
  const cursor = new Cursor(sql, body);
  const { statement, settings } = parseStatement(cursor);
  if (!cursor.done()) cursor.fail();
  const extra = rest.find((token) => token.text !== ";");
  if (extra !== undefined) {
    const at = rest[0] as Token;
    throw syntaxError(
      `Syntax error (Multi-statements are not allowed): failed at position ${at.start + 1} (end of query): ${sql.slice(at.start, at.start + 160)}`,
    );
  }
  return format === undefined ? { statement, settings } : { statement, settings, format };
}

function firstTopLevelSemicolon(tokens: readonly Token[]): number {
  let depth = 0;
  for (const [index, token] of tokens.entries()) {
    if (token.text === "(" || token.text === "[") depth += 1;
    else if (token.text === ")" || token.text === "]") depth -= 1;
    else if (token.text === ";" && depth <= 0) return index;
  }
  return -1;
}

function isWord(token: Token | undefined, word: string): boolean {
  return token !== undefined && (token.type === "identifier" || token.type === "keyword") && token.text.toUpperCase() === word;
}

type Stop = (token: Token) => boolean;

const words =
  (...list: string[]): Stop =>
  (token) =>
    list.some((word) => isWord(token, word));

class Cursor {
  index = 0;
  constructor(
    readonly sql: string,
    readonly tokens: readonly Token[],
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  done(): boolean {
    return this.index >= this.tokens.length;
  }

  at(...sequence: string[]): boolean {
    return sequence.every((word, offset) => isWord(this.peek(offset), word));
  }

  accept(...sequence: string[]): boolean {
    if (!this.at(...sequence)) return false;
    this.index += sequence.length;
    return true;
  }

  expect(...sequence: string[]): void {
    for (const word of sequence) {
      if (!isWord(this.peek(), word)) this.fail(word);
      this.index += 1;
    }
  }

  atPunct(text: string): boolean {
    return this.peek()?.text === text && (this.peek()?.type === "punctuation" || this.peek()?.type === "operator");
  }

  acceptPunct(text: string): boolean {
    if (!this.atPunct(text)) return false;
    this.index += 1;
    return true;
  }

  expectPunct(text: string): void {
    if (!this.acceptPunct(text)) this.fail(`'${text}'`);
  }

  /** An identifier, plain or quoted. */
  name(what = "identifier"): string {
    const token = this.peek();
    if (token === undefined || (token.type !== "identifier" && token.type !== "quoted_identifier") || token.value === "") this.fail(what);
    this.index += 1;
    return token.value;
  }

  qualified(): QualifiedName {
    const first = this.name();
    if (!this.acceptPunct(".")) return { name: first };
    return { database: first, name: this.name() };
  }

  string(what = "string literal"): string {
    const token = this.peek();
    if (token?.type !== "string") this.fail(what);
    this.index += 1;
    return token.value;
  }

  integer(what = "number"): string {
    const token = this.peek();
    if (token?.type !== "number") this.fail(what);
    this.index += 1;
    return token.text;
  }

  /**
   * Source text from here up to (not including) the first token at depth 0 for which `stop` holds,
   * or a `,`/`)` at depth 0 when `stopAtList`, or the end.
   */
  capture(stop: Stop, options: { stopAtList?: boolean; what?: string; optional?: boolean } = {}): string {
    const start = this.index;
    let depth = 0;
    while (!this.done()) {
      const token = this.peek() as Token;
      if (depth === 0 && (stop(token) || (options.stopAtList === true && (token.text === "," || token.text === ")")))) break;
      if (token.text === "(" || token.text === "[" || token.text === "{") depth += 1;
      else if (token.text === ")" || token.text === "]" || token.text === "}") {
        if (depth === 0) break;
        depth -= 1;
      }
      this.index += 1;
    }
    if (this.index === start) {
      if (options.optional === true) return "";
      this.fail(options.what ?? "expression");
    }
    return this.sql.slice((this.tokens[start] as Token).start, (this.tokens[this.index - 1] as Token).end);
  }

  /** `( … )` with balanced contents: returns the text between the parentheses. */
  parenthesised(): string {
    const open = this.peek();
    if (open?.text !== "(") this.fail("'('");
    this.index += 1;
    const inner = this.capture(() => false, { optional: true });
    const close = this.peek();
    if (close?.text !== ")") this.fail("')'");
    this.index += 1;
    return inner.trim() === "" ? "" : this.sql.slice(open.end, close.start).trim();
  }

  /** The rest of the statement as source text. */
  rest(what: string): string {
    return this.capture(() => false, { what });
  }

  fail(expected?: string): never {
    const token = this.peek();
    const position = token === undefined ? this.sql.trimEnd().length + 1 : token.start + 1;
    const near = token === undefined ? "end of query" : `'${token.text}'`;
    const tail = token === undefined ? "" : this.sql.slice(token.start, token.start + 160);
    throw syntaxError(`Syntax error: failed at position ${position} (${near}): ${tail}${expected ? `. Expected ${expected}` : ""}`);
  }
}

function parseStatement(c: Cursor): { statement: Statement; settings: readonly Setting[] } {
  const none: readonly Setting[] = [];
  if (c.accept("CREATE")) return { statement: parseCreate(c), settings: none };
  if (c.accept("DROP")) return { statement: parseDrop(c), settings: none };
  if (c.accept("ALTER")) return { statement: parseAlter(c), settings: none };
  if (c.accept("RENAME")) return { statement: parseRename(c), settings: none };
  if (c.accept("SHOW")) return parseShow(c);
  if (c.accept("EXISTS")) {
    for (const kind of ["STREAM", "VIEW", "TABLE", "DICTIONARY", "DATABASE"]) if (c.at(kind) && c.peek(1) !== undefined) c.accept(kind);
    return { statement: { type: "exists", name: c.qualified() }, settings: none };
  }
  if (c.at("SELECT")) return parseSelect(c);
  if (c.accept("SYSTEM")) return { statement: parseSystem(c), settings: none };
  return c.fail("one of: CREATE, DROP, ALTER, RENAME, SHOW, EXISTS, SELECT, SYSTEM");
}

function parseCreate(c: Cursor): Statement {
  const orReplace = c.accept("OR", "REPLACE");
  if (c.accept("STREAM")) return parseCreateStream(c, "stream", orReplace);
  if (c.accept("MUTABLE", "STREAM")) return parseCreateStream(c, "mutable", orReplace);
  if (c.accept("RANDOM", "STREAM")) return parseCreateStream(c, "random", orReplace);
  if (c.accept("EXTERNAL", "STREAM")) return parseCreateExternal(c, "stream", orReplace);
  if (c.accept("EXTERNAL", "TABLE")) return parseCreateExternal(c, "table", orReplace);
  if (c.accept("VIEW")) return parseCreateView(c, { materialized: false, scheduled: false, orReplace });
  if (c.at("MATERIALIZED", "VIEW") || c.at("SCHEDULED", "MATERIALIZED", "VIEW")) {
    // No OR REPLACE for materialized views (docs/timeplus-sql.md).
    if (orReplace) c.fail("VIEW (materialized views have no OR REPLACE)");
    const scheduled = c.accept("SCHEDULED");
    c.expect("MATERIALIZED", "VIEW");
    return parseCreateView(c, { materialized: true, scheduled, orReplace: false });
  }
  if (c.at("FUNCTION") || c.at("AGGREGATE", "FUNCTION") || c.at("REMOTE", "FUNCTION")) return parseCreateFunction(c, orReplace);
  if (c.accept("FORMAT", "SCHEMA")) {
    const ifNotExists = ifNotExistsAfter(c, orReplace);
    const name = globalName(c);
    c.expect("AS");
    const content = c.string("schema text");
    c.expect("TYPE");
    const typeToken = c.peek();
    const schemaType = typeToken?.type === "string" ? c.string() : c.name("Protobuf or Avro");
    return { type: "create_format_schema", orReplace, ifNotExists, name, content, schemaType };
  }
  if (c.accept("DATABASE")) {
    if (orReplace) c.fail("STREAM, VIEW, FUNCTION, FORMAT SCHEMA, DICTIONARY or TASK");
    const ifNotExists = c.accept("IF", "NOT", "EXISTS");
    const name = c.name("database name");
    const settings = c.accept("SETTINGS") ? parseSettingList(c) : [];
    const comment = c.accept("COMMENT") ? c.string() : undefined;
    return { type: "create_database", ifNotExists, name, settings, ...(comment !== undefined ? { comment } : {}) };
  }
  if (c.accept("DICTIONARY")) return parseCreateDictionary(c, orReplace);
  if (c.accept("TASK")) {
    const ifNotExists = ifNotExistsAfter(c, orReplace);
    const name = c.qualified();
    c.expect("SCHEDULE");
    const schedule = c.capture(words("TIMEOUT"), { what: "schedule interval" });
    c.expect("TIMEOUT");
    const timeout = c.capture(words("INTO"), { what: "timeout interval" });
    c.expect("INTO");
    const into = c.qualified();
    c.expect("AS");
    const query = c.rest("SELECT query");
    return { type: "create_task", orReplace, ifNotExists, name, schedule, timeout, into, query };
  }
  if (c.accept("NAMED", "COLLECTION")) {
    if (orReplace) c.fail("STREAM, VIEW, FUNCTION, FORMAT SCHEMA, DICTIONARY or TASK");
    const ifNotExists = c.accept("IF", "NOT", "EXISTS");
    const name = globalName(c);
    c.expect("AS");
    return { type: "create_named_collection", ifNotExists, name, entries: parseCollectionEntries(c) };
  }
  return c.fail(
    "STREAM, MUTABLE STREAM, RANDOM STREAM, EXTERNAL STREAM, EXTERNAL TABLE, VIEW, MATERIALIZED VIEW, FUNCTION, FORMAT SCHEMA, DATABASE, DICTIONARY, TASK or NAMED COLLECTION",
  );
}

/** `IF NOT EXISTS`, which the engine's parsers refuse together with OR REPLACE (62). */
function ifNotExistsAfter(c: Cursor, orReplace: boolean): boolean {
  if (!c.at("IF", "NOT", "EXISTS")) return false;
  if (orReplace) c.fail("name (IF NOT EXISTS cannot be used with OR REPLACE)");
  c.index += 3;
  return true;
}

/** Functions, format schemas and named collections are global: `db.` before the name fails at the dot. */
function globalName(c: Cursor): string {
  const name = c.name();
  if (c.atPunct(".")) c.fail();
  return name;
}

const COLUMN_STOP = words("DEFAULT", "MATERIALIZED", "ALIAS", "EXPRESSION", "COMMENT", "CODEC", "TTL", "AUTO_INCREMENT", "AFTER", "FIRST");
const COLUMN_EXPR_STOP = words("COMMENT", "CODEC", "TTL", "AUTO_INCREMENT", "AFTER", "FIRST");

function parseColumn(c: Cursor, options: { dictionary?: boolean } = {}): ColumnDef {
  const name = c.name("column name");
  const type = c.capture(COLUMN_STOP, { stopAtList: true, optional: true });
  const column: { -readonly [K in keyof ColumnDef]: ColumnDef[K] } = { name, type };
  for (;;) {
    const kind = ["DEFAULT", "MATERIALIZED", "ALIAS", ...(options.dictionary === true ? ["EXPRESSION"] : [])].find((word) => c.at(word));
    if (kind !== undefined && column.defaultKind === undefined) {
      c.index += 1;
      column.defaultKind = kind as NonNullable<ColumnDef["defaultKind"]>;
      column.defaultExpr = c.capture(COLUMN_EXPR_STOP, { stopAtList: true, what: "default expression" });
    } else if (c.at("AUTO_INCREMENT") && column.autoIncrement === undefined) {
      c.index += 1;
      column.autoIncrement = true;
    } else if (c.at("COMMENT") && column.comment === undefined) {
      c.index += 1;
      column.comment = c.string();
    } else if (c.at("CODEC") && column.codec === undefined) {
      c.index += 1;
      column.codec = `CODEC(${c.parenthesised()})`;
    } else if (c.at("TTL") && column.ttl === undefined) {
      c.index += 1;
      column.ttl = c.capture(words("COMMENT", "CODEC"), { stopAtList: true });
    } else break;
  }
  if (column.type === "" && column.defaultKind === undefined) c.fail("column type");
  return column;
}

function parseNameList(c: Cursor): string[] {
  c.expectPunct("(");
  const names = [c.name("column name")];
  while (c.acceptPunct(",")) names.push(c.name("column name"));
  c.expectPunct(")");
  return names;
}

interface ColumnList {
  columns: ColumnDef[];
  indexes: SkippingIndex[];
  secondaryIndexes: SecondaryIndex[];
  families: Family[];
  primaryKey?: string;
}

function parseColumnList(c: Cursor, options: { dictionary?: boolean } = {}): ColumnList {
  c.expectPunct("(");
  const list: ColumnList = { columns: [], indexes: [], secondaryIndexes: [], families: [] };
  do {
    if (c.accept("INDEX")) {
      const index = parseIndexDefinition(c);
      if ("columns" in index) list.secondaryIndexes.push(index);
      else list.indexes.push(index);
    } else if (c.accept("FAMILY")) {
      const name = c.name("family name");
      list.families.push({ name, columns: parseNameList(c) });
    } else if (c.at("PRIMARY", "KEY")) {
      c.index += 2;
      if (list.primaryKey !== undefined) throw sqlError(SQL_CODES.BAD_ARGUMENTS, "Multiple primary keys are not allowed.");
      list.primaryKey = c.capture(() => false, { stopAtList: true });
    } else {
      list.columns.push(parseColumn(c, options));
    }
  } while (c.acceptPunct(","));
  c.expectPunct(")");
  return list;
}

/** `name (cols) [UNIQUE] [STORING (cols)]` (mutable streams) or `name expr TYPE t [GRANULARITY n]`. */
function parseIndexDefinition(c: Cursor): SkippingIndex | SecondaryIndex {
  const name = c.name("index name");
  if (c.atPunct("(")) {
    const columns = parseNameList(c);
    const unique = c.accept("UNIQUE");
    const storing = c.accept("STORING") ? parseNameList(c) : [];
    return { name, columns, unique, storing };
  }
  const expr = c.capture(words("TYPE"), { stopAtList: true });
  c.expect("TYPE");
  const type = c.capture(words("GRANULARITY"), { stopAtList: true, what: "index type" });
  const granularity = c.accept("GRANULARITY") ? c.integer() : undefined;
  return granularity === undefined ? { name, expr, type } : { name, expr, type, granularity };
}

const STORAGE_STOP = words("ENGINE", "PARTITION", "PRIMARY", "ORDER", "SAMPLE", "TTL", "SETTINGS", "COMMENT");

function parseCreateStream(c: Cursor, variant: "stream" | "mutable" | "random", orReplace: boolean): Statement {
  const ifNotExists = ifNotExistsAfter(c, orReplace);
  const name = c.qualified();
  if (c.at("AS")) {
    throw sqlError(SQL_CODES.NOT_IMPLEMENTED, "CREATE STREAM … AS SELECT is not simulated by the built-in server; declare the columns");
  }
  if (!c.atPunct("(")) {
    throw sqlError(SQL_CODES.INCORRECT_QUERY, "Incorrect CREATE query: required list of column descriptions or AS section or SELECT.");
  }
  const list = parseColumnList(c);
  const clauses: Record<string, string> = {};
  const clause = (key: string, ...sequence: string[]): boolean => {
    if (!c.at(...sequence)) return false;
    if (clauses[key] !== undefined) c.fail();
    c.index += sequence.length;
    clauses[key] = c.capture(STORAGE_STOP);
    return true;
  };
  for (;;) {
    if (c.at("ENGINE")) {
      c.index += 1;
      c.acceptPunct("=");
      clauses["engine"] = c.capture(STORAGE_STOP);
    } else if (!(
      clause("partition", "PARTITION", "BY") ||
      clause("primary", "PRIMARY", "KEY") ||
      clause("order", "ORDER", "BY") ||
      clause("sample", "SAMPLE", "BY") ||
      clause("ttl", "TTL")
    )) {
      break;
    }
  }
  if (clauses["primary"] !== undefined && list.primaryKey !== undefined) {
    throw sqlError(SQL_CODES.BAD_ARGUMENTS, "Multiple primary keys are not allowed.");
  }
  const settings = c.accept("SETTINGS") ? parseSettingList(c) : [];
  const comment = c.accept("COMMENT") ? c.string() : undefined;
  const primaryKey = clauses["primary"] ?? list.primaryKey;
  return {
    type: "create_stream",
    variant,
    orReplace,
    ifNotExists,
    name,
    columns: list.columns,
    indexes: list.indexes,
    secondaryIndexes: list.secondaryIndexes,
    families: list.families,
    ...(clauses["partition"] !== undefined ? { partitionBy: clauses["partition"] } : {}),
    ...(primaryKey !== undefined ? { primaryKey } : {}),
    ...(clauses["order"] !== undefined ? { orderBy: clauses["order"] } : {}),
    ...(clauses["sample"] !== undefined ? { sampleBy: clauses["sample"] } : {}),
    ...(clauses["ttl"] !== undefined ? { ttl: clauses["ttl"] } : {}),
    settings,
    ...(comment !== undefined ? { comment } : {}),
  };
}

function parseCreateExternal(c: Cursor, target: "stream" | "table", orReplace: boolean): Statement {
  const ifNotExists = ifNotExistsAfter(c, orReplace);
  const name = c.qualified();
  const list = c.atPunct("(") ? parseColumnList(c) : undefined;
  if (list && (list.indexes.length > 0 || list.secondaryIndexes.length > 0 || list.families.length > 0 || list.primaryKey !== undefined)) {
    c.fail("column definition");
  }
  let body: string | undefined;
  if (target === "stream" && c.accept("AS")) body = c.string("$$ … $$ body");
  const partitionBy = target === "table" && c.accept("PARTITION", "BY") ? c.capture(words("SETTINGS")) : undefined;
  c.expect("SETTINGS");
  const settings = parseSettingList(c);
  const comment = c.accept("COMMENT") ? c.string() : undefined;
  return {
    type: "create_external",
    target,
    orReplace,
    ifNotExists,
    name,
    columns: list?.columns ?? [],
    ...(body !== undefined ? { body } : {}),
    ...(partitionBy !== undefined ? { partitionBy } : {}),
    settings,
    ...(comment !== undefined ? { comment } : {}),
  };
}

/** A view's or MV's SELECT up to a final `COMMENT '…'`; `AS (select) COMMENT` (the engine's own printing) unwraps. */
function parseQueryAndComment(c: Cursor): { query: string; comment?: string } {
  const tokens = c.tokens;
  const end = tokens.length;
  let stop = end;
  let comment: string | undefined;
  const commentWord = tokens[end - 2];
  const commentText = tokens[end - 1];
  if (end - 2 > c.index && isWord(commentWord, "COMMENT") && commentText?.type === "string") {
    stop = end - 2;
    comment = commentText.value;
  }
  if (stop <= c.index) c.fail("SELECT query");
  const first = tokens[c.index] as Token;
  const lastQuery = tokens[stop - 1] as Token;
  let query = c.sql.slice(first.start, lastQuery.end);
  if (first.text === "(" && lastQuery.text === ")" && closes(tokens, c.index, stop - 1)) {
    query = c.sql.slice(first.end, lastQuery.start).trim();
  }
  c.index = end;
  return comment === undefined ? { query } : { query, comment };
}

/** True when the `(` at `open` is closed by the `)` at `close`. */
function closes(tokens: readonly Token[], open: number, close: number): boolean {
  let depth = 0;
  for (let index = open; index <= close; index++) {
    const text = (tokens[index] as Token).text;
    if (text === "(") depth += 1;
    else if (text === ")") {
      depth -= 1;
      if (depth === 0) return index === close;
    }
  }
  return false;
}

function parseCreateView(c: Cursor, kind: { materialized: boolean; scheduled: boolean; orReplace: boolean }): Statement {
  const ifNotExists = ifNotExistsAfter(c, kind.orReplace);
  const name = c.qualified();
  const into = kind.materialized && c.accept("INTO") ? c.qualified() : undefined;
  if (kind.scheduled && into === undefined) c.fail("INTO (a scheduled materialized view needs a target)");
  if (c.atPunct("(")) throw sqlError(SQL_CODES.NOT_IMPLEMENTED, "A column list on a view is not simulated by the built-in server");
  c.expect("AS");
  const { query, comment } = parseQueryAndComment(c);
  return {
    type: "create_view",
    materialized: kind.materialized,
    scheduled: kind.scheduled,
    orReplace: kind.orReplace,
    ifNotExists,
    name,
    ...(into !== undefined ? { into } : {}),
    query,
    ...(comment !== undefined ? { comment } : {}),
  };
}

function parseArguments(c: Cursor): { name: string; type: string }[] {
  c.expectPunct("(");
  const args: { name: string; type: string }[] = [];
  if (!c.atPunct(")")) {
    do {
      const name = c.name("argument name");
      args.push({ name, type: c.capture(() => false, { stopAtList: true, what: "argument type" }) });
    } while (c.acceptPunct(","));
  }
  c.expectPunct(")");
  return args;
}

function parseCreateFunction(c: Cursor, orReplace: boolean): CreateFunction {
  const remote = c.accept("REMOTE");
  const aggregate = !remote && c.accept("AGGREGATE");
  c.expect("FUNCTION");
  const ifNotExists = ifNotExistsAfter(c, orReplace);
  const name = globalName(c);
  const base = { type: "create_function" as const, orReplace, ifNotExists, name, aggregate, settings: [] as Setting[] };
  if (!remote && c.accept("AS")) {
    return { ...base, language: "sql", arguments: [], returns: "", source: c.rest("lambda") };
  }
  const args = parseArguments(c);
  c.expect("RETURNS");
  const returns = c.capture(words("LANGUAGE", "URL"), { what: "return type" });
  if (remote) {
    c.expect("URL");
    const url = c.string("URL");
    c.expect("AUTH_METHOD");
    const authMethod = c.string("'none' or 'auth_header'");
    if (authMethod !== "none" && authMethod !== "auth_header")
      throw sqlError(SQL_CODES.UNKNOWN_FUNCTION, `Unknown auth method: ${authMethod}`);
    let authHeader: string | undefined;
    let authKey: string | undefined;
    if (authMethod === "auth_header") {
      c.expect("AUTH_HEADER");
      authHeader = c.string();
      c.expect("AUTH_KEY");
      authKey = c.string();
    }
    const executionTimeout = c.accept("EXECUTION_TIMEOUT") ? c.integer() : undefined;
    return {
      ...base,
      language: "remote",
      arguments: args,
      returns,
      source: "",
      url,
      authMethod,
      ...(authHeader !== undefined ? { authHeader } : {}),
      ...(authKey !== undefined ? { authKey } : {}),
      ...(executionTimeout !== undefined ? { executionTimeout } : {}),
    };
  }
  c.expect("LANGUAGE");
  const language = c.at("JAVASCRIPT") ? "javascript" : c.at("PYTHON") ? "python" : c.fail("JAVASCRIPT or PYTHON");
  c.index += 1;
  c.expect("AS");
  const source = c.string("$$ … $$ body");
  const settings = c.accept("SETTINGS") ? parseSettingList(c) : [];
  return { ...base, language, arguments: args, returns, source, settings };
}

function parseCreateDictionary(c: Cursor, orReplace: boolean): Statement {
  // The one parser that takes OR REPLACE and IF NOT EXISTS together.
  const ifNotExists = c.accept("IF", "NOT", "EXISTS");
  const name = c.qualified();
  const list = parseColumnList(c, { dictionary: true });
  if (list.indexes.length + list.secondaryIndexes.length + list.families.length > 0) c.fail("column definition");
  const stop = words("SOURCE", "LAYOUT", "LIFETIME", "RANGE", "SETTINGS", "COMMENT");
  c.expect("PRIMARY", "KEY");
  const primaryKey = c.capture(stop);
  const clauses: { clause: string; text: string }[] = [];
  let comment: string | undefined;
  while (!c.done()) {
    const word = ["SOURCE", "LAYOUT", "LIFETIME", "RANGE", "SETTINGS"].find((candidate) => c.at(candidate));
    if (word !== undefined) {
      if (clauses.some((clause) => clause.clause === word)) c.fail();
      c.index += 1;
      clauses.push({ clause: word, text: c.parenthesised() });
    } else if (c.accept("COMMENT")) {
      comment = c.string();
    } else c.fail("SOURCE, LAYOUT, LIFETIME, RANGE, SETTINGS or COMMENT");
  }
  for (const required of ["SOURCE", "LAYOUT", "LIFETIME"]) {
    if (!clauses.some((clause) => clause.clause === required)) c.fail(required);
  }
  return {
    type: "create_dictionary",
    orReplace,
    ifNotExists,
    name,
    columns: list.columns,
    primaryKey,
    clauses,
    ...(comment !== undefined ? { comment } : {}),
  };
}

function parseLiteral(c: Cursor): { value: string; kind: Setting["kind"] } {
  const token = c.peek();
  if (token?.type === "string") {
    c.index += 1;
    return { value: token.value, kind: "string" };
  }
  if (token?.type === "number") {
    c.index += 1;
    return { value: token.text, kind: "number" };
  }
  if (token?.text === "-" && c.peek(1)?.type === "number") {
    c.index += 2;
    return { value: `-${(c.peek(-1) as Token).text}`, kind: "number" };
  }
  if (isWord(token, "TRUE") || isWord(token, "FALSE")) {
    c.index += 1;
    return { value: (token as Token).text.toLowerCase(), kind: "bool" };
  }
  return c.fail("literal");
}

/**
 * `k = v, …` after SETTINGS. A comma not followed by `name =` ends the list, so that an ALTER's
 * next command (`MODIFY SETTING a = 1, MODIFY COMMENT '…'`) is left alone.
 */
function parseSettingList(c: Cursor): Setting[] {
  const settings: Setting[] = [];
  for (;;) {
    const key = c.name("setting name");
    c.expectPunct("=");
    const literal = parseLiteral(c);
    if (settings.some((setting) => setting.key === key)) throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Setting ${key} is given more than once`);
    settings.push({ key, ...literal });
    const next = c.peek(1);
    const after = c.peek(2);
    if (!(c.atPunct(",") && (next?.type === "identifier" || next?.type === "quoted_identifier") && after?.text === "=")) return settings;
    c.index += 1;
  }
}

function parseCollectionEntries(c: Cursor): NamedCollectionEntry[] {
  const entries: NamedCollectionEntry[] = [];
  do {
    const key = c.name("key");
    c.expectPunct("=");
    const value = { key, ...parseLiteral(c) };
    const overridable = c.accept("NOT", "OVERRIDABLE") ? false : c.accept("OVERRIDABLE") ? true : undefined;
    entries.push(overridable === undefined ? { key, value } : { key, value, overridable });
  } while (c.acceptPunct(","));
  return entries;
}

function parseDrop(c: Cursor): Statement {
  const targets: [string[], DropTarget][] = [
    [["STREAM"], "stream"],
    [["MUTABLE", "STREAM"], "stream"],
    [["VIEW"], "view"],
    [["MATERIALIZED", "VIEW"], "view"],
    [["EXTERNAL", "TABLE"], "external_table"],
    [["DICTIONARY"], "dictionary"],
    [["FUNCTION"], "function"],
    [["FORMAT", "SCHEMA"], "format_schema"],
    [["DATABASE"], "database"],
    [["TASK"], "task"],
    [["NAMED", "COLLECTION"], "named_collection"],
  ];
  const found = targets.find(([sequence]) => c.at(...sequence));
  if (found === undefined) {
    // `DROP EXTERNAL STREAM` is not the engine's syntax: external streams drop with DROP STREAM.
    return c.fail("STREAM, VIEW, EXTERNAL TABLE, DICTIONARY, FUNCTION, FORMAT SCHEMA, DATABASE, TASK or NAMED COLLECTION");
  }
  c.index += found[0].length;
  const target = found[1];
  const ifExists = c.accept("IF", "EXISTS");
  const global = target === "function" || target === "format_schema" || target === "named_collection" || target === "database";
  const name = global ? { name: globalName(c) } : c.qualified();
  if (target === "format_schema" && c.accept("TYPE")) c.name("Protobuf or Avro");
  const cascade = target === "database" && c.accept("CASCADE");
  if (c.accept("SETTINGS")) parseSettingList(c);
  return { type: "drop", target, ifExists, name, cascade };
}

const COMMAND_STOP: Stop = (token) => token.text === ",";

function parseAlter(c: Cursor): Statement {
  if (c.accept("NAMED", "COLLECTION")) {
    const name = globalName(c);
    const set: NamedCollectionEntry[] = [];
    const remove: string[] = [];
    if (c.accept("SET")) set.push(...parseCollectionEntries(c));
    if (c.accept("DELETE")) {
      remove.push(c.name("key"));
      while (c.acceptPunct(",")) remove.push(c.name("key"));
    }
    if (set.length + remove.length === 0) c.fail("SET or DELETE");
    return { type: "alter_named_collection", name, set, remove };
  }
  const target =
    c.accept("STREAM") || c.accept("TABLE")
      ? "stream"
      : c.accept("VIEW") || c.accept("MATERIALIZED", "VIEW")
        ? "view"
        : c.fail("STREAM or VIEW");
  const name = c.qualified();
  const commands: AlterCommand[] = [];
  do commands.push(parseAlterCommand(c));
  while (c.acceptPunct(","));
  return { type: "alter", target, name, commands };
}

function parseAlterCommand(c: Cursor): AlterCommand {
  if (c.accept("ADD", "COLUMN")) {
    const ifNotExists = c.accept("IF", "NOT", "EXISTS");
    const column = parseColumn(c);
    if (c.accept("FIRST")) return { op: "add_column", ifNotExists, column, first: true };
    if (c.accept("AFTER")) return { op: "add_column", ifNotExists, column, after: c.name("column name") };
    return { op: "add_column", ifNotExists, column };
  }
  if (c.accept("ADD", "INDEX")) {
    c.accept("IF", "NOT", "EXISTS");
    const index = parseIndexDefinition(c);
    return "columns" in index ? { op: "add_index", secondary: index } : { op: "add_index", skipping: index };
  }
  if (c.accept("DROP", "COLUMN")) {
    c.accept("IF", "EXISTS");
    return { op: "drop_column", name: c.name("column name") };
  }
  if (c.accept("DROP", "INDEX")) {
    c.accept("IF", "EXISTS");
    return { op: "drop_index", name: c.name("index name") };
  }
  if (c.accept("DROP", "PARTITION")) return { op: "drop_partition", partition: c.capture(COMMAND_STOP) };
  if (c.accept("RENAME", "COLUMN")) {
    c.accept("IF", "EXISTS");
    const from = c.name("column name");
    c.expect("TO");
    return { op: "rename_column", from, to: c.name("column name") };
  }
  if (c.accept("MODIFY", "COLUMN")) {
    const name = c.name("column name");
    c.capture(COMMAND_STOP, { optional: true });
    return { op: "modify_column", name };
  }
  if (c.accept("MODIFY", "TTL")) return { op: "modify_ttl", ttl: c.capture(COMMAND_STOP) };
  if (c.accept("REMOVE", "TTL")) return { op: "remove_ttl" };
  if (c.accept("MODIFY", "SETTING")) return { op: "modify_setting", settings: parseSettingList(c) };
  if (c.accept("RESET", "SETTING")) return { op: "reset_setting", keys: parseKeyList(c) };
  if (c.accept("MODIFY", "COMMENT")) return { op: "modify_comment", comment: c.string() };
  if (c.accept("MODIFY", "QUERY", "SETTING")) return { op: "modify_query_setting", settings: parseSettingList(c) };
  if (c.accept("RESET", "QUERY", "SETTING")) return { op: "reset_query_setting", keys: parseKeyList(c) };
  if (c.accept("MODIFY", "QUERY")) {
    // The query runs to the end of the statement: its commas are its own.
    const query = c.rest("SELECT query");
    return { op: "modify_query", query };
  }
  return c.fail(
    "ADD COLUMN, RENAME COLUMN, DROP COLUMN, MODIFY COLUMN, MODIFY TTL, MODIFY SETTING, RESET SETTING, MODIFY COMMENT, ADD INDEX, DROP INDEX, DROP PARTITION, MODIFY QUERY or MODIFY QUERY SETTING",
  );
}

function parseKeyList(c: Cursor): string[] {
  const keys = [c.name("setting name")];
  while (
    c.atPunct(",") &&
    (c.peek(1)?.type === "identifier" || c.peek(1)?.type === "quoted_identifier") &&
    c.peek(2)?.text !== "=" &&
    !isCommandStart(c, 1)
  ) {
    c.index += 1;
    keys.push(c.name("setting name"));
  }
  return keys;
}

function isCommandStart(c: Cursor, offset: number): boolean {
  return ["ADD", "DROP", "RENAME", "MODIFY", "RESET", "REMOVE"].some((word) => isWord(c.peek(offset), word));
}

function parseSystem(c: Cursor): Statement {
  const actions: [string, "pause" | "resume" | "abort" | "recover"][] = [
    ["PAUSE", "pause"],
    ["RESUME", "resume"],
    // The spelling before 2.7.
    ["UNPAUSE", "resume"],
    ["ABORT", "abort"],
    ["RECOVER", "recover"],
  ];
  const found = actions.find(([word]) => c.at(word, "MATERIALIZED", "VIEW"));
  if (found === undefined) {
    throw sqlError(SQL_CODES.NOT_IMPLEMENTED, "The built-in server answers only SYSTEM PAUSE|RESUME|ABORT|RECOVER MATERIALIZED VIEW");
  }
  c.index += 3;
  const names = [c.qualified()];
  while (c.acceptPunct(",")) names.push(c.qualified());
  const permanent = c.accept("PERMANENT");
  if (!c.accept("SYNC")) c.accept("ASYNC");
  return { type: "system_mv", action: found[1], names, permanent };
}

function parseRename(c: Cursor): Statement {
  c.expect("STREAM");
  const ifExists = c.accept("IF", "EXISTS");
  const pairs: { from: QualifiedName; to: QualifiedName }[] = [];
  do {
    const from = c.qualified();
    c.expect("TO");
    pairs.push({ from, to: c.qualified() });
  } while (c.acceptPunct(","));
  return { type: "rename", ifExists, pairs };
}

function parseShow(c: Cursor): { statement: Statement; settings: readonly Setting[] } {
  if (c.accept("CREATE")) {
    const kinds: [string[], ShowCreateTarget][] = [
      [["MATERIALIZED", "VIEW"], "view"],
      [["EXTERNAL", "STREAM"], "stream"],
      [["EXTERNAL", "TABLE"], "table"],
      [["MUTABLE", "STREAM"], "stream"],
      [["RANDOM", "STREAM"], "stream"],
      [["FORMAT", "SCHEMA"], "format_schema"],
      [["NAMED", "COLLECTION"], "named_collection"],
      [["STREAM"], "stream"],
      [["VIEW"], "view"],
      [["TABLE"], "table"],
      [["DICTIONARY"], "dictionary"],
      [["DATABASE"], "database"],
      [["FUNCTION"], "function"],
      [["TASK"], "task"],
    ];
    let target: ShowCreateTarget = "any";
    for (const [sequence, kind] of kinds) {
      // `SHOW CREATE task` names an object called task, not the kind.
      const following = c.peek(sequence.length);
      if (c.at(...sequence) && following !== undefined && !isWord(following, "SETTINGS")) {
        c.index += sequence.length;
        target = kind;
        break;
      }
    }
    const global = target === "function" || target === "format_schema" || target === "named_collection" || target === "database";
    const name = global ? { name: globalName(c) } : c.qualified();
    const settings = c.accept("SETTINGS") ? parseSettingList(c) : [];
    return { statement: { type: "show_create", target, name }, settings };
  }
  const lists: [string[], ShowListTarget][] = [
    [["STREAMS"], "streams"],
    [["TABLES"], "streams"],
    [["VIEWS"], "views"],
    [["FUNCTIONS"], "functions"],
    [["FORMAT", "SCHEMAS"], "format_schemas"],
    [["DATABASES"], "databases"],
    [["DICTIONARIES"], "dictionaries"],
    [["TASKS"], "tasks"],
  ];
  const found = lists.find(([sequence]) => c.at(...sequence));
  if (found === undefined) return c.fail("CREATE, STREAMS, VIEWS, FUNCTIONS, FORMAT SCHEMAS, DATABASES, DICTIONARIES or TASKS");
  c.index += found[0].length;
  const database = c.accept("FROM") || c.accept("IN") ? c.name("database name") : undefined;
  let like: string | undefined;
  if (c.accept("LIKE")) like = c.string("pattern");
  else if (c.accept("WHERE")) {
    c.expect("NAME");
    c.expect("LIKE");
    like = c.string("pattern");
  }
  const settings = c.accept("SETTINGS") ? parseSettingList(c) : [];
  return {
    statement: {
      type: "show_list",
      target: found[1],
      ...(database !== undefined ? { database } : {}),
      ...(like !== undefined ? { like } : {}),
    },
    settings,
  };
}

function parseSelect(c: Cursor): { statement: Select; settings: readonly Setting[] } {
  c.expect("SELECT");
  const items: SelectItem[] = [];
  do {
    if (c.acceptPunct("*")) {
      items.push({ label: "*" });
      continue;
    }
    const start = c.peek();
    const expr = parseExpr(c);
    const end = c.peek(-1) as Token;
    const label = c.accept("AS") ? c.name("alias") : c.sql.slice(start?.start ?? 0, end.end);
    items.push({ expr, label });
  } while (c.acceptPunct(","));
  const from = c.accept("FROM") ? c.qualified() : undefined;
  const where = c.accept("WHERE") ? parseExpr(c) : undefined;
  if (c.at("GROUP") || c.at("HAVING") || c.at("JOIN")) {
    throw sqlError(
      SQL_CODES.NOT_IMPLEMENTED,
      "The built-in server answers only simple SELECTs over system tables (no GROUP BY, HAVING or JOIN)",
    );
  }
  const orderBy: { expr: Expr; descending: boolean }[] = [];
  if (c.accept("ORDER", "BY")) {
    do {
      const expr = parseExpr(c);
      const descending = c.accept("DESC") ? true : (c.accept("ASC"), false);
      orderBy.push({ expr, descending });
    } while (c.acceptPunct(","));
  }
  const limit = c.accept("LIMIT") ? Number(c.integer()) : undefined;
  const settings = c.accept("SETTINGS") ? parseSettingList(c) : [];
  const statement: Select = {
    type: "select",
    items,
    ...(from !== undefined ? { from } : {}),
    ...(where !== undefined ? { where } : {}),
    orderBy,
    ...(limit !== undefined ? { limit } : {}),
  };
  return { statement, settings };
}

function parseExpr(c: Cursor): Expr {
  let left = parseAnd(c);
  while (c.accept("OR")) left = { kind: "binary", operator: "OR", left, right: parseAnd(c) };
  return left;
}

function parseAnd(c: Cursor): Expr {
  let left = parseNot(c);
  while (c.accept("AND")) left = { kind: "binary", operator: "AND", left, right: parseNot(c) };
  return left;
}

function parseNot(c: Cursor): Expr {
  if (c.accept("NOT")) return { kind: "not", operand: parseNot(c) };
  return parseComparison(c);
}

const COMPARISONS = new Set(["=", "==", "!=", "<>", "<", ">", "<=", ">="]);

function parseComparison(c: Cursor): Expr {
  const left = parsePrimary(c);
  const token = c.peek();
  if (token?.type === "operator" && COMPARISONS.has(token.text)) {
    c.index += 1;
    const operator = token.text === "==" ? "=" : token.text === "<>" ? "!=" : token.text;
    return { kind: "binary", operator, left, right: parsePrimary(c) };
  }
  const negated = c.at("NOT") && (isWord(c.peek(1), "LIKE") || isWord(c.peek(1), "ILIKE") || isWord(c.peek(1), "IN"));
  if (negated) c.index += 1;
  if (c.accept("LIKE")) return { kind: "like", negated, insensitive: false, operand: left, pattern: parsePrimary(c) };
  if (c.accept("ILIKE")) return { kind: "like", negated, insensitive: true, operand: left, pattern: parsePrimary(c) };
  if (c.accept("IN")) {
    c.expectPunct("(");
    const list: Expr[] = [];
    if (!c.atPunct(")")) {
      do list.push(parsePrimary(c));
      while (c.acceptPunct(","));
    }
    c.expectPunct(")");
    return { kind: "in", negated, operand: left, list };
  }
  if (negated) c.fail("LIKE or IN");
  return left;
}

function parsePrimary(c: Cursor): Expr {
  const token = c.peek();
  if (token === undefined) return c.fail("expression");
  if (token.text === "(" && token.type === "punctuation") {
    c.index += 1;
    const inner = parseExpr(c);
    c.expectPunct(")");
    return inner;
  }
  if (token.type === "string") {
    c.index += 1;
    return { kind: "literal", value: token.value };
  }
  if (token.type === "number" || (token.text === "-" && c.peek(1)?.type === "number")) {
    const literal = parseLiteral(c);
    return { kind: "literal", value: Number(literal.value) };
  }
  if (isWord(token, "TRUE") || isWord(token, "FALSE")) {
    c.index += 1;
    return { kind: "literal", value: isWord(token, "TRUE") };
  }
  if (isWord(token, "NULL")) {
    c.index += 1;
    return { kind: "literal", value: null };
  }
  if (token.type === "identifier" || token.type === "quoted_identifier") {
    c.index += 1;
    if (token.type === "identifier" && c.atPunct("(")) {
      c.index += 1;
      const args: Expr[] = [];
      if (!c.atPunct(")")) {
        do args.push(parseExpr(c));
        while (c.acceptPunct(","));
      }
      c.expectPunct(")");
      return { kind: "call", name: token.value.toLowerCase(), args };
    }
    let name = token.value;
    while (c.acceptPunct(".")) name = c.name("column name");
    return { kind: "column", name };
  }
  return c.fail("expression");
}

/**
 * Splits a SELECT's own trailing `SETTINGS k = v, …` (where an MV keeps its settings) from the
 * rest. A query without one, or whose last top-level SETTINGS is not a plain list to the end,
 * has no settings.
 */
export function splitQuerySettings(query: string): { select: string; settings: Setting[] } {
  let tokens: Token[];
  try {
    tokens = tokenizeSql(query).filter((token) => token.type !== "whitespace" && token.type !== "comment");
  } catch {
    return { select: query, settings: [] };
  }
  let depth = 0;
  let at = -1;
  for (const [index, token] of tokens.entries()) {
    if (token.text === "(" || token.text === "[") depth += 1;
    else if (token.text === ")" || token.text === "]") depth -= 1;
    else if (depth === 0 && isWord(token, "SETTINGS")) at = index;
  }
  if (at === -1) return { select: query, settings: [] };
  const cursor = new Cursor(query, tokens);
  cursor.index = at + 1;
  try {
    const settings = parseSettingList(cursor);
    if (!cursor.done()) return { select: query, settings: [] };
    return { select: query.slice(0, (tokens[at] as Token).start).trimEnd(), settings };
  } catch {
    return { select: query, settings: [] };
  }
}
