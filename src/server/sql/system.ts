import { createHash } from "node:crypto";
import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonArray, isJsonObject } from "../../model/index.js";
import { type Catalog, linksOf } from "../catalog.js";
import { INGEST_FIELD } from "../runtime.js";
import type { Expr, Select } from "./ast.js";
import { SQL_CODES, sqlError } from "./errors.js";
import { splitCatalogKey } from "./format.js";
import {
  DEFAULT_DATABASE,
  showCreateDictionary,
  showCreateExternal,
  showCreateFunction,
  showCreateNamedCollection,
  showCreateStream,
  showCreateView,
  SQL_KINDS,
} from "./objects.js";

/** A result set: typed columns and rows in column order. */
export interface Rows {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly JsonValue[])[];
}

type Row = Readonly<Record<string, JsonValue>>;

interface Table {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly Row[];
}

/** Relation kinds in the order system.tables lists them, with their engine names. */
const RELATION_ENGINES: readonly { readonly kind: string; readonly engine: (record: JsonObject) => string }[] = [
  { kind: "stream", engine: (record) => (typeof record["engine"] === "string" && record["engine"] !== "" ? record["engine"] : "Stream") },
  { kind: "view", engine: () => "View" },
  { kind: "materialized_view", engine: () => "MaterializedView" },
  { kind: "external_stream", engine: () => "ExternalStream" },
  { kind: "external_table", engine: () => "ExternalTable" },
  { kind: SQL_KINDS.dictionary, engine: () => "Dictionary" },
];

/** The engine's name for the object a catalog record is (`Stream`, `View`, …). */
export function engineOf(kind: string, record: JsonObject): string {
  return RELATION_ENGINES.find((entry) => entry.kind === kind)?.engine(record) ?? kind;
}

/** SHOW CREATE text of any relation-like record. */
export function createQueryOf(kind: string, record: JsonObject): string {
  switch (kind) {
    case "stream":
      return showCreateStream(record);
    case "view":
      return showCreateView(record, false);
    case "materialized_view":
      return showCreateView(record, true);
    case "external_stream":
      return showCreateExternal(record, "stream");
    case "external_table":
      return showCreateExternal(record, "table");
    case SQL_KINDS.dictionary:
      return showCreateDictionary(record);
    default:
      return "";
  }
}

function ingestedRows(record: JsonObject): number {
  const counts = record[INGEST_FIELD];
  return isJsonObject(counts) && typeof counts["rows"] === "number" ? counts["rows"] : 0;
}

/** A stable UUID-shaped id per object, since records carry none. */
function uuidOf(kind: string, record: JsonObject): string {
  const hex = createHash("sha1")
    .update(`${kind}\u0000${String(record["name"])}\u0000${String(record["created_at"] ?? "")}`)
    .digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const texts = new WeakMap<JsonObject, { readonly uuid: string; readonly createQuery: string }>();

/**
 * A record's uuid and SHOW CREATE text, which depend on it alone: kept per record (a stored record
 * never changes; an update replaces it), since every read of a 10,000-object workspace over SQL
 * hashed and rendered them all again.
 */
function textsOf(kind: string, record: JsonObject): { readonly uuid: string; readonly createQuery: string } {
  let known = texts.get(record);
  if (!known) {
    known = { uuid: uuidOf(kind, record), createQuery: createQueryOf(kind, record) };
    texts.set(record, known);
  }
  return known;
}

const RELATION_KINDS: ReadonlySet<string> = new Set(RELATION_ENGINES.map((entry) => entry.kind));

/**
 * Works out the uuid and SHOW CREATE text of records just written (the SQL layer's writeDdl calls
 * it), as the engine keeps an object's CREATE text from its creation on: the first system.tables
 * read after a large apply otherwise rendered all of them at once (0.3 s at 10,000 objects) while
 * its client waited.
 */
export function prepareTexts(written: readonly { readonly kind: string; readonly record: JsonObject }[]): void {
  for (const { kind, record } of written) if (RELATION_KINDS.has(kind)) textsOf(kind, record);
}

const TABLES_COLUMNS = [
  ["database", "string"],
  ["name", "string"],
  ["uuid", "uuid"],
  ["engine", "string"],
  ["is_temporary", "uint8"],
  ["dependencies_database", "array(string)"],
  ["dependencies_table", "array(string)"],
  ["create_table_query", "string"],
  ["engine_full", "string"],
  ["mode", "string"],
  ["as_select", "string"],
  ["partition_key", "string"],
  ["sorting_key", "string"],
  ["primary_key", "string"],
  ["total_rows", "nullable(uint64)"],
  ["comment", "string"],
  ["has_own_data", "uint8"],
  ["loading_dependencies_database", "array(string)"],
  ["loading_dependencies_table", "array(string)"],
  ["loading_dependent_database", "array(string)"],
  ["loading_dependent_table", "array(string)"],
] as const;

/**
 * One system.tables row, each column worked out when a query first reads it: the lock's queries
 * ask a workspace of 10,000 objects for two columns of the lock views, and computing every column
 * of every row (dependents, links, SHOW CREATE) cost a tenth of a second per query.
 */
class TablesRow {
  readonly #catalog: Catalog;
  readonly #kind: string;
  readonly #record: JsonObject;
  readonly #key: string;
  #dependents: readonly { readonly database: string; readonly name: string }[] | undefined;
  #needs: readonly { readonly database: string; readonly name: string }[] | undefined;
  readonly database: string;
  readonly name: string;
  readonly engine: string;
  readonly is_temporary = 0;

  constructor(catalog: Catalog, kind: string, record: JsonObject, engine: string) {
    this.#catalog = catalog;
    this.#kind = kind;
    this.#record = record;
    this.#key = String(record["name"]);
    const { database, name } = splitCatalogKey(this.#key);
    this.database = database;
    this.name = name;
    this.engine = engine;
  }

  get #native(): boolean {
    return this.engine === "Stream" || this.engine === "MutableStream";
  }

  get #extras(): JsonObject {
    return (this.#record["sql"] ?? {}) as JsonObject;
  }

  #dependentsList() {
    this.#dependents ??=
      this.#kind === SQL_KINDS.dictionary
        ? []
        : this.#catalog.dependentsOf(this.#key).map((located) => splitCatalogKey(String(located.record["name"])));
    return this.#dependents;
  }

  #needsList() {
    if (!this.#needs) {
      const module = this.#catalog.modules.find((candidate) => candidate.kind === this.#kind);
      const links = module ? linksOf(module, this.#record) : { reads: [], writes: [] };
      this.#needs = [...new Set([...links.reads, ...links.writes])].map((need) => splitCatalogKey(need));
    }
    return this.#needs;
  }

  get uuid(): string {
    return textsOf(this.#kind, this.#record).uuid;
  }
  get dependencies_database(): string[] {
    return this.#dependentsList().map((dependent) => dependent.database);
  }
  get dependencies_table(): string[] {
    return this.#dependentsList().map((dependent) => dependent.name);
  }
  get create_table_query(): string {
    return textsOf(this.#kind, this.#record).createQuery;
  }
  get engine_full(): string {
    return this.engine;
  }
  get mode(): string {
    return this.#kind === "stream" ? String(this.#record["mode"] || "append") : "";
  }
  get as_select(): string {
    return this.#kind === "view" || this.#kind === "materialized_view" ? String(this.#record["query"] ?? "") : "";
  }
  get partition_key(): string {
    return this.engine === "Stream" ? String(this.#extras["partition_by"] ?? "to_YYYYMMDD(_tp_time)") : "";
  }
  get sorting_key(): string {
    return this.engine === "Stream" ? String(this.#extras["order_by"] ?? (this.primary_key || "to_start_of_hour(_tp_time)")) : "";
  }
  get primary_key(): string {
    return this.#native ? String(this.#record["primary_key"] ?? "") : "";
  }
  /** Rows ingested, which the server counts but does not keep; null for what holds no data. */
  get total_rows(): number | null {
    return this.#native ? ingestedRows(this.#record) : null;
  }
  get comment(): string {
    return String(this.#record["description"] ?? this.#record["comment"] ?? "");
  }
  get has_own_data(): number {
    return this.#native ? 1 : 0;
  }
  get loading_dependencies_database(): string[] {
    return this.#needsList().map((need) => need.database);
  }
  get loading_dependencies_table(): string[] {
    return this.#needsList().map((need) => need.name);
  }
  get loading_dependent_database(): string[] {
    return this.dependencies_database;
  }
  get loading_dependent_table(): string[] {
    return this.dependencies_table;
  }
}

function systemTables(catalog: Catalog): Table {
  const rows: Row[] = [];
  for (const { kind, engine } of RELATION_ENGINES) {
    for (const record of catalog.list(kind)) rows.push(new TablesRow(catalog, kind, record, engine(record)) as unknown as Row);
  }
  return { columns: TABLES_COLUMNS.map(([name, type]) => ({ name, type })), rows };
}

/** A few built-in functions so that `system.functions` is not only UDFs (origin System). */
const SYSTEM_FUNCTIONS = ["count", "sum", "avg", "min", "max", "now", "now64", "to_string", "version", "tumble", "hop", "session", "table"];
const AGGREGATES = new Set(["count", "sum", "avg", "min", "max"]);

function systemFunctions(catalog: Catalog): Table {
  const rows: Row[] = SYSTEM_FUNCTIONS.map((name) => ({
    name,
    is_aggregate: AGGREGATES.has(name) ? 1 : 0,
    case_insensitive: 0,
    alias_to: "",
    create_query: "",
    origin: "System",
    description: "",
  }));
  for (const record of catalog.list("udf")) {
    rows.push({
      name: String(record["name"]),
      is_aggregate: record["is_aggregation"] === true ? 1 : 0,
      case_insensitive: 0,
      alias_to: "",
      create_query: showCreateFunction(record),
      origin: record["type"] === "sql" ? "SQLUserDefined" : "ExecutableUserDefined",
      description: String(record["description"] ?? ""),
    });
  }
  return {
    columns: [
      { name: "name", type: "string" },
      { name: "is_aggregate", type: "uint8" },
      { name: "case_insensitive", type: "uint8" },
      { name: "alias_to", type: "string" },
      { name: "create_query", type: "string" },
      { name: "origin", type: "string" },
      { name: "description", type: "string" },
    ],
    rows,
  };
}

function systemDatabases(catalog: Catalog): Table {
  const names = [DEFAULT_DATABASE, "system", ...catalog.list(SQL_KINDS.database).map((record) => String(record["name"]))];
  return {
    columns: [
      { name: "name", type: "string" },
      { name: "engine", type: "string" },
      { name: "comment", type: "string" },
    ],
    rows: names.map((name) => {
      const record = catalog.get(SQL_KINDS.database, name);
      return { name, engine: "Atomic", comment: String(record?.["comment"] ?? "") };
    }),
  };
}

function systemNamedCollections(catalog: Catalog): Table {
  return {
    columns: [
      { name: "name", type: "string" },
      { name: "create_query", type: "string" },
    ],
    rows: catalog
      .list(SQL_KINDS.namedCollection)
      .map((record) => ({ name: String(record["name"]), create_query: showCreateNamedCollection(record) })),
  };
}

const SYSTEM_TABLES: Readonly<Record<string, (catalog: Catalog) => Table>> = {
  tables: systemTables,
  functions: systemFunctions,
  databases: systemDatabases,
  named_collections: systemNamedCollections,
};

export interface SelectEnv {
  readonly version: string;
}

/**
 * Answers the SELECTs a reconciler sends: constants (`SELECT version()`) and projections,
 * filters, ordering and limits over `system.tables`, `system.functions`, `system.databases` and
 * `system.named_collections`. Reading a stream's data is not simulated (48).
 */
export function runSelect(select: Select, catalog: Catalog, env: SelectEnv): Rows {
  let table: Table;
  if (select.from === undefined) {
    table = { columns: [], rows: [{}] };
  } else {
    const database = select.from.database ?? DEFAULT_DATABASE;
    const source = database === "system" ? SYSTEM_TABLES[select.from.name] : undefined;
    if (source) table = source(catalog);
    else if (database === "system") throw sqlError(SQL_CODES.UNKNOWN_STREAM, `Stream system.${select.from.name} doesn't exist`);
    else if (database === DEFAULT_DATABASE && catalog.relation(select.from.name)) {
      throw sqlError(SQL_CODES.NOT_IMPLEMENTED, "The built-in server keeps no data: only system tables can be read");
    } else throw sqlError(SQL_CODES.UNKNOWN_STREAM, `Stream ${database}.${select.from.name} doesn't exist`);
  }
  const known = new Set(table.columns.map((column) => column.name));
  const compiled = new Map<Expr, Compiled>();
  const evaluate = (expr: Expr, row: Row): JsonValue => {
    let run = compiled.get(expr);
    if (!run) {
      run = compileExpr(expr, known, env);
      compiled.set(expr, run);
    }
    return run(row);
  };
  const where = select.where;
  let rows = where === undefined ? table.rows : table.rows.filter((row) => truthy(evaluate(where, row)));
  if (select.orderBy.length > 0) {
    rows = [...rows].sort((a, b) => {
      for (const { expr, descending } of select.orderBy) {
        const order = compare(evaluate(expr, a), evaluate(expr, b));
        if (order !== 0) return descending ? -order : order;
      }
      return 0;
    });
  }
  // `SELECT count() FROM system.tables WHERE …` (how flyway and others count objects): the one
  // aggregate answered, alone in the select list.
  const counts = select.items.filter((item) => item.expr?.kind === "call" && item.expr.name === "count" && item.expr.args.length === 0);
  if (counts.length > 0) {
    if (counts.length !== select.items.length) {
      throw sqlError(SQL_CODES.NOT_IMPLEMENTED, "The built-in server answers count() only on its own in the select list");
    }
    return { columns: counts.map((item) => ({ name: item.label, type: "uint64" })), rows: [counts.map(() => rows.length)] };
  }
  if (select.limit !== undefined) rows = rows.slice(0, select.limit);
  const columns: { name: string; type: string }[] = [];
  const getters: ((row: Row) => JsonValue)[] = [];
  for (const item of select.items) {
    if (item.expr === undefined) {
      for (const column of table.columns) {
        columns.push(column);
        getters.push((row) => row[column.name] ?? null);
      }
      continue;
    }
    const expr = item.expr;
    const declared = expr.kind === "column" ? table.columns.find((column) => column.name === expr.name) : undefined;
    const sample = rows[0] === undefined ? null : evaluate(expr, rows[0]);
    columns.push({ name: item.label, type: declared?.type ?? typeOf(sample) });
    getters.push((row) => evaluate(expr, row));
  }
  return { columns, rows: rows.map((row) => getters.map((get) => get(row))) };
}

function typeOf(value: JsonValue): string {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? (value >= 0 ? "uint64" : "int64") : "float64";
  if (Array.isArray(value)) return "array(string)";
  return "nullable(nothing)";
}

function truthy(value: JsonValue): boolean {
  return value === true || (typeof value === "number" && value !== 0);
}

function compare(a: JsonValue, b: JsonValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

function likeToRegExp(pattern: string, insensitive: boolean): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "\\" && i + 1 < pattern.length) source += pattern.charAt(++i).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (ch === "%") source += "[\\s\\S]*";
    else if (ch === "_") source += "[\\s\\S]";
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, insensitive ? "i" : "");
}

/** `LIKE` as the engine matches it: `%`, `_`, backslash escapes. */
export function matchesLike(value: string, pattern: string, insensitive = false): boolean {
  return likeToRegExp(pattern, insensitive).test(value);
}

type Compiled = (row: Row) => JsonValue;

/**
 * An expression as a function of the row, built once per query: evaluated afresh for each of
 * 10,000 rows, the tree walk (a closure per call, the IN list and LIKE pattern evaluated and a
 * regular expression compiled again) was most of a system.tables query's time. An unknown
 * column still fails when it is evaluated, as before.
 */
function compileExpr(expr: Expr, known: ReadonlySet<string>, env: SelectEnv): Compiled {
  const compile = (inner: Expr): Compiled => compileExpr(inner, known, env);
  switch (expr.kind) {
    case "literal": {
      const value = expr.value;
      return () => value;
    }
    case "column": {
      const name = expr.name;
      if (!known.has(name)) {
        return () => {
          throw sqlError(SQL_CODES.UNKNOWN_IDENTIFIER, `Missing columns: '${name}' while processing query`);
        };
      }
      return (row) => row[name] ?? null;
    }
    case "not": {
      const operand = compile(expr.operand);
      return (row) => !truthy(operand(row));
    }
    case "in": {
      const operand = compile(expr.operand);
      const items = expr.list.map(compile);
      const negated = expr.negated;
      return (row) => {
        const value = operand(row);
        const found = items.some((item) => compare(value, item(row)) === 0);
        return negated ? !found : found;
      };
    }
    case "like": {
      const operand = compile(expr.operand);
      const { negated, insensitive } = expr;
      const constant = expr.pattern.kind === "literal" ? likeToRegExp(String(expr.pattern.value), insensitive) : undefined;
      const pattern = compile(expr.pattern);
      return (row) => {
        const value = String(operand(row));
        const matched = constant ? constant.test(value) : matchesLike(value, String(pattern(row)), insensitive);
        return negated ? !matched : matched;
      };
    }
    case "binary": {
      const left = compile(expr.left);
      const right = compile(expr.right);
      switch (expr.operator) {
        case "AND":
          return (row) => truthy(left(row)) && truthy(right(row));
        case "OR":
          return (row) => truthy(left(row)) || truthy(right(row));
        case "=":
          return (row) => compare(left(row), right(row)) === 0;
        case "!=":
          return (row) => compare(left(row), right(row)) !== 0;
        case "<":
          return (row) => compare(left(row), right(row)) < 0;
        case ">":
          return (row) => compare(left(row), right(row)) > 0;
        case "<=":
          return (row) => compare(left(row), right(row)) <= 0;
        default:
          return (row) => compare(left(row), right(row)) >= 0;
      }
    }
    case "call": {
      const args = expr.args.map(compile);
      const name = expr.name;
      return (row) =>
        callFunction(
          name,
          args.map((arg) => arg(row)),
          env,
        );
    }
  }
}

function callFunction(name: string, args: readonly JsonValue[], env: SelectEnv): JsonValue {
  const [first, second] = args;
  switch (name) {
    case "version":
      return env.version;
    case "current_database":
    case "currentdatabase":
    case "database":
      return DEFAULT_DATABASE;
    case "starts_with":
      return String(first).startsWith(String(second));
    case "ends_with":
      return String(first).endsWith(String(second));
    case "lower":
      return String(first).toLowerCase();
    case "upper":
      return String(first).toUpperCase();
    case "length":
      return Array.isArray(first) ? first.length : String(first).length;
    case "to_string":
      return typeof first === "string" ? first : JSON.stringify(first);
    case "concat":
      return args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join("");
    case "has":
      return isJsonArray(first) && first.some((item) => compare(item, second ?? null) === 0);
    case "empty":
      return Array.isArray(first) ? first.length === 0 : String(first ?? "") === "";
    case "not_empty":
      return Array.isArray(first) ? first.length > 0 : String(first ?? "") !== "";
    default:
      throw sqlError(SQL_CODES.UNKNOWN_FUNCTION, `Unknown function ${name}`);
  }
}
