import type { JsonObject, JsonValue, Kind } from "../../model/index.js";
import { isJsonObject, withFunctionBodyMarkers, withOwnershipMarker, withSchemaOwnershipMarker } from "../../model/index.js";
import { tokensWithoutWhitespace } from "../tokenize.js";
import {
  DdlRenderError,
  checkFragment,
  checkSettingKey,
  lexedDifferentlyByEngine,
  quoteIdentifier,
  quoteQualified,
  quoteString,
} from "./quote.js";
import { maskSecrets, secretValuesOfResource } from "./secrets.js";

/**
 * One statement for the engine. `sql` carries the secrets and goes only to the server; `masked`
 * is the same statement with every secret replaced by `***`, for the JSON plan and for messages.
 */
export interface DdlStatement {
  readonly sql: string;
  readonly masked: string;
}

/** What the renderer needs of a resource: a DesiredResource fits. */
export interface DdlResource {
  readonly kind: Kind;
  readonly name: string;
  readonly spec: JsonObject;
  readonly secretPaths?: readonly string[];
}

export interface RenderOptions {
  /** Qualify object names with this database; omitted, the session's database is used. */
  readonly database?: string;
  /** The tpctl project, written as the ownership marker (model/ownership.ts). */
  readonly project?: string;
  /** Fingerprint of the secret values, carried in the marker. */
  readonly secretsFingerprint?: string;
  /** `CREATE OR REPLACE` for the kinds that have it (view, UDF, format schema): their in-place update. */
  readonly orReplace?: boolean;
}

/** Renders the statements that create one kind of object; a kind module names its own (src/kinds/). */
export type CreateRenderer = (resource: DdlResource, options?: RenderOptions) => DdlStatement[];

function creator(build: (ctx: Context) => string | readonly string[]): CreateRenderer {
  return (resource, options = {}) => {
    const ctx = new Context(resource, options);
    const built = build(ctx);
    return (typeof built === "string" ? [built] : built).map((sql) => ctx.statement(sql));
  };
}

/**
 * One renderer per CREATE statement of the grammar, for the kind modules to name (most need one
 * statement; a materialized view with retention or TTL gets ALTERs of its inner stream after it,
 * since CREATE has no place for them). Each throws a DdlRenderError naming the field, never its value,
 * when a field cannot be written as DDL.
 *
 * @example CREATE_RENDERERS.view({kind: "view", name: "v", spec: {name: "v", query: "SELECT 1"}})[0].sql
 *          // "CREATE VIEW `v` AS\nSELECT 1"
 */
export const CREATE_RENDERERS = Object.freeze({
  stream: creator(renderStream),
  // The REST API's spelling of the same object (a stream with engine MutableStream) renders it.
  mutableStream: creator((ctx) =>
    renderStream(new Context({ ...ctx.resource, spec: { ...ctx.spec, engine: "MutableStream" } }, ctx.options)),
  ),
  randomStream: creator(renderRandomStream),
  view: creator(renderView),
  materializedView: creator(renderMaterializedView),
  externalStream: creator((ctx) => renderExternal(ctx, "EXTERNAL STREAM")),
  externalTable: creator((ctx) => renderExternal(ctx, "EXTERNAL TABLE")),
  function: creator(renderFunction),
  formatSchema: creator(renderFormatSchema),
  database: creator(renderDatabase),
  dictionary: creator(renderDictionary),
  task: creator(renderTask),
  namedCollection: creator(renderNamedCollection),
});

/**
 * What `DROP … IF EXISTS` names for a kind: views and MVs drop with DROP VIEW, streams and external
 * streams with DROP STREAM (`DROP EXTERNAL STREAM` is not in the grammar), external tables with DROP
 * EXTERNAL TABLE. `global`: the name is never database-qualified (functions, format schemas, named
 * collections, databases themselves).
 */
export interface DropShape {
  readonly object:
    "STREAM" | "VIEW" | "EXTERNAL TABLE" | "FUNCTION" | "FORMAT SCHEMA" | "DICTIONARY" | "TASK" | "NAMED COLLECTION" | "DATABASE";
  readonly global?: boolean;
}

/**
 * The statement that drops a resource. `IF EXISTS` makes a re-run after a partial apply succeed,
 * as the REST driver treats a 404 on DELETE. A database is dropped without CASCADE: what tpctl
 * manages in it is dropped first, and anything else in it makes the engine refuse, rather than
 * tpctl dropping objects no manifest declares.
 */
export function renderDrop(shape: DropShape, target: string, name: string, options: { database?: string } = {}): DdlStatement {
  const object = shape.global ? quoteIdentifier(name, target) : quoteQualified(name, options.database, target);
  const sql = `DROP ${shape.object} IF EXISTS ${object}`;
  assertOneStatement(sql, target);
  return { sql, masked: sql };
}

// ---------------------------------------------------------------------------------------------
// In-place changes (reference: ALTER STREAM / ALTER VIEW / RENAME STREAM). Each returns one
// statement; the SQL driver chooses which ones a field change needs.

export type AlterCommand =
  | { readonly op: "add_column"; readonly column: JsonObject; readonly after?: string }
  | { readonly op: "drop_column"; readonly column: string }
  | { readonly op: "rename_column"; readonly from: string; readonly to: string }
  | { readonly op: "modify_column"; readonly column: JsonObject }
  | { readonly op: "modify_ttl"; readonly ttl: string }
  | { readonly op: "remove_ttl" }
  | { readonly op: "modify_settings"; readonly settings: Readonly<Record<string, JsonValue>> }
  | { readonly op: "modify_comment"; readonly comment: string }
  | { readonly op: "add_index"; readonly index: JsonValue }
  | { readonly op: "drop_index"; readonly name: string }
  | { readonly op: "modify_query"; readonly query: string }
  | { readonly op: "modify_query_settings"; readonly settings: Readonly<Record<string, JsonValue>> };

/**
 * `ALTER STREAM` (streams, and an MV's inner stream) or `ALTER VIEW` (comment, query, query
 * settings of views and MVs) with one or more comma-separated commands, as the engine allows.
 * Secrets and the ownership marker are the caller's: pass `resource` so that secrets are masked.
 */
/** The kinds the grammar has an ALTER STREAM or ALTER VIEW for; the others change by CREATE OR REPLACE or a replace. */
const ALTERABLE: ReadonlySet<Kind> = new Set<Kind>([
  "stream",
  "mutable_stream",
  "random_stream",
  "external_stream",
  "view",
  "materialized_view",
  "dictionary",
  "task",
  "database",
]);

export function renderAlter(
  kind: Kind,
  name: string,
  commands: readonly AlterCommand[],
  options: { database?: string; secrets?: readonly string[] } = {},
): DdlStatement {
  const target = `${kind}/${name}`;
  if (commands.length === 0) throw new DdlRenderError(target, "an ALTER needs at least one change");
  const onView = commands.some((command) => command.op === "modify_query" || command.op === "modify_query_settings");
  if (onView && kind !== "materialized_view") {
    throw new DdlRenderError(target, "only a materialized view's query can be changed in place (ALTER VIEW … MODIFY QUERY)");
  }
  if (onView && commands.length > 1) throw new DdlRenderError(target, "MODIFY QUERY is a statement of its own");
  if (!ALTERABLE.has(kind)) {
    throw new DdlRenderError(target, `a ${kind} has no ALTER; it changes by CREATE OR REPLACE or by a replace`);
  }
  const viewCommands = commands.every((c) => c.op === "modify_comment" || c.op === "modify_query" || c.op === "modify_query_settings");
  if (kind === "view" && !viewCommands)
    throw new DdlRenderError(target, "a view has no storage to alter; only its comment changes in place");
  // Comment and query are the view's (ALTER VIEW); TTL and settings are an MV's inner stream's (ALTER STREAM).
  const head = (kind === "view" || kind === "materialized_view") && viewCommands ? "VIEW" : "STREAM";
  const parts = commands.map((command) => renderAlterCommand(command, target));
  const sql = `ALTER ${head} ${quoteQualified(name, options.database, target)}\n${parts.join(",\n")}`;
  assertOneStatement(sql, target);
  return { sql, masked: maskSecrets(sql, options.secrets ?? []) };
}

function renderAlterCommand(command: AlterCommand, target: string): string {
  switch (command.op) {
    case "add_column":
      return `ADD COLUMN ${renderColumn(command.column, `${target} column`)}${command.after !== undefined ? ` AFTER ${quoteIdentifier(command.after, target)}` : ""}`;
    case "drop_column":
      return `DROP COLUMN ${quoteIdentifier(command.column, target)}`;
    case "rename_column":
      return `RENAME COLUMN ${quoteIdentifier(command.from, target)} TO ${quoteIdentifier(command.to, target)}`;
    case "modify_column":
      return `MODIFY COLUMN ${renderColumn(command.column, `${target} column`)}`;
    case "modify_ttl":
      return `MODIFY TTL ${checkFragment(command.ttl, `${target} ttl_expression`)}`;
    case "remove_ttl":
      return "REMOVE TTL";
    case "modify_settings":
      return `MODIFY SETTING ${renderSettingMap(command.settings, target)}`;
    case "modify_comment":
      return `MODIFY COMMENT ${quoteString(command.comment)}`;
    case "add_index":
      // A mutable stream's secondary index, as in CREATE MUTABLE STREAM.
      return `ADD ${renderSecondaryIndex(command.index, `${target} index`)}`;
    case "drop_index":
      return `DROP INDEX ${quoteIdentifier(command.name, target)}`;
    case "modify_query":
      // A new line after the query: a trailing `--` comment in it must not swallow anything.
      return `MODIFY QUERY\n${checkFragment(command.query, `${target} query`, { allowComments: true })}\n`;
    case "modify_query_settings":
      return `MODIFY QUERY SETTING ${renderSettingMap(command.settings, target)}`;
  }
}

/** `RENAME STREAM a TO b`: the engine renames streams only, within their database. */
export function renderRename(kind: Kind, from: string, to: string, options: { database?: string } = {}): DdlStatement {
  const target = `${kind}/${from}`;
  if (kind !== "stream") throw new DdlRenderError(target, `a ${kind} cannot be renamed in place; only streams have RENAME STREAM`);
  const sql = `RENAME STREAM ${quoteQualified(from, options.database, target)} TO ${quoteQualified(to, options.database, target)}`;
  assertOneStatement(sql, target);
  return { sql, masked: sql };
}

// ---------------------------------------------------------------------------------------------

class Context {
  readonly target: string;
  readonly spec: JsonObject;
  private readonly secrets: readonly string[];

  constructor(
    readonly resource: DdlResource,
    readonly options: RenderOptions,
  ) {
    this.target = `${resource.kind}/${resource.name}`;
    this.spec = resource.spec;
    this.secrets = secretValuesOfResource(resource.kind, resource.spec, resource.secretPaths ?? []);
  }

  get object(): string {
    return quoteQualified(this.resource.name, this.options.database, this.target);
  }

  field(name: string): string {
    return `${this.target} ${name}`;
  }

  string(name: string): string | undefined {
    const value = this.spec[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw new DdlRenderError(this.field(name), "expected a string");
    return value;
  }

  integer(name: string): number | undefined {
    const value = this.spec[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value)) throw new DdlRenderError(this.field(name), "expected an integer");
    return value;
  }

  array(name: string): readonly JsonValue[] {
    const value = this.spec[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new DdlRenderError(this.field(name), "expected a list");
    return value as readonly JsonValue[];
  }

  /** The COMMENT text: the description with the ownership marker when a project is given. */
  comment(): string | undefined {
    const description = this.string("description") ?? "";
    const text =
      this.options.project !== undefined
        ? withOwnershipMarker(description, this.options.project, this.options.secretsFingerprint)
        : description;
    return text === "" ? undefined : text;
  }

  statement(sql: string): DdlStatement {
    assertOneStatement(sql, this.target);
    return { sql, masked: maskSecrets(sql, this.secrets) };
  }
}

/**
 * The last line of defence: whatever a manifest held, the text must be exactly one statement.
 * The checks on each piece should make this unreachable; if it is reached, nothing is sent.
 */
function assertOneStatement(sql: string, target: string): void {
  // Whitespace decides neither check, and making its tokens was half the cost of every statement.
  const tokens = tokensWithoutWhitespace(sql);
  if (tokens.some((token) => token.type === "punctuation" && token.text === ";") || lexedDifferentlyByEngine(tokens) !== undefined) {
    throw new DdlRenderError(target, "the statement would not be a single statement");
  }
}

const GRANULARITY: Readonly<Record<string, string>> = {
  M: "to_YYYYMM(_tp_time)",
  D: "to_YYYYMMDD(_tp_time)",
  H: "to_start_of_hour(_tp_time)",
  m: "to_start_of_minute(_tp_time)",
};

function granularity(ctx: Context, field: string): string | undefined {
  const value = ctx.string(field);
  if (value === undefined || value === "") return undefined;
  const expression = GRANULARITY[value];
  if (expression === undefined) throw new DdlRenderError(ctx.field(field), "expected one of m, H, D, M");
  return expression;
}

function renderStream(ctx: Context): string {
  const mutable = ctx.string("engine") === "MutableStream";
  const elements: string[] = [];
  const columns = ctx.array("columns");
  columns.forEach((column, index) => elements.push(renderColumn(column, ctx.field(`columns[${index}]`))));
  if (columns.length === 0) throw new DdlRenderError(ctx.field("columns"), "a stream needs at least one column");

  const timezone = ctx.string("event_time_timezone");
  if (timezone !== undefined && timezone !== "") {
    if (columns.some((column) => isJsonObject(column) && column["name"] === "_tp_time")) {
      throw new DdlRenderError(ctx.field("event_time_timezone"), "it cannot be combined with a declared _tp_time column");
    }
    // The time zone lives in the type of _tp_time; declaring the column is how DDL sets it.
    const zone = quoteString(timezone);
    elements.push(`\`_tp_time\` datetime64(3, ${zone}) DEFAULT now64(3, ${zone}) CODEC(DoubleDelta, LZ4)`);
  }
  for (const column of columns) {
    if (!isJsonObject(column)) continue;
    const index = column["skipping_index_expression"];
    if (typeof index === "string" && index.trim() !== "") {
      // The REST API appends this text to the column list as its own element (`INDEX i expr TYPE …`).
      elements.push(checkFragment(index, ctx.field(`column ${String(column["name"])} skipping_index_expression`)));
    }
  }
  if (mutable) {
    ctx.array("secondary_indexes").forEach((index, i) => elements.push(renderSecondaryIndex(index, ctx.field(`secondary_indexes[${i}]`))));
    ctx.array("column_families").forEach((family, i) => elements.push(renderFamily(family, ctx.field(`column_families[${i}]`))));
  } else {
    for (const field of ["secondary_indexes", "column_families"]) {
      if (ctx.array(field).length > 0) throw new DdlRenderError(ctx.field(field), "only a mutable stream (engine: MutableStream) has them");
    }
  }

  const lines = [`CREATE ${mutable ? "MUTABLE STREAM" : "STREAM"} ${ctx.object}`, "(", elements.map((e) => `  ${e}`).join(",\n"), ")"];
  const primaryKey = ctx.string("primary_key");
  const mode = ctx.string("mode");
  if (mutable) {
    if (primaryKey === undefined || primaryKey.trim() === "")
      throw new DdlRenderError(ctx.field("primary_key"), "a mutable stream needs a primary key");
    for (const field of ["order_by_expression", "order_by_granularity", "partition_by_granularity", "ttl_expression", "mode"]) {
      if (ctx.spec[field] !== undefined) {
        throw new DdlRenderError(ctx.field(field), "a mutable stream has no such clause (its TTL is the ttl_seconds setting)");
      }
    }
    lines.push(`PRIMARY KEY ${checkFragment(primaryKey, ctx.field("primary_key"))}`);
  } else {
    // The engine prints storage clauses as PARTITION BY, PRIMARY KEY, ORDER BY, TTL.
    const partition = granularity(ctx, "partition_by_granularity");
    if (partition !== undefined) lines.push(`PARTITION BY ${partition}`);
    if (primaryKey !== undefined && primaryKey.trim() !== "")
      lines.push(`PRIMARY KEY ${checkFragment(primaryKey, ctx.field("primary_key"))}`);
    const orderGranularity = granularity(ctx, "order_by_granularity");
    const orderExpression = ctx.string("order_by_expression");
    const order =
      orderExpression !== undefined && orderExpression.trim() !== ""
        ? checkFragment(orderExpression, ctx.field("order_by_expression"))
        : undefined;
    if (orderGranularity !== undefined || order !== undefined) {
      // As the engine's REST handler does: the granularity of _tp_time first, then the expression.
      lines.push(
        `ORDER BY ${orderGranularity !== undefined && order !== undefined ? `(${orderGranularity}, ${order})` : (orderGranularity ?? order)}`,
      );
    }
    const ttl = ctx.string("ttl_expression");
    if (ttl !== undefined && ttl.trim() !== "") lines.push(`TTL ${checkFragment(ttl, ctx.field("ttl_expression"))}`);
  }

  const settings: string[] = [];
  if (mode !== undefined && mode !== "") settings.push(`mode = ${quoteString(checkMode(ctx, mode))}`);
  for (const field of ["shards", "replication_factor"]) {
    const value = ctx.integer(field);
    if (value !== undefined) settings.push(`${field} = ${value}`);
  }
  const eventTime = ctx.string("event_time_column");
  if (eventTime !== undefined && eventTime !== "") settings.push(`event_time_column = ${quoteString(eventTime)}`);
  for (const field of ["logstore_retention_bytes", "logstore_retention_ms"]) {
    const value = ctx.integer(field);
    if (value !== undefined) settings.push(`${field} = ${value}`);
  }
  if (mutable) settings.push(...mutableSettings(ctx));
  if (settings.length > 0) lines.push(`SETTINGS ${settings.join(", ")}`);
  const comment = ctx.comment();
  if (comment !== undefined) lines.push(`COMMENT ${quoteString(comment)}`);
  return lines.join("\n");
}

const MODES = new Set(["append", "changelog", "changelog_kv", "versioned_kv"]);

function checkMode(ctx: Context, mode: string): string {
  if (!MODES.has(mode)) throw new DdlRenderError(ctx.field("mode"), "expected append, changelog, changelog_kv or versioned_kv");
  return mode;
}

/** `name type [DEFAULT e] [COMMENT 'c'] [CODEC(…)] [TTL e]`, in the order of the engine's grammar. */
export function renderColumn(column: JsonValue, target: string): string {
  if (!isJsonObject(column)) throw new DdlRenderError(target, "expected a column {name, type}");
  const text = (key: string): string | undefined => {
    const value = column[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw new DdlRenderError(`${target}.${key}`, "expected a string");
    return value;
  };
  const name = text("name");
  const type = text("type");
  if (name === undefined) throw new DdlRenderError(`${target}.name`, "a column needs a name");
  if (type === undefined) throw new DdlRenderError(`${target}.type`, "a column needs a type");
  const parts = [quoteIdentifier(name, `${target}.name`), checkFragment(type, `${target}.type`)];
  const fallback = text("default");
  if (fallback !== undefined) parts.push(`DEFAULT ${checkFragment(fallback, `${target}.default`)}`);
  const comment = text("comment");
  if (comment !== undefined) parts.push(`COMMENT ${quoteString(comment)}`);
  const codec = text("codec");
  if (codec !== undefined) {
    const inner = checkFragment(codec, `${target}.codec`);
    // The API takes `ZSTD(1)` and reads back `CODEC(ZSTD(1))`; either is accepted here.
    parts.push(/^codec\s*\(/i.test(inner) ? inner : `CODEC(${inner})`);
  }
  const ttl = text("ttl_expression");
  if (ttl !== undefined) parts.push(`TTL ${checkFragment(ttl, `${target}.ttl_expression`)}`);
  return parts.join(" ");
}

function nameList(value: JsonValue | undefined, target: string): string {
  if (!Array.isArray(value) || value.length === 0) throw new DdlRenderError(target, "expected a non-empty list of column names");
  return (value as readonly JsonValue[])
    .map((item, index) => {
      if (typeof item !== "string") throw new DdlRenderError(`${target}[${index}]`, "expected a column name");
      return quoteIdentifier(item, `${target}[${index}]`);
    })
    .join(", ");
}

function renderSecondaryIndex(index: JsonValue, target: string): string {
  if (!isJsonObject(index) || typeof index["name"] !== "string") throw new DdlRenderError(target, "expected {name, columns}");
  let text = `INDEX ${quoteIdentifier(index["name"], `${target}.name`)} (${nameList(index["columns"], `${target}.columns`)})`;
  if (index["unique"] === true) text += " UNIQUE";
  const storing = index["storing"];
  if (Array.isArray(storing) && storing.length > 0) text += ` STORING (${nameList(storing, `${target}.storing`)})`;
  return text;
}

function renderFamily(family: JsonValue, target: string): string {
  if (!isJsonObject(family) || typeof family["name"] !== "string") throw new DdlRenderError(target, "expected {name, columns}");
  return `FAMILY ${quoteIdentifier(family["name"], `${target}.name`)} (${nameList(family["columns"], `${target}.columns`)})`;
}

function requiredQuery(ctx: Context): string {
  const query = ctx.string("query");
  if (query === undefined) throw new DdlRenderError(ctx.field("query"), "a query is required");
  return checkFragment(query, ctx.field("query"), { allowComments: true });
}

function renderView(ctx: Context): string {
  const lines = [`CREATE ${ctx.options.orReplace ? "OR REPLACE " : ""}VIEW ${ctx.object} AS`, requiredQuery(ctx)];
  const comment = ctx.comment();
  if (comment !== undefined) lines.push(`COMMENT ${quoteString(comment)}`);
  return lines.join("\n");
}

function renderMaterializedView(ctx: Context): string[] {
  const targetStream = ctx.string("target_stream");
  const lines = [`CREATE MATERIALIZED VIEW ${ctx.object}`];
  if (targetStream !== undefined && targetStream !== "") {
    lines.push(`INTO ${quoteQualified(targetStream, ctx.options.database, ctx.field("target_stream"))}`);
  }
  // The MV's own SETTINGS are part of the query text, after the SELECT, as the grammar wants.
  lines.push("AS", requiredQuery(ctx));
  const comment = ctx.comment();
  if (comment !== undefined) lines.push(`COMMENT ${quoteString(comment)}`);
  const statements = [lines.join("\n")];

  const ttl = ctx.string("ttl_expression");
  const retention: Record<string, JsonValue> = {};
  for (const field of ["logstore_retention_bytes", "logstore_retention_ms"]) {
    const value = ctx.integer(field);
    if (value !== undefined) retention[field] = value;
  }
  const hasStorage = (ttl !== undefined && ttl.trim() !== "") || Object.keys(retention).length > 0;
  if (hasStorage && targetStream !== undefined && targetStream !== "") {
    throw new DdlRenderError(
      ctx.field("logstore_retention_ms"),
      "retention and TTL of a materialized view with a target_stream belong to the target stream (the engine cannot alter such a view)",
    );
  }
  // CREATE MATERIALIZED VIEW has no clause for the inner stream's storage; the engine lets the
  // inner stream's TTL and settings be altered afterwards.
  const commands: AlterCommand[] = [];
  if (ttl !== undefined && ttl.trim() !== "") commands.push({ op: "modify_ttl", ttl });
  if (Object.keys(retention).length > 0) commands.push({ op: "modify_settings", settings: retention });
  if (commands.length > 0)
    statements.push(
      renderAlter("materialized_view", ctx.resource.name, commands, {
        ...(ctx.options.database !== undefined ? { database: ctx.options.database } : {}),
      }).sql,
    );
  return statements;
}

/**
 * Settings whose engine type is a number or a boolean, written bare when the value looks like
 * one; every other value is a string literal (the manifest keeps all values as strings).
 */
const NON_STRING_SETTINGS = new Set([
  "one_message_per_row",
  "skip_ssl_cert_check",
  "skip_server_cert_check",
  "validate_hostname",
  "secure",
  "use_chunked_encoding",
  "use_environment_credentials",
  "output_format_json_array_of_rows",
  "consumer_stall_timeout_ms",
  "connections_per_broker",
  "memory_limit",
  "io_threads",
  "pooled_connections",
  "replace_query",
]);

function settingValue(key: string, value: JsonValue, target: string): string {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value !== "string") throw new DdlRenderError(target, "expected a string value");
  if (NON_STRING_SETTINGS.has(key) && /^(?:-?\d{1,18}|true|false)$/.test(value)) return value;
  return quoteString(value);
}

function renderSettingMap(settings: Readonly<Record<string, JsonValue>>, target: string): string {
  const entries = Object.entries(settings);
  if (entries.length === 0) throw new DdlRenderError(target, "no settings to change");
  return entries
    .map(([key, value]) => `${checkSettingKey(key, `${target} setting`)} = ${settingValue(key, value, `${target} setting ${key}`)}`)
    .join(", ");
}

function renderExternal(ctx: Context, head: "EXTERNAL STREAM" | "EXTERNAL TABLE"): string {
  const settings = ctx.array("settings").map((setting, index) => {
    const target = ctx.field(`settings[${index}]`);
    if (!isJsonObject(setting) || typeof setting["key"] !== "string" || setting["value"] === undefined) {
      throw new DdlRenderError(target, "expected {key, value}");
    }
    const key = checkSettingKey(setting["key"], `${target}.key`);
    return { key, text: `${key} = ${settingValue(key, setting["value"], `${target}.value`)}` };
  });
  const keys = settings.map((setting) => setting.key);
  const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
  if (duplicate !== undefined) throw new DdlRenderError(ctx.field("settings"), `the setting ${duplicate} is given twice`);
  if (!keys.includes("type")) throw new DdlRenderError(ctx.field("settings"), "the settings need a type (e.g. kafka)");
  // `type` first, as every documented example writes it; the rest in manifest order.
  settings.sort((a, b) => Number(b.key === "type") - Number(a.key === "type"));

  const lines = [`CREATE ${head} ${ctx.object}`];
  const columns = head === "EXTERNAL STREAM" ? ctx.array("columns") : [];
  if (columns.length > 0) {
    lines.push("(", columns.map((column, index) => `  ${renderColumn(column, ctx.field(`columns[${index}]`))}`).join(",\n"), ")");
  }
  lines.push(`SETTINGS ${settings.map((setting) => setting.text).join(", ")}`);
  const comment = ctx.comment();
  if (comment !== undefined) lines.push(`COMMENT ${quoteString(comment)}`);
  return lines.join("\n");
}

function renderFunction(ctx: Context): string {
  const type = ctx.string("type");
  const args = ctx
    .array("arguments")
    .map((argument, index) => {
      const target = ctx.field(`arguments[${index}]`);
      if (!isJsonObject(argument) || typeof argument["name"] !== "string" || typeof argument["type"] !== "string") {
        throw new DdlRenderError(target, "expected {name, type}");
      }
      return `${quoteIdentifier(argument["name"], `${target}.name`)} ${checkFragment(argument["type"], `${target}.type`)}`;
    })
    .join(", ");
  const returnType = ctx.string("return_type");
  if (returnType === undefined || returnType === "") throw new DdlRenderError(ctx.field("return_type"), "a function needs a return type");
  const returns = checkFragment(returnType, ctx.field("return_type"));
  // UDFs are global: never database-qualified (the engine refuses `db.fn`).
  const name = quoteIdentifier(ctx.resource.name, ctx.target);
  const replace = ctx.options.orReplace ? "OR REPLACE " : "";

  if (type === "javascript") {
    const source = ctx.string("source");
    if (source === undefined || source.trim() === "")
      throw new DdlRenderError(ctx.field("source"), "a javascript function needs its source");
    const aggregate = ctx.spec["is_aggregation"] === true ? "AGGREGATE " : "";
    return `CREATE ${replace}${aggregate}FUNCTION ${name}(${args}) RETURNS ${returns}\nLANGUAGE JAVASCRIPT AS ${functionBody(ctx, source)}`;
  }
  if (type === "remote") {
    if (ctx.spec["is_aggregation"] === true)
      throw new DdlRenderError(ctx.field("is_aggregation"), "a remote function cannot be an aggregate function");
    const url = ctx.string("url");
    if (url === undefined || url === "") throw new DdlRenderError(ctx.field("url"), "a remote function needs its url");
    const lines = [`CREATE ${replace}REMOTE FUNCTION ${name}(${args}) RETURNS ${returns}`, `URL ${quoteString(url)}`];
    const auth = ctx.spec["auth_context"];
    // The grammar requires AUTH_METHOD; the REST API's default for an omitted one is none.
    const method = ctx.string("auth_method") ?? (isJsonObject(auth) ? "auth_header" : "none");
    if (method === "auth_header") {
      if (!isJsonObject(auth) || typeof auth["key_name"] !== "string" || typeof auth["key_value"] !== "string") {
        throw new DdlRenderError(ctx.field("auth_context"), "auth_header needs auth_context {key_name, key_value}");
      }
      lines.push("AUTH_METHOD 'auth_header'", `AUTH_HEADER ${quoteString(auth["key_name"])}`, `AUTH_KEY ${quoteString(auth["key_value"])}`);
    } else if (method === "none") {
      lines.push("AUTH_METHOD 'none'");
    } else {
      throw new DdlRenderError(ctx.field("auth_method"), "expected none or auth_header");
    }
    return lines.join("\n");
  }
  throw new DdlRenderError(ctx.field("type"), "expected javascript or remote");
}

/**
 * The JavaScript body as a `$$ … $$` string, the form the docs use, with the description and the
 * ownership marker as trailing `//` comment lines (the grammar gives functions no COMMENT). A body
 * that itself contains `$$` cannot be a `$$` string; it is written as an ordinary escaped string
 * literal instead, which the grammar accepts in the same place (any string literal).
 */
function functionBody(ctx: Context, source: string): string {
  const body = withFunctionBodyMarkers(source, ctx.string("description") ?? "", ctx.options.project, ctx.options.secretsFingerprint);
  return body.includes("$$") ? quoteString(`\n${body}\n`) : `$$\n${body}\n$$`;
}

function renderFormatSchema(ctx: Context): string {
  const type = ctx.string("type") ?? "Protobuf";
  if (type !== "Protobuf" && type !== "Avro") throw new DdlRenderError(ctx.field("type"), "expected Protobuf or Avro");
  const content = ctx.string("content");
  if (content === undefined || content.trim() === "") throw new DdlRenderError(ctx.field("content"), "a schema needs its content");
  const text = ctx.options.project !== undefined && type === "Protobuf" ? withSchemaOwnershipMarker(content, ctx.options.project) : content;
  // Format schemas are global: never database-qualified.
  return `CREATE ${ctx.options.orReplace ? "OR REPLACE " : ""}FORMAT SCHEMA ${quoteIdentifier(ctx.resource.name, ctx.target)} AS ${quoteString(text)} TYPE ${type}`;
}

export { DdlRenderError };

/** `CREATE DATABASE name [COMMENT '…']`: the description and ownership marker in its COMMENT. */
function renderDatabase(ctx: Context): string {
  const comment = ctx.comment();
  return `CREATE DATABASE ${quoteIdentifier(ctx.resource.name, ctx.target)}${comment !== undefined ? `\nCOMMENT ${quoteString(comment)}` : ""}`;
}

/**
 * `CREATE RANDOM STREAM name (col type [DEFAULT generator], …) [SETTINGS eps = …, interval_time = …]
 * [COMMENT '…']`: each column's default is the expression that generates it.
 */
function renderRandomStream(ctx: Context): string {
  const columns = ctx.array("columns");
  if (columns.length === 0) throw new DdlRenderError(ctx.field("columns"), "a random stream needs at least one column");
  const elements = columns.map((column, index) => renderColumn(column, ctx.field(`columns[${index}]`)));
  const lines = [`CREATE RANDOM STREAM ${ctx.object}`, "(", elements.map((e) => `  ${e}`).join(",\n"), ")"];
  const settings: string[] = [];
  const eps = ctx.spec["eps"];
  if (eps !== undefined && eps !== null) {
    if (typeof eps !== "number" || !Number.isFinite(eps) || eps < 0)
      throw new DdlRenderError(ctx.field("eps"), "expected a number of at least 0");
    settings.push(`eps = ${eps}`);
  }
  const interval = ctx.integer("interval_time");
  if (interval !== undefined) settings.push(`interval_time = ${interval}`);
  if (settings.length > 0) lines.push(`SETTINGS ${settings.join(", ")}`);
  const comment = ctx.comment();
  if (comment !== undefined) lines.push(`COMMENT ${quoteString(comment)}`);
  return lines.join("\n");
}

/** The mutable-stream settings a manifest names as fields (docs.timeplus.com `mutable-stream`), in the docs' order. */
function mutableSettings(ctx: Context): string[] {
  const settings: string[] = [];
  const version = ctx.string("version_column");
  if (version !== undefined && version !== "") settings.push(`version_column = ${quoteString(version)}`);
  const coalesced = ctx.spec["coalesced"];
  if (coalesced !== undefined && coalesced !== null) {
    if (typeof coalesced !== "boolean") throw new DdlRenderError(ctx.field("coalesced"), "expected true or false");
    settings.push(`coalesced = ${coalesced ? "true" : "false"}`);
  }
  const ttl = ctx.integer("ttl_seconds");
  if (ttl !== undefined) settings.push(`ttl_seconds = ${ttl}`);
  const ttlColumn = ctx.string("ttl_column");
  if (ttlColumn !== undefined && ttlColumn !== "") settings.push(`ttl_column = ${quoteString(ttlColumn)}`);
  return settings;
}

const CLAUSE_WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `NAME(KEY value KEY value …)` from `{type: name, key: value, …}`: a dictionary's SOURCE and
 * LAYOUT in the grammar's own words (docs.timeplus.com `dictionary`), keys and the type upper-cased,
 * strings quoted, numbers bare.
 */
function renderClauseCall(value: JsonValue | undefined, target: string): string {
  if (!isJsonObject(value) || typeof value["type"] !== "string" || !CLAUSE_WORD.test(value["type"])) {
    throw new DdlRenderError(target, "expected {type: NAME, …parameters}");
  }
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (key === "type") continue;
    if (!CLAUSE_WORD.test(key)) throw new DdlRenderError(`${target}.${key}`, "a parameter name is letters, digits and _");
    if (typeof item === "string") parts.push(`${key.toUpperCase()} ${quoteString(item)}`);
    else if (typeof item === "number" && Number.isFinite(item)) parts.push(`${key.toUpperCase()} ${item}`);
    else throw new DdlRenderError(`${target}.${key}`, "expected a string or a number");
  }
  return `${value["type"].toUpperCase()}(${parts.join(" ")})`;
}

/**
 * `CREATE [OR REPLACE] DICTIONARY name (cols) PRIMARY KEY … SOURCE(…) LIFETIME(…) LAYOUT(…) [COMMENT '…']`,
 * in the order the engine prints them. OR REPLACE is a dictionary's update in place.
 */
function renderDictionary(ctx: Context): string {
  const columns = ctx.array("columns");
  if (columns.length === 0) throw new DdlRenderError(ctx.field("columns"), "a dictionary needs at least one column");
  const elements = columns.map((column, index) => renderColumn(column, ctx.field(`columns[${index}]`)));
  const primaryKey = ctx.string("primary_key");
  if (primaryKey === undefined || primaryKey.trim() === "")
    throw new DdlRenderError(ctx.field("primary_key"), "a dictionary needs a primary key");
  const lines = [
    `CREATE ${ctx.options.orReplace ? "OR REPLACE " : ""}DICTIONARY ${ctx.object}`,
    "(",
    elements.map((e) => `  ${e}`).join(",\n"),
    ")",
    `PRIMARY KEY ${checkFragment(primaryKey, ctx.field("primary_key"))}`,
    `SOURCE(${renderClauseCall(ctx.spec["source"], ctx.field("source"))})`,
  ];
  const lifetime = ctx.spec["lifetime"];
  if (lifetime !== undefined && lifetime !== null) {
    const min = isJsonObject(lifetime) ? lifetime["min"] : undefined;
    const max = isJsonObject(lifetime) ? lifetime["max"] : undefined;
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max))
      throw new DdlRenderError(ctx.field("lifetime"), "expected {min, max} in seconds");
    lines.push(`LIFETIME(MIN ${String(min)} MAX ${String(max)})`);
  }
  lines.push(`LAYOUT(${renderClauseCall(ctx.spec["layout"], ctx.field("layout"))})`);
  const comment = ctx.comment();
  if (comment !== undefined) lines.push(`COMMENT ${quoteString(comment)}`);
  return lines.join("\n");
}

/**
 * `CREATE [OR REPLACE] TASK name SCHEDULE s TIMEOUT t INTO target AS <query>`. A task has no
 * COMMENT and the engine keeps its query without comments, so it carries no ownership marker
 * (docs/sql-ddl.md, "Tasks").
 */
function renderTask(ctx: Context): string {
  const text = (field: string): string => {
    const value = ctx.string(field);
    if (value === undefined || value.trim() === "") throw new DdlRenderError(ctx.field(field), "a task needs it");
    return value;
  };
  const query = checkFragment(text("query"), ctx.field("query"), { allowComments: true });
  return [
    `CREATE ${ctx.options.orReplace ? "OR REPLACE " : ""}TASK ${ctx.object}`,
    `SCHEDULE ${checkFragment(text("schedule"), ctx.field("schedule"))}`,
    `TIMEOUT ${checkFragment(text("timeout"), ctx.field("timeout"))}`,
    `INTO ${quoteQualified(text("into"), ctx.options.database, ctx.field("into"))}`,
    `AS\n${query}`,
  ].join("\n");
}

/** `key = 'value' [OVERRIDABLE | NOT OVERRIDABLE]`: one entry of a named collection. */
function namedCollectionEntry(setting: JsonValue, target: string): string {
  if (!isJsonObject(setting) || typeof setting["key"] !== "string" || typeof setting["value"] !== "string") {
    throw new DdlRenderError(target, "expected {key, value}");
  }
  const overridable = setting["overridable"];
  const suffix = overridable === true ? " OVERRIDABLE" : overridable === false ? " NOT OVERRIDABLE" : "";
  return `${checkSettingKey(setting["key"], target)} = ${quoteString(setting["value"])}${suffix}`;
}

/** `CREATE NAMED COLLECTION name AS k = 'v', …`: global, so never qualified with a database. */
function renderNamedCollection(ctx: Context): string {
  const settings = ctx.array("settings");
  if (settings.length === 0) throw new DdlRenderError(ctx.field("settings"), "a named collection needs at least one setting");
  const entries = settings.map((setting, index) => namedCollectionEntry(setting, ctx.field(`settings[${index}]`)));
  return `CREATE NAMED COLLECTION ${quoteIdentifier(ctx.resource.name, ctx.target)} AS\n${entries.map((entry) => `  ${entry}`).join(",\n")}`;
}

/**
 * `ALTER NAMED COLLECTION name SET k = 'v', … DELETE k, …`: every declared entry is set again (its
 * value is secret and never read back, so tpctl cannot tell which changed) and the keys the
 * manifest no longer has are deleted.
 */
export function renderAlterNamedCollection(
  name: string,
  settings: readonly JsonValue[],
  removed: readonly string[],
  secrets: readonly string[],
): DdlStatement {
  const target = `named_collection/${name}`;
  const set = settings.map((setting, index) => namedCollectionEntry(setting, `${target} settings[${index}]`));
  const parts = [
    ...(set.length > 0 ? [`SET ${set.join(", ")}`] : []),
    ...(removed.length > 0 ? [`DELETE ${removed.map((key) => checkSettingKey(key, target)).join(", ")}`] : []),
  ];
  const sql = `ALTER NAMED COLLECTION ${quoteIdentifier(name, target)} ${parts.join(" ")}`;
  assertOneStatement(sql, target);
  return { sql, masked: maskSecrets(sql, secrets) };
}
