import type { JsonObject, JsonValue } from "../../model/index.js";
import { isAggregateFunction } from "../analyze.js";
import { canonicalizeSql } from "../canonical.js";
import { extractReferences } from "../references.js";
import { significantTokens, type Token } from "../tokenize.js";

/**
 * What the engine can change in place, for the field changes that only SQL can make without a drop
 * and create (docs/sql-driver.md, "In place over SQL"). Pure: the planner asks, per change, and
 * gets either the statement that will run or the reason a replace is needed.
 */
export type InPlaceVerdict = { readonly inPlace: true; readonly how: string } | { readonly inPlace: false; readonly why: string };

/**
 * A stream's columns over SQL. `ALTER STREAM … ADD COLUMN` appends (the docs give no FIRST or
 * AFTER), `DROP COLUMN` "is not supported yet", and no `MODIFY COLUMN` is documented: so only new
 * columns after the existing ones are in place. Columns come normalised by the caller (the diff's
 * comparison form: name, type, default, codec, TTL, index, comment).
 */
export function columnsVerdict(before: readonly JsonObject[], after: readonly JsonObject[]): InPlaceVerdict {
  const afterByName = new Map(after.map((column, index) => [String(column["name"]), { column, index }]));
  for (const [index, old] of before.entries()) {
    const name = String(old["name"]);
    const found = afterByName.get(name);
    if (found === undefined) {
      return { inPlace: false, why: `removing column ${name} cannot be done in place (the engine has no DROP COLUMN)` };
    }
    const changed = Object.keys({ ...old, ...found.column }).find((key) => !sameValue(old[key], found.column[key]));
    if (changed !== undefined) {
      return {
        inPlace: false,
        why: `changing the ${ATTRIBUTE_TEXT[changed] ?? changed} of column ${name} cannot be done in place (the engine has no MODIFY COLUMN)`,
      };
    }
    if (found.index !== index) {
      const moved = String(after[index]?.["name"]);
      return {
        inPlace: false,
        why: `${before.some((column) => column["name"] === moved) ? "moving" : "adding"} column ${moved} there cannot be done in place (ADD COLUMN only appends)`,
      };
    }
  }
  const added = after.slice(before.length);
  const indexed = added.find(
    (column) => typeof column["skipping_index_expression"] === "string" && column["skipping_index_expression"] !== "",
  );
  if (indexed !== undefined) {
    return { inPlace: false, why: `adding column ${String(indexed["name"])} with a skipping index cannot be done in place` };
  }
  return { inPlace: true, how: `ALTER STREAM … ADD COLUMN ${added.map((column) => String(column["name"])).join(", ")}` };
}

const ATTRIBUTE_TEXT: Readonly<Record<string, string>> = {
  type: "type",
  default: "default",
  codec: "codec",
  comment: "comment",
  ttl_expression: "TTL",
  skipping_index_expression: "skipping index",
};

function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return (a ?? "") === (b ?? "");
}

/**
 * A materialized view's query over SQL: `ALTER VIEW … MODIFY QUERY` keeps the view and its state
 * if the new query is backward compatible with it (docs `sql-alter-view`, `materialized-view`):
 * the old output columns stay, in their order; new ones come after them and must be columns of the
 * target stream; an aggregate cannot be removed or swapped under its alias; a streaming join
 * cannot gain columns yet; `preferred_exec_node` cannot change after creation. Other query
 * settings change with the query.
 */
export function queryVerdict(before: string, after: string, options: { readonly hasTarget: boolean }): InPlaceVerdict {
  const old = outputShape(before);
  const next = outputShape(after);
  if (old === undefined || next === undefined) {
    return { inPlace: false, why: "tpctl cannot tell whether the new query keeps the output columns of the old one" };
  }
  // Not in the docs, so the strict side: the view's checkpoints hold its positions in what it reads.
  const [readBefore, readAfter] = [relationsOf(before), relationsOf(after)];
  const newlyRead = readAfter.filter((relation) => !readBefore.includes(relation));
  const noLongerRead = readBefore.filter((relation) => !readAfter.includes(relation));
  if (newlyRead.length > 0 || noLongerRead.length > 0) {
    const change = [...newlyRead.map((relation) => `+${relation}`), ...noLongerRead.map((relation) => `-${relation}`)].join(", ");
    return {
      inPlace: false,
      why: `changing what the view reads (${change}) cannot be done in place (its checkpoints hold its positions in what it reads)`,
    };
  }
  if (old.settings.get("preferred_exec_node") !== next.settings.get("preferred_exec_node")) {
    return { inPlace: false, why: "changing preferred_exec_node cannot be done in place (it is fixed when the view is created)" };
  }
  const nextByName = new Map(next.columns.map((column, index) => [column.name, { column, index }]));
  for (const [index, column] of old.columns.entries()) {
    const found = nextByName.get(column.name);
    if (found === undefined) {
      return { inPlace: false, why: `removing output column ${column.name} cannot be done in place (the view's state and target keep it)` };
    }
    if (found.index !== index) {
      return { inPlace: false, why: `moving output column ${column.name} cannot be done in place (the output keeps its column order)` };
    }
    if (found.column.expression !== column.expression && (found.column.aggregates || column.aggregates)) {
      return {
        inPlace: false,
        why: `changing the aggregate behind output column ${column.name} cannot be done in place (the view's state holds the old one)`,
      };
    }
  }
  const added = next.columns.slice(old.columns.length);
  if (added.length > 0 && !options.hasTarget) {
    return {
      inPlace: false,
      why: `adding output column ${added[0]?.name} cannot be done in place for a materialized view without target_stream`,
    };
  }
  if (added.length > 0 && (old.joins || next.joins)) {
    return { inPlace: false, why: `adding output column ${added[0]?.name} to a streaming join cannot be done in place` };
  }
  return { inPlace: true, how: "ALTER VIEW … MODIFY QUERY, which keeps the view's state" };
}

/**
 * A rename over SQL: `RENAME STREAM` keeps the stream and its data, but the engine refuses it while
 * a view or materialized view reads or writes the stream (630 HAVE_DEPENDENT_OBJECTS, docs
 * `sql-rename-stream`). `readers` are the addresses of those.
 */
export function renameVerdict(readers: readonly string[]): InPlaceVerdict {
  if (readers.length === 0) return { inPlace: true, how: "RENAME STREAM, which keeps its data" };
  return {
    inPlace: false,
    why: `the engine renames no stream that something reads or writes (630), and ${readers.join(", ")} ${readers.length === 1 ? "does" : "do"}`,
  };
}

function relationsOf(query: string): readonly string[] {
  try {
    return extractReferences(query).relations;
  } catch {
    return [];
  }
}

interface OutputColumn {
  readonly name: string;
  /** The canonical text of the expression. */
  readonly expression: string;
  /** The expression calls an aggregate function: the view holds state for it. */
  readonly aggregates: boolean;
}

interface OutputShape {
  readonly columns: readonly OutputColumn[];
  readonly settings: ReadonlyMap<string, string>;
  readonly joins: boolean;
}

const CLAUSE_END = new Set(["FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "SETTINGS", "EMIT", "UNION", "WINDOW", "PARTITION"]);

/**
 * The output columns of the outermost SELECT (name: its alias, a plain column's name, or the
 * expression's text, as the engine names it), its trailing SETTINGS and whether it joins.
 * Undefined for what tokens cannot tell (no SELECT, a UNION).
 */
function outputShape(query: string): OutputShape | undefined {
  let tokens: Token[];
  try {
    tokens = significantTokens(query);
  } catch {
    return undefined;
  }
  const depths: number[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.text === ")" || token.text === "]") depth -= 1;
    depths.push(depth);
    if (token.text === "(" || token.text === "[") depth += 1;
  }
  const top = (index: number, word: string): boolean =>
    depths[index] === 0 && tokens[index]?.type === "keyword" && tokens[index]?.value === word;
  if (tokens.some((_, index) => top(index, "UNION"))) return undefined;
  const select = tokens.findIndex((_, index) => top(index, "SELECT"));
  if (select < 0) return undefined;
  let start = select + 1;
  while (top(start, "DISTINCT") || top(start, "ALL")) start += 1;
  const items: Token[][] = [[]];
  let end = start;
  for (; end < tokens.length; end++) {
    const token = tokens[end] as Token;
    if (depths[end] === 0 && (token.text === ";" || (token.type === "keyword" && CLAUSE_END.has(token.value)))) break;
    if (depths[end] === 0 && token.text === ",") items.push([]);
    else items.at(-1)?.push(token);
  }
  const columns: OutputColumn[] = [];
  for (const item of items) {
    const column = outputColumn(item, query);
    if (column === undefined) return undefined;
    columns.push(column);
  }
  const settings = new Map<string, string>();
  const at = tokens.findLastIndex((_, index) => top(index, "SETTINGS"));
  if (at >= 0) {
    // `k = v, …` to the end; a value may be more than one token (`-1`).
    let entry: Token[] = [];
    const flush = (): void => {
      if (entry.length >= 3 && entry[1]?.text === "=") {
        settings.set(
          (entry[0] as Token).value.toLowerCase(),
          entry
            .slice(2)
            .map((token) => token.value)
            .join(""),
        );
      }
      entry = [];
    };
    for (let index = at + 1; index < tokens.length && tokens[index]?.text !== ";"; index++) {
      if (depths[index] === 0 && tokens[index]?.text === ",") flush();
      else entry.push(tokens[index] as Token);
    }
    flush();
  }
  return { columns, settings, joins: tokens.some((_, index) => top(index, "JOIN")) };
}

function outputColumn(item: readonly Token[], query: string): OutputColumn | undefined {
  let expression = item;
  let alias: string | undefined;
  const last = item.at(-1);
  const beforeLast = item.at(-2);
  if (item.length >= 3 && beforeLast?.type === "keyword" && beforeLast.value === "AS" && isName(last)) {
    alias = last.value;
    expression = item.slice(0, -2);
  } else if (item.length >= 2 && isName(last) && beforeLast !== undefined && endsOperand(beforeLast)) {
    alias = last.value;
    expression = item.slice(0, -1);
  }
  const first = expression[0];
  const final = expression.at(-1);
  if (first === undefined || final === undefined) return undefined;
  const text = canonicalizeSql(query.slice(first.start, final.end));
  const plain = expression.every((token, index) => (index % 2 === 0 ? isName(token) : token.text === ".")) && expression.length % 2 === 1;
  const aggregates = expression.some(
    // `any` is a keyword as well as an aggregate.
    (token, index) =>
      (token.type === "keyword" || isName(token)) && expression[index + 1]?.text === "(" && isAggregateFunction(token.value),
  );
  return { name: alias ?? (plain ? final.value : text), expression: text, aggregates };
}

function isName(token: Token | undefined): token is Token {
  return token?.type === "identifier" || token?.type === "quoted_identifier";
}

function endsOperand(token: Token): boolean {
  return ["identifier", "quoted_identifier", "number", "string"].includes(token.type) || token.text === ")" || token.text === "]";
}
