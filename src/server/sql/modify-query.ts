import { tokenizeSql, type Token } from "../../sql/tokenize.js";
import { sqlError, notImplemented, SQL_CODES } from "./errors.js";
import { splitQuerySettings } from "./parser.js";

/**
 * `ALTER VIEW mv MODIFY QUERY` keeps the view and its state, so the engine takes only a query
 * backward compatible with the old one (docs `sql-alter-view`, `materialized-view`): the old output
 * columns stay in their order, new ones come after them and must be columns of the target stream,
 * an aggregate is not removed or swapped under its alias, a streaming join gains no columns, and
 * `preferred_exec_node` cannot change after creation. The rest is 48 NOT_IMPLEMENTED (the engine's
 * code for an ALTER it does not support; the docs give none for these cases, docs/fidelity.md).
 */
export function checkModifyQuery(
  before: string,
  after: string,
  target: { readonly name: string; readonly columns: readonly string[] } | undefined,
): void {
  const old = shapeOf(before);
  const next = shapeOf(after);
  if (old === undefined || next === undefined) return; // nothing to hold it against
  if (setting(before, "preferred_exec_node") !== setting(after, "preferred_exec_node")) {
    throw notImplemented("preferred_exec_node of a materialized view cannot be changed after it is created");
  }
  for (const [index, column] of old.columns.entries()) {
    const found = next.columns.findIndex((candidate) => candidate.name === column.name);
    if (found < 0) throw notImplemented(`Removing column ${column.name} from a materialized view's query is not supported`);
    if (found !== index) throw notImplemented(`The columns of a materialized view's query must keep their order: ${column.name} moved`);
    const now = next.columns[found];
    if (now !== undefined && now.expression !== column.expression && (now.aggregates || column.aggregates)) {
      throw notImplemented(`Replacing the aggregate of column ${column.name} is not supported: the materialized view's state holds it`);
    }
  }
  const added = next.columns.slice(old.columns.length);
  if (added.length === 0) return;
  if (old.joins || next.joins) throw notImplemented("Adding new joined columns to a streaming join materialized view is not supported yet");
  if (target === undefined) {
    throw notImplemented(`Adding column ${added[0]?.name} to a materialized view without a target stream is not supported`);
  }
  for (const column of added) {
    if (!target.columns.includes(column.name)) {
      throw sqlError(SQL_CODES.NO_SUCH_COLUMN_IN_STREAM, `Column ${column.name} is not a column of target stream ${target.name}`);
    }
  }
}

interface Shape {
  readonly columns: readonly { readonly name: string; readonly expression: string; readonly aggregates: boolean }[];
  readonly joins: boolean;
}

// The common aggregate functions of the Timeplus function reference.
const AGGREGATES = new Set(
  "count count_distinct count_if sum sum_if avg avg_if min max min_k max_k arg_min arg_max any any_last unique unique_exact top_k group_array group_uniq_array latest earliest p90 p95 p99 quantile median stddev_pop stddev_samp var_pop var_samp moving_sum histogram uniq uniq_exact group_concat".split(
    " ",
  ),
);
const ITEM_END = new Set(["FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "SETTINGS", "EMIT", "WINDOW"]);

/** The outermost SELECT list: each item's name (alias, column, or its text without spaces). */
function shapeOf(query: string): Shape | undefined {
  let tokens: Token[];
  try {
    tokens = tokenizeSql(query).filter((token) => token.type !== "whitespace" && token.type !== "comment");
  } catch {
    return undefined;
  }
  let depth = 0;
  let inSelect = false;
  let joins = false;
  const items: Token[][] = [];
  for (const token of tokens) {
    const keyword = token.type === "keyword" ? token.value : "";
    if (token.text === ")" || token.text === "]") depth -= 1;
    if (depth === 0) {
      if (keyword === "UNION") return undefined;
      if (keyword === "JOIN") joins = true;
      if (keyword === "SELECT" && items.length === 0) {
        inSelect = true;
        items.push([]);
      } else if (inSelect && ITEM_END.has(keyword)) {
        inSelect = false;
      } else if (inSelect && token.text === ",") {
        items.push([]);
      } else if (inSelect && !(items.at(-1)?.length === 0 && (keyword === "DISTINCT" || keyword === "ALL"))) {
        items.at(-1)?.push(token);
      }
    } else if (inSelect) {
      items.at(-1)?.push(token);
    }
    if (token.text === "(" || token.text === "[") depth += 1;
  }
  if (items.length === 0) return undefined;
  const columns = items.map((item) => {
    const named = item.length >= 2 && isName(item.at(-1)) && (item.length === 2 || item.at(-2)?.value === "AS");
    const expression = named ? item.slice(0, item.at(-2)?.value === "AS" ? -2 : -1) : item;
    const text = expression.map((token) => (token.type === "keyword" ? token.value : token.text)).join("");
    const plain = expression.length > 0 && isName(expression.at(-1)) && expression.every((token) => isName(token) || token.text === ".");
    const name = named ? (item.at(-1) as Token).value : plain ? (expression.at(-1) as Token).value : text;
    const aggregates = expression.some(
      (token, index) =>
        (isName(token) || token.type === "keyword") && expression[index + 1]?.text === "(" && AGGREGATES.has(token.value.toLowerCase()),
    );
    return { name, expression: text, aggregates };
  });
  return { columns, joins };
}

function setting(query: string, key: string): string | undefined {
  return splitQuerySettings(query).settings.find((item) => item.key === key)?.value;
}

function isName(token: Token | undefined): boolean {
  return token?.type === "identifier" || token?.type === "quoted_identifier";
}
