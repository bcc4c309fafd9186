import type { JsonObject, JsonValue } from "../model/index.js";
import { isJsonObject } from "../model/index.js";
import { extractQualifiedRelations, extractReferences, matchBrackets, SqlSyntaxError, tokenizeSql, type Token } from "../sql/index.js";
import { memoizeByText } from "../sql/memo.js";
import { ENGINE_CODES, engineError } from "./errors.js";

/**
 * The engine's first look at a view or MV query: it must parse (62 SYNTAX_ERROR otherwise).
 * Returns the relations it reads, which the caller checks exist (60 UNKNOWN_STREAM).
 * A full parser is out of reach; these are the failures a manifest author actually makes.
 */
export function checkQuery(query: string): { readonly relations: readonly string[] } {
  let tokens: Token[];
  try {
    tokens = significant(tokenizeSql(query));
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw syntaxError(error.message);
    throw error;
  }
  if (tokens[0] === undefined) throw syntaxError("Syntax error: empty query");
  // `(SELECT 1) UNION ALL (SELECT 2)`: a query may open with any number of parentheses.
  const first = tokens.find((token) => !(token.type === "punctuation" && token.text === "(")) ?? tokens[0];
  if (!(first.type === "keyword" && (first.value === "SELECT" || first.value === "WITH"))) {
    throw syntaxError(`Syntax error at position ${first.start} ('${first.text}'): the query must start with SELECT or WITH`);
  }
  const problem = matchBrackets(tokens).problems[0];
  if (problem) {
    const { token } = problem;
    throw syntaxError(
      `Syntax error at position ${token.start} ('${token.text}'): unbalanced parentheses${problem.problem === "unclosed" ? ", never closed" : ""}`,
    );
  }
  const semicolon = tokens.findIndex((token) => token.type === "punctuation" && token.text === ";");
  if (semicolon >= 0 && semicolon < tokens.length - 1) {
    throw syntaxError(`Syntax error at position ${(tokens[semicolon] as Token).start} (';'): multi-statements are not allowed`);
  }
  return { relations: catalogRelations(query) };
}

/**
 * The catalog keys of the relations a query reads: a bare or `default.` name is the object in
 * default, `db.name` the one in database db (server/sql/format.ts `catalogKey`).
 */
function catalogRelations(query: string): readonly string[] {
  return [...new Set(extractQualifiedRelations(query).map((name) => (name.startsWith("default.") ? name.slice("default.".length) : name)))];
}

/**
 * Relations a stored query reads; a query that no longer tokenises reads nothing. Remembered by
 * text: every topology request and every write's dependency check asks again for each object.
 */
export const relationsOf = memoizeByText((query: string): readonly string[] => {
  try {
    return Object.freeze(catalogRelations(query));
  } catch {
    return Object.freeze([]);
  }
});

/** Functions a stored query calls (UDF candidates); a query that no longer tokenises calls nothing. Remembered as relationsOf. */
export const functionsOf = memoizeByText((query: string): readonly string[] => {
  try {
    return Object.freeze([...extractReferences(query).functions]);
  } catch {
    return Object.freeze([]);
  }
});

function syntaxError(message: string): Error {
  return engineError(ENGINE_CODES.SYNTAX_ERROR, message);
}

function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((token) => token.type !== "whitespace" && token.type !== "comment");
}

/** Columns of a relation the query reads, or undefined when it is unknown. */
export type ColumnLookup = (relation: string) => readonly JsonValue[] | undefined;

const CLAUSE_END = new Set([
  "FROM",
  "WHERE",
  "GROUP",
  "ORDER",
  "LIMIT",
  "SETTINGS",
  "UNION",
  "EMIT",
  "HAVING",
  "WINDOW",
  "QUALIFY",
  "FORMAT",
  "INTO",
  "PARTITION",
  "EXCEPT",
  "INTERSECT",
  "PREWHERE",
]);
const RELATION_FUNCTIONS = new Set(["table", "tumble", "hop", "session", "dedup", "changelog"]);
const WINDOW_FUNCTIONS = new Set(["tumble", "hop", "session"]);
const WINDOW_COLUMN_TYPE = "datetime64(3, 'UTC')";

/**
 * The `columns` a view reads back with, best effort: the names and aliases of the main SELECT
 * list; `*` expands to the columns of the relation read; a plain column keeps its type there,
 * `count()` is uint64, window bounds of tumble/hop/session are datetime64(3, 'UTC'), and anything
 * else is "string" (docs/fidelity.md). Never throws: a query it cannot follow gets no columns.
 */
export function deriveColumns(query: string, lookup: ColumnLookup): JsonObject[] {
  try {
    return deriveColumnsUnsafe(significant(tokenizeSql(query)), query, lookup);
  } catch {
    return [];
  }
}

function deriveColumnsUnsafe(tokens: readonly Token[], query: string, lookup: ColumnLookup): JsonObject[] {
  const select = mainSelect(tokens);
  if (select === undefined) return [];
  let start = select + 1;
  while (isKeyword(tokens[start], "DISTINCT") || isKeyword(tokens[start], "ALL")) start += 1;

  const items: (readonly Token[])[] = [];
  let current: Token[] = [];
  let depth = 0;
  let end = start;
  for (; end < tokens.length; end++) {
    const token = tokens[end] as Token;
    if (depth === 0 && (isPunct(token, ";") || (token.type === "keyword" && CLAUSE_END.has(token.value)))) break;
    if (isPunct(token, "(") || isPunct(token, "[")) depth += 1;
    if (isPunct(token, ")") || isPunct(token, "]")) depth -= 1;
    if (depth === 0 && isPunct(token, ",")) {
      items.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) items.push(current);

  const source = isKeyword(tokens[end], "FROM") ? readSource(tokens, end + 1) : undefined;
  const sourceColumns = (source ? lookup(source.name) : undefined)?.filter(isColumn) ?? [];
  const columns: JsonObject[] = [];
  for (const item of items) {
    columns.push(...itemColumns(item, query, sourceColumns, source?.windowed ?? false));
  }
  return columns;
}

function itemColumns(item: readonly Token[], query: string, sourceColumns: readonly JsonObject[], windowed: boolean): JsonObject[] {
  let expression = item;
  let alias: string | undefined;
  const last = item.at(-1);
  const beforeLast = item.at(-2);
  if (item.length >= 3 && isKeyword(beforeLast, "AS") && isName(last)) {
    alias = last.value;
    expression = item.slice(0, -2);
  } else if (item.length >= 2 && isName(last) && beforeLast !== undefined && endsOperand(beforeLast)) {
    alias = last.value;
    expression = item.slice(0, -1);
  }

  const first = expression[0];
  const final = expression.at(-1);
  if (first === undefined || final === undefined) return [];
  if (
    alias === undefined &&
    final.type === "operator" &&
    final.text === "*" &&
    (expression.length === 1 || isPunct(expression.at(-2), "."))
  ) {
    return sourceColumns.map((known) => column(String(known["name"]), String(known["type"] ?? "string")));
  }

  const plainName = dottedName(expression);
  if (plainName !== undefined) {
    const known = sourceColumns.find((column) => column["name"] === plainName);
    if (known) return [column(alias ?? plainName, String(known["type"] ?? "string"))];
    const type = windowed && (plainName === "window_start" || plainName === "window_end") ? WINDOW_COLUMN_TYPE : "string";
    return [column(alias ?? plainName, type)];
  }
  const isCount = expression.length >= 3 && isName(first) && first.value.toLowerCase() === "count" && isPunct(expression[1], "(");
  return [column(alias ?? query.slice(first.start, final.end), isCount ? "uint64" : "string")];
}

function column(name: string, type: string): JsonObject {
  return { name, type, default: "", codec: "", nullable: type.toLowerCase().startsWith("nullable(") };
}

/** Index of the SELECT keyword of the outermost query, after any WITH clause. */
function mainSelect(tokens: readonly Token[]): number | undefined {
  let depth = 0;
  for (const [index, token] of tokens.entries()) {
    if (isPunct(token, "(")) depth += 1;
    else if (isPunct(token, ")")) depth -= 1;
    else if (depth === 0 && isKeyword(token, "SELECT")) return index;
  }
  return undefined;
}

/** The relation after FROM: `name`, `db.name`, or the first argument of tumble()/hop()/table()/…. */
function readSource(tokens: readonly Token[], start: number): { name: string; windowed: boolean } | undefined {
  const first = tokens[start];
  if (!isName(first)) return undefined;
  if (isPunct(tokens[start + 1], "(")) {
    const fn = first.value.toLowerCase();
    if (!RELATION_FUNCTIONS.has(fn)) return undefined;
    const inner = readSource(tokens, start + 2);
    if (inner === undefined) {
      const argument = tokens[start + 2];
      return isName(argument) ? { name: lastPart(tokens, start + 2), windowed: WINDOW_FUNCTIONS.has(fn) } : undefined;
    }
    return { name: inner.name, windowed: inner.windowed || WINDOW_FUNCTIONS.has(fn) };
  }
  return { name: lastPart(tokens, start), windowed: false };
}

function lastPart(tokens: readonly Token[], start: number): string {
  let index = start;
  while (isPunct(tokens[index + 1], ".") && isName(tokens[index + 2])) index += 2;
  return (tokens[index] as Token).value;
}

/** `name` or `t.name`: the column name; anything else: undefined. */
function dottedName(expression: readonly Token[]): string | undefined {
  if (expression.length % 2 === 0) return undefined;
  for (const [index, token] of expression.entries()) {
    if (index % 2 === 0 ? !isName(token) : !isPunct(token, ".")) return undefined;
  }
  return (expression.at(-1) as Token).value;
}

function isColumn(value: JsonValue): value is JsonObject {
  return isJsonObject(value) && typeof value["name"] === "string";
}

function endsOperand(token: Token): boolean {
  return ["identifier", "quoted_identifier", "number", "string"].includes(token.type) || isPunct(token, ")") || isPunct(token, "]");
}

function isKeyword(token: Token | undefined, word: string): boolean {
  return token?.type === "keyword" && token.value === word;
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.type === "punctuation" && token.text === text;
}

function isName(token: Token | undefined): token is Token {
  return token?.type === "identifier" || token?.type === "quoted_identifier";
}
