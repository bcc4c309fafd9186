import { matchBrackets } from "./brackets.js";
import { extractReferences } from "./references.js";
import { significantTokens, type Token } from "./tokenize.js";

/** What a relation the query reads looks like, for typing required columns. */
export interface RelationInfo {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** A view or materialized view (the analysis marks columns read from those). */
  readonly isView: boolean;
}

export interface AnalyzedColumn {
  readonly column: string;
  readonly column_type: string;
  readonly database: string;
  readonly is_view: boolean;
  readonly table: string;
}

/** The seed spec's SQLAnalyzeResult, as far as tokens can tell it. */
export interface SqlAnalysis {
  readonly group_by_columns: readonly string[];
  readonly has_aggr: boolean;
  readonly has_subquery: boolean;
  readonly has_table_join: boolean;
  readonly has_union: boolean;
  readonly is_streaming: boolean;
  readonly original_query: string;
  readonly query_type: string;
  readonly required_columns: readonly AnalyzedColumn[];
  readonly relations: readonly string[];
  readonly rewritten_query: string;
}

// Aggregate functions of the Timeplus function reference (the common ones, by their snake_case names).
const AGGREGATES = new Set([
  "count",
  "count_distinct",
  "count_if",
  "sum",
  "sum_if",
  "avg",
  "min",
  "max",
  "min_k",
  "max_k",
  "arg_min",
  "arg_max",
  "any",
  "any_last",
  "unique",
  "unique_exact",
  "top_k",
  "group_array",
  "group_uniq_array",
  "latest",
  "earliest",
  "p90",
  "p95",
  "p99",
  "quantile",
  "median",
  "stddev_pop",
  "stddev_samp",
  "var_pop",
  "var_samp",
  "moving_sum",
  "lag",
  "lags",
  "first_value",
  "last_value",
  "histogram",
  "uniq",
  "uniq_exact",
  "group_concat",
]);

/** A call of this function aggregates (its state lives in a streaming query), by the names above. */
export function isAggregateFunction(name: string): boolean {
  return AGGREGATES.has(name.toLowerCase());
}

/**
 * The analysis `POST /sqlanalyze` answers with, from the query's tokens: what it reads
 * (`required_columns`: the columns of each relation read that the query names, or all of them for
 * `*`), whether it aggregates, joins, unions or nests, its GROUP BY items, and whether it streams
 * (it does unless every relation is read through `table(...)`, Timeplus's historical read).
 * `describe` gives the columns of a relation the workspace has; `database` is where they live.
 *
 * @throws {SqlSyntaxError} when the SQL cannot be tokenized.
 */
export function analyzeSql(sql: string, describe: (relation: string) => RelationInfo | undefined, database: string): SqlAnalysis {
  const tokens = significantTokens(sql);
  const { relations, functions } = extractReferences(sql);
  const names = new Set(
    tokens.filter((token) => token.type === "identifier" || token.type === "quoted_identifier").map((token) => token.value),
  );
  const star = tokens.some((token, index) => token.type === "operator" && token.text === "*" && isStarColumn(tokens, index));
  const required: AnalyzedColumn[] = [];
  for (const relation of relations) {
    const info = describe(relation);
    for (const column of info?.columns ?? []) {
      if (star || names.has(column.name)) {
        required.push({ column: column.name, column_type: column.type, database, is_view: info?.isView ?? false, table: relation });
      }
    }
  }
  const keywords = tokens.filter((token) => token.type === "keyword").map((token) => token.value);
  const groupBy = groupByItems(sql, tokens);
  return {
    group_by_columns: groupBy,
    has_aggr: groupBy.length > 0 || functions.some((name) => AGGREGATES.has(name.toLowerCase())),
    has_subquery: tokens.some((token, index) => token.text === "(" && index > 0 && tokens[index + 1]?.value === "SELECT"),
    has_table_join: keywords.includes("JOIN"),
    has_union: keywords.includes("UNION"),
    is_streaming: relations.length > 0 && !readsOnlyHistorically(tokens),
    original_query: sql,
    query_type: "SELECT",
    required_columns: required,
    relations,
    rewritten_query: sql,
  };
}

/** `*` in a select list (`SELECT *`, `t.*`, `count(*)` does not count). */
function isStarColumn(tokens: readonly Token[], index: number): boolean {
  const before = tokens[index - 1];
  return before?.value === "SELECT" || before?.text === "," || (before?.text === "." && tokens[index - 3]?.text !== "(");
}

/** Every FROM/JOIN item is `table(...)`: a bounded, historical read. */
function readsOnlyHistorically(tokens: readonly Token[]): boolean {
  let items = 0;
  let historical = 0;
  tokens.forEach((token, index) => {
    if (token.type !== "keyword" || (token.value !== "FROM" && token.value !== "JOIN")) return;
    const next = tokens[index + 1];
    if (next === undefined || next.text === "(") return;
    if (next.type !== "identifier" && next.type !== "quoted_identifier") return;
    items++;
    if (next.value.toLowerCase() === "table" && tokens[index + 2]?.text === "(") historical++;
  });
  return items > 0 && items === historical;
}

const AFTER_GROUP_BY = new Set(["HAVING", "ORDER", "LIMIT", "SETTINGS", "EMIT", "UNION", "WINDOW", "QUALIFY", "FORMAT", "WITH"]);

/** The items of the outermost GROUP BY, as written. */
function groupByItems(sql: string, tokens: readonly Token[]): string[] {
  const { match } = matchBrackets(tokens);
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.text === "(" || token.text === "[") depth++;
    if (token.text === ")" || token.text === "]") depth--;
    if (depth !== 0 || token.value !== "GROUP" || tokens[i + 1]?.value !== "BY") continue;
    const items: string[] = [];
    let start = i + 2;
    let j = start;
    for (; j < tokens.length; j++) {
      const item = tokens[j] as Token;
      if (item.type === "keyword" && AFTER_GROUP_BY.has(item.value)) break;
      if (item.text === ";" || item.text === ")") break;
      if (item.text === "(" || item.text === "[") {
        j = match[j] === -1 ? tokens.length - 1 : (match[j] as number);
        continue;
      }
      if (item.text === ",") {
        items.push(text(sql, tokens, start, j));
        start = j + 1;
      }
    }
    if (j > start) items.push(text(sql, tokens, start, j));
    return items.filter((item) => item !== "");
  }
  return [];
}

function text(sql: string, tokens: readonly Token[], from: number, to: number): string {
  const first = tokens[from];
  const last = tokens[to - 1];
  return first && last ? sql.slice(first.start, last.end) : "";
}
