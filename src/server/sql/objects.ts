import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import type { ColumnDef, Setting } from "./ast.js";
import { backquote, canonicalType, heredoc, objectName, quoteName, quoteString, settingList } from "./format.js";

/**
 * The catalog records SQL reads and writes, in the REST kinds' own shapes (so that `GET /streams`
 * reads an object created by DDL unchanged), plus a `sql` field holding what only DDL can say
 * (ORDER BY, settings, per-column ALIAS, …), and the SHOW CREATE text of each. Pure.
 */

export const DEFAULT_DATABASE = "default";
/** Kinds only SQL knows; their records live in the same workspace file under these keys. */
export const SQL_KINDS = Object.freeze({
  database: "sql_database",
  dictionary: "sql_dictionary",
  task: "sql_task",
  namedCollection: "sql_named_collection",
});

export const TP_TIME = "_tp_time";
const TP_TIME_CODEC = "CODEC(DoubleDelta, LZ4)";
const TP_TIME_INDEX = "INDEX _tp_time_index _tp_time TYPE minmax GRANULARITY 256";
/** The immutable storage default the engine appends to every native stream's settings. */
const ENGINE_SETTINGS = "index_granularity = 8192";

/** A stored record's `sql` extras, or an empty object for one created through REST. */
export function extrasOf(record: JsonObject): JsonObject {
  const extras = record["sql"];
  return isJsonObject(extras) ? extras : {};
}

export function settingsOf(value: JsonValue | undefined): Setting[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).map((item) => ({
    key: String(item["key"] ?? ""),
    value: String(item["value"] ?? ""),
    kind: item["kind"] === "number" || item["kind"] === "bool" ? item["kind"] : "string",
  }));
}

export function settingsJson(settings: readonly Setting[]): JsonValue[] {
  return settings.map((setting) => ({ key: setting.key, value: setting.value, kind: setting.kind }));
}

function text(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : "";
}

/** A DDL column as the REST Column shape `{name, type, default, codec, nullable, comment?}`, extras apart. */
export function columnRecord(column: ColumnDef): { record: JsonObject; extras?: JsonObject } {
  const type = canonicalType(column.type);
  const record: Record<string, JsonValue> = {
    name: column.name,
    type,
    default: column.defaultExpr?.trim() ?? "",
    codec: column.codec ?? "",
    nullable: type.startsWith("nullable("),
  };
  if (column.comment !== undefined && column.comment !== "") record["comment"] = column.comment;
  const extras: Record<string, JsonValue> = {};
  if (column.defaultKind !== undefined && column.defaultKind !== "DEFAULT") extras["default_kind"] = column.defaultKind;
  if (column.ttl !== undefined) extras["ttl"] = column.ttl;
  if (column.autoIncrement === true) extras["auto_increment"] = true;
  return Object.keys(extras).length > 0 ? { record, extras } : { record };
}

/** The implicit event-time column, its default the `event_time_column` expression when one is set. */
export function tpTimeColumn(eventTimeColumn: string): JsonObject {
  return {
    name: TP_TIME,
    type: "datetime64(3, 'UTC')",
    default: eventTimeColumn === "" ? "now64(3, 'UTC')" : eventTimeColumn,
    codec: TP_TIME_CODEC,
    nullable: false,
  };
}

/** One column line of SHOW CREATE: name always backquoted, then type, default, comment, codec, TTL. */
function columnLine(column: JsonObject, extras: JsonObject): string {
  const columnExtras = isJsonObject(extras["columns"]) ? extras["columns"] : {};
  const own = isJsonObject(columnExtras[text(column["name"])]) ? (columnExtras[text(column["name"])] as JsonObject) : {};
  const parts = [backquote(text(column["name"]))];
  const type = text(column["type"]);
  if (type !== "") parts.push(canonicalType(type));
  if (own["auto_increment"] === true) parts.push("AUTO_INCREMENT");
  const defaultExpr = text(column["default"]);
  if (defaultExpr !== "") parts.push(`${text(own["default_kind"]) || "DEFAULT"} ${defaultExpr}`);
  const comment = text(column["comment"]);
  if (comment !== "") parts.push(`COMMENT ${quoteString(comment)}`);
  const codec = text(column["codec"]);
  if (codec !== "") parts.push(/^codec\s*\(/i.test(codec) ? codec : `CODEC(${codec})`);
  if (typeof own["ttl"] === "string") parts.push(`TTL ${own["ttl"]}`);
  return parts.join(" ");
}

function columnBlock(lines: readonly string[]): string {
  return lines.length === 0 ? "" : `\n(\n${lines.map((line) => `  ${line}`).join(",\n")}\n)`;
}

function commentLine(description: JsonValue | undefined): string {
  const comment = text(description);
  return comment === "" ? "" : `\nCOMMENT ${quoteString(comment)}`;
}

/** SHOW CREATE of a stream record (native, mutable or random), created through REST or DDL. */
export function showCreateStream(record: JsonObject): string {
  const extras = extrasOf(record);
  const engine = text(record["engine"]) || "Stream";
  const name = objectName(text(record["name"]));
  const columns = Array.isArray(record["columns"]) ? record["columns"].filter(isJsonObject) : [];
  const lines = columns.map((column) => columnLine(column, extras));
  const mutable = engine === "MutableStream";
  const random = engine === "Random";
  if (random) {
    const settings = settingsOf(extras["settings"]);
    return `CREATE RANDOM STREAM ${name}${columnBlock(lines)}${settings.length > 0 ? `\nSETTINGS ${settingList(settings)}` : ""}${commentLine(record["description"])}`;
  }
  const indexes = Array.isArray(extras["indexes"]) ? extras["indexes"].filter(isJsonObject) : [];
  for (const index of indexes) {
    const granularity = text(index["granularity"]);
    lines.push(
      `INDEX ${quoteName(text(index["name"]))} ${text(index["expr"])} TYPE ${text(index["type"])}${granularity ? ` GRANULARITY ${granularity}` : ""}`,
    );
  }
  if (mutable) {
    for (const index of (Array.isArray(record["secondary_indexes"]) ? record["secondary_indexes"] : []).filter(isJsonObject)) {
      const storing = Array.isArray(index["storing"]) ? index["storing"].map(String) : [];
      lines.push(
        `INDEX ${quoteName(text(index["name"]))} (${(Array.isArray(index["columns"]) ? index["columns"] : []).map(String).map(quoteName).join(", ")})` +
          `${index["unique"] === true ? " UNIQUE" : ""}${storing.length > 0 ? ` STORING (${storing.map(quoteName).join(", ")})` : ""}`,
      );
    }
    for (const family of (Array.isArray(record["column_families"]) ? record["column_families"] : []).filter(isJsonObject)) {
      lines.push(
        `FAMILY ${quoteName(text(family["name"]))} (${(Array.isArray(family["columns"]) ? family["columns"] : []).map(String).map(quoteName).join(", ")})`,
      );
    }
  } else if (columns.some((column) => column["name"] === TP_TIME)) {
    lines.push(TP_TIME_INDEX);
  }
  const primaryKey = engineKeyExpression(text(record["primary_key"]));
  const clauses: string[] = [];
  if (mutable) {
    if (primaryKey !== "") clauses.push(`PRIMARY KEY ${primaryKey}`);
  } else {
    clauses.push(`PARTITION BY ${text(extras["partition_by"]) || "to_YYYYMMDD(_tp_time)"}`);
    if (primaryKey !== "") clauses.push(`PRIMARY KEY ${primaryKey}`);
    clauses.push(`ORDER BY ${text(extras["order_by"]) || primaryKey || "to_start_of_hour(_tp_time)"}`);
    if (text(extras["sample_by"]) !== "") clauses.push(`SAMPLE BY ${text(extras["sample_by"])}`);
    if (text(record["ttl_expression"]) !== "") clauses.push(`TTL ${text(record["ttl_expression"])}`);
  }
  const settings = streamSettings(record, extras);
  // Text the engine printed and was read back in carries index_granularity already.
  const engineSettings = mutable || settings.some((setting) => setting.key === "index_granularity") ? "" : ENGINE_SETTINGS;
  const settingText = [settingList(settings), engineSettings].filter((part) => part !== "").join(", ");
  if (settingText !== "") clauses.push(`SETTINGS ${settingText}`);
  const kind = mutable ? "MUTABLE STREAM" : "STREAM";
  return `CREATE ${kind} ${name}${columnBlock(lines)}${clauses.map((clause) => `\n${clause}`).join("")}${commentLine(record["description"])}`;
}

/**
 * The user's settings in their order. A stream created through REST has none stored: its mode
 * (when not append) and non-zero retention stand for them.
 */
export function streamSettings(record: JsonObject, extras: JsonObject = extrasOf(record)): Setting[] {
  const settings: Setting[] = Array.isArray(extras["settings"]) ? settingsOf(extras["settings"]) : [];
  if (!Array.isArray(extras["settings"])) {
    const mode = text(record["mode"]);
    if (mode !== "" && mode !== "append") settings.push({ key: "mode", value: mode, kind: "string" });
  }
  // Retention may have changed through REST (PATCH /streams) since the DDL: the record's fields win.
  for (const key of ["logstore_retention_bytes", "logstore_retention_ms"]) {
    const value = record[key];
    if (typeof value !== "number") continue;
    const at = settings.findIndex((setting) => setting.key === key);
    if (at >= 0) settings[at] = { key, value: String(value), kind: "number" };
    else if (value !== 0) settings.push({ key, value: String(value), kind: "number" });
  }
  return settings;
}

/** External stream and table settings: `{key, value}` as REST keeps them; DDL records which were not strings. */
export function externalSettings(record: JsonObject): Setting[] {
  const kinds = isJsonObject(extrasOf(record)["literal_kinds"]) ? (extrasOf(record)["literal_kinds"] as JsonObject) : {};
  const items = Array.isArray(record["settings"]) ? record["settings"].filter(isJsonObject) : [];
  return items.map((item) => {
    const key = text(item["key"]);
    const kind = kinds[key];
    return { key, value: text(item["value"]), kind: kind === "number" || kind === "bool" ? kind : "string" };
  });
}

export function showCreateExternal(record: JsonObject, target: "stream" | "table"): string {
  const extras = extrasOf(record);
  const columns = Array.isArray(record["columns"]) ? record["columns"].filter(isJsonObject) : [];
  const lines = columns.filter((column) => column["name"] !== TP_TIME).map((column) => columnLine(column, extras));
  const body = typeof extras["body"] === "string" ? `\nAS ${heredoc(extras["body"])}` : "";
  const partition = typeof extras["partition_by"] === "string" ? `\nPARTITION BY ${extras["partition_by"]}` : "";
  const name = objectName(text(record["name"]));
  return `CREATE EXTERNAL ${target === "stream" ? "STREAM" : "TABLE"} ${name}${columnBlock(lines)}${body}${partition}\nSETTINGS ${settingList(externalSettings(record))}${commentLine(record["description"])}`;
}

/** `AS` + newline + SELECT; with a comment the select is wrapped, `AS (` … `)`, and COMMENT follows. */
export function showCreateView(record: JsonObject, materialized: boolean): string {
  const extras = extrasOf(record);
  const target = text(record["target_stream"]);
  const head = materialized
    ? `CREATE ${extras["scheduled"] === true ? "SCHEDULED " : ""}MATERIALIZED VIEW ${objectName(text(record["name"]))}${target !== "" ? ` INTO ${objectName(target)}` : ""}`
    : `CREATE VIEW ${objectName(text(record["name"]))}`;
  const query = text(record["query"]).trim();
  const comment = text(record["description"]);
  return comment === "" ? `${head} AS\n${query}` : `${head} AS (\n${query}\n)\nCOMMENT ${quoteString(comment)}`;
}

export function showCreateFunction(record: JsonObject): string {
  const extras = extrasOf(record);
  const name = quoteName(text(record["name"]));
  const args = (Array.isArray(record["arguments"]) ? record["arguments"] : [])
    .filter(isJsonObject)
    .map((argument) => `${quoteName(text(argument["name"]))} ${canonicalType(text(argument["type"]))}`)
    .join(", ");
  const returns = canonicalType(text(record["return_type"]));
  const type = text(record["type"]);
  if (type === "sql") return `CREATE FUNCTION ${name} AS ${text(record["source"])}`;
  if (type === "remote") {
    const context = isJsonObject(record["auth_context"]) ? record["auth_context"] : {};
    const method = text(record["auth_method"]) || "none";
    const auth =
      method === "auth_header"
        ? ` AUTH_HEADER ${quoteString(text(context["key_name"]))} AUTH_KEY ${quoteString(text(context["key_value"]))}`
        : "";
    const timeout = typeof extras["execution_timeout"] === "string" ? ` EXECUTION_TIMEOUT ${extras["execution_timeout"]}` : "";
    return `CREATE REMOTE FUNCTION ${name}(${args}) RETURNS ${returns} URL ${quoteString(text(record["url"]))} AUTH_METHOD ${quoteString(method)}${auth}${timeout}`;
  }
  const settings = settingsOf(extras["settings"]);
  return (
    `CREATE ${record["is_aggregation"] === true ? "AGGREGATE " : ""}FUNCTION ${name}(${args}) RETURNS ${returns} ` +
    `LANGUAGE ${type === "python" ? "PYTHON" : "JAVASCRIPT"} AS ${heredoc(text(record["source"]))}` +
    (settings.length > 0 ? ` SETTINGS ${settingList(settings)}` : "")
  );
}

export function showCreateSchema(record: JsonObject): string {
  return `CREATE FORMAT SCHEMA ${quoteName(text(record["name"]))} AS ${quoteString(text(record["content"]))} TYPE ${text(record["type"]) || "Protobuf"}`;
}

export function showCreateDatabase(name: string, record: JsonObject | undefined): string {
  const settings = record ? settingsOf(record["settings"]) : [];
  return `CREATE DATABASE ${quoteName(name)}${settings.length > 0 ? `\nSETTINGS ${settingList(settings)}` : ""}${commentLine(record?.["comment"])}`;
}

/**
 * A stream created over REST keeps its primary key as the REST API prints it (`` `a`, `b` ``), while
 * SHOW CREATE prints the expression (`(a, b)`, or `a` alone); quotes stay only where a name needs them.
 */
function engineKeyExpression(key: string): string {
  if (!/^`[^`\\]+`(, `[^`\\]+`)*$/.test(key)) return key;
  const names = key
    .split(", ")
    .map((quoted) => quoted.slice(1, -1))
    .map((name) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name}\``));
  return names.length === 1 ? (names[0] ?? "") : `(${names.join(", ")})`;
}

/** Dictionaries print PRIMARY KEY, SOURCE, LIFETIME, RANGE, LAYOUT, SETTINGS in that order, whatever the input order. */
export function showCreateDictionary(record: JsonObject): string {
  const columns = Array.isArray(record["columns"]) ? record["columns"].filter(isJsonObject) : [];
  const clauses = isJsonObject(record["clauses"]) ? record["clauses"] : {};
  const lines = columns.map((column) => columnLine(column, record));
  const parts = [`PRIMARY KEY ${text(record["primary_key"])}`];
  for (const clause of ["SOURCE", "LIFETIME", "RANGE", "LAYOUT", "SETTINGS"]) {
    if (typeof clauses[clause] === "string") parts.push(`${clause}(${clauses[clause]})`);
  }
  return `CREATE DICTIONARY ${objectName(text(record["name"]))}${columnBlock(lines)}${parts.map((part) => `\n${part}`).join("")}${commentLine(record["comment"])}`;
}

export function showCreateTask(record: JsonObject): string {
  return (
    `CREATE TASK ${objectName(text(record["name"]))}\nSCHEDULE ${text(record["schedule"])}\nTIMEOUT ${text(record["timeout"])}` +
    `\nINTO ${objectName(text(record["into"]))}\nAS\n${text(record["query"])}`
  );
}

export function showCreateNamedCollection(record: JsonObject): string {
  const entries = (Array.isArray(record["entries"]) ? record["entries"] : []).filter(isJsonObject).map((entry) => {
    const [setting] = settingsOf([entry]);
    const overridable = entry["overridable"] === true ? " OVERRIDABLE" : entry["overridable"] === false ? " NOT OVERRIDABLE" : "";
    return `${settingList(setting ? [setting] : [])}${overridable}`;
  });
  return `CREATE NAMED COLLECTION ${quoteName(text(record["name"]))} AS ${entries.join(", ")}`;
}
