import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import type { Catalog, Located, Transaction } from "../catalog.js";
import { assertRelationsExist, columnLookup, formatTimestamp, ownerOf } from "../kinds/common.js";
import type { Actor } from "../kinds/kind.js";
import { checkQuery, deriveColumns } from "../query.js";
import type {
  Alter,
  AlterCommand,
  CreateDictionary,
  CreateExternal,
  CreateFunction,
  CreateStream,
  CreateView,
  Drop,
  Parsed,
  QualifiedName,
  Rename,
  Setting,
  ShowCreate,
  ShowList,
  Statement,
  SystemMaterializedView,
} from "./ast.js";
import { SQL_CODES, sqlError, notImplemented } from "./errors.js";
import { checkModifyQuery } from "./modify-query.js";
import { catalogKey, objectName, qualifiedName, settingList, splitCatalogKey } from "./format.js";
import {
  columnRecord,
  DEFAULT_DATABASE,
  extrasOf,
  settingsJson,
  settingsOf,
  showCreateDatabase,
  showCreateFunction,
  showCreateNamedCollection,
  showCreateSchema,
  showCreateTask,
  SQL_KINDS,
  TP_TIME,
  tpTimeColumn,
} from "./objects.js";
import { splitQuerySettings } from "./parser.js";
import { createQueryOf, engineOf, matchesLike, type Rows, runSelect } from "./system.js";

/** Who runs a statement and when: the audit fields of what it creates or changes. */
export interface SqlEnv {
  readonly now: Date;
  readonly actor: Actor;
  readonly version: string;
}

/** True for statements that only read: they run on a snapshot, not inside a write. */
export function isRead(statement: Statement): boolean {
  return statement.type === "show_create" || statement.type === "show_list" || statement.type === "exists" || statement.type === "select";
}

/**
 * Runs a DDL statement against the workspace inside one write: it either applies whole or throws
 * (a SqlError, or the REST kinds' ApiFailure for checks shared with them) and changes nothing.
 */
export function executeDdl(statement: Statement, tx: Transaction, env: SqlEnv): void {
  switch (statement.type) {
    case "create_stream":
      return createStream(statement, tx, env);
    case "create_external":
      return createExternal(statement, tx, env);
    case "create_view":
      return createView(statement, tx, env);
    case "create_function":
      return createFunction(statement, tx, env);
    case "create_format_schema": {
      const existing = tx.get("schema", statement.name);
      if (existing && statement.ifNotExists) return;
      if (existing && !statement.orReplace)
        throw sqlError(SQL_CODES.FORMAT_SCHEMA_ALREADY_EXISTS, `Format schema ${statement.name} already exists`);
      const type = ["Protobuf", "Avro"].find((candidate) => candidate.toLowerCase() === statement.schemaType.toLowerCase());
      if (type === undefined)
        throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Unknown format schema type '${statement.schemaType}': expected Protobuf or Avro`);
      tx.put("schema", statement.name, { name: statement.name, type, content: statement.content, ...audit(env, existing) });
      return;
    }
    case "create_database": {
      if (isBuiltInDatabase(statement.name) || tx.get(SQL_KINDS.database, statement.name)) {
        if (statement.ifNotExists) return;
        throw sqlError(SQL_CODES.DATABASE_ALREADY_EXISTS, `Database ${statement.name} already exists`);
      }
      tx.put(SQL_KINDS.database, statement.name, {
        name: statement.name,
        settings: settingsJson(statement.settings),
        comment: statement.comment ?? "",
        ...audit(env, undefined),
      });
      return;
    }
    case "create_dictionary":
      return createDictionary(statement, tx, env);
    case "create_task": {
      const name = localName(tx, statement.name);
      const existing = tx.get(SQL_KINDS.task, name);
      if (existing && statement.ifNotExists) return;
      if (existing && !statement.orReplace) throw sqlError(SQL_CODES.RESOURCE_ALREADY_EXISTS, `Task ${objectName(name)} already exists`);
      const into = localName(tx, statement.into);
      const target = tx.relation(into);
      if (!target) throw unknownStream(into);
      if (!target.module.acceptsWrites)
        throw sqlError(
          SQL_CODES.BAD_ARGUMENTS,
          `A task can only write into a stream or external table, not ${target.module.label} ${into}`,
        );
      // Only parsed: a task's historical query may read system streams (`system.cluster` in the
      // docs' example), whose names the catalog does not hold.
      checkQuery(statement.query);
      tx.put(SQL_KINDS.task, name, {
        name,
        schedule: statement.schedule,
        timeout: statement.timeout,
        into,
        query: statement.query,
        ...audit(env, existing),
      });
      return;
    }
    case "create_named_collection": {
      if (tx.get(SQL_KINDS.namedCollection, statement.name)) {
        if (statement.ifNotExists) return;
        throw sqlError(SQL_CODES.RESOURCE_ALREADY_EXISTS, `Named collection ${statement.name} already exists`);
      }
      tx.put(SQL_KINDS.namedCollection, statement.name, {
        name: statement.name,
        entries: statement.entries.map((entry) => ({
          key: entry.key,
          value: entry.value.value,
          kind: entry.value.kind,
          ...(entry.overridable !== undefined ? { overridable: entry.overridable } : {}),
        })),
        ...audit(env, undefined),
      });
      return;
    }
    case "drop":
      return drop(statement, tx);
    case "alter":
      return alter(statement, tx, env);
    case "alter_named_collection": {
      const record = tx.get(SQL_KINDS.namedCollection, statement.name);
      if (!record) throw sqlError(SQL_CODES.RESOURCE_NOT_FOUND, `Named collection ${statement.name} doesn't exist`);
      const entries = (Array.isArray(record["entries"]) ? record["entries"] : [])
        .filter(isJsonObject)
        .filter((entry) => !statement.remove.includes(String(entry["key"])));
      for (const entry of statement.set) {
        const value: JsonObject = {
          key: entry.key,
          value: entry.value.value,
          kind: entry.value.kind,
          ...(entry.overridable !== undefined ? { overridable: entry.overridable } : {}),
        };
        const at = entries.findIndex((existing) => existing["key"] === entry.key);
        if (at >= 0) entries[at] = value;
        else entries.push(value);
      }
      tx.put(SQL_KINDS.namedCollection, statement.name, { ...record, entries, ...updated(env) });
      return;
    }
    case "rename":
      return rename(statement, tx, env);
    case "system_mv":
      return systemMaterializedView(statement, tx, env);
    default:
      throw notImplemented(`${statement.type} is not a DDL statement`);
  }
}

/** Answers a read (SHOW, EXISTS, SELECT) from a snapshot of the workspace. */
export function executeRead(parsed: Parsed, catalog: Catalog, env: SqlEnv): Rows {
  const statement = parsed.statement;
  switch (statement.type) {
    case "show_create":
      return { columns: [{ name: "statement", type: "string" }], rows: [[showCreate(statement, catalog)]] };
    case "show_list":
      return showList(statement, catalog);
    case "exists": {
      const database = statement.name.database ?? DEFAULT_DATABASE;
      const known = database === DEFAULT_DATABASE || catalog.get(SQL_KINDS.database, database) !== undefined;
      const found = known && locate(catalog, catalogKey(database, statement.name.name)) !== undefined;
      return { columns: [{ name: "result", type: "uint8" }], rows: [[found ? 1 : 0]] };
    }
    case "select":
      return runSelect(statement, catalog, { version: env.version });
    default:
      throw notImplemented(`${statement.type} is not a read`);
  }
}

// ---------------------------------------------------------------------------------------------
// Names

function isBuiltInDatabase(name: string): boolean {
  return name === DEFAULT_DATABASE || name === "system";
}

/**
 * The catalog key of an object: its name within `default`, `db.name` in a database CREATE DATABASE
 * made (the catalog the REST API shares has one namespace; docs/fidelity.md, "Databases").
 */
function localName(catalog: Catalog, name: QualifiedName): string {
  const database = name.database;
  if (database === undefined || database === DEFAULT_DATABASE) return name.name;
  if (database === "system") throw sqlError(SQL_CODES.NOT_IMPLEMENTED, `Database system is read-only`);
  if (!catalog.get(SQL_KINDS.database, database)) throw sqlError(SQL_CODES.UNKNOWN_DATABASE, `Database ${database} doesn't exist`);
  return catalogKey(database, name.name);
}

interface Found {
  readonly kind: string;
  readonly record: JsonObject;
  readonly located?: Located;
}

/** The object holding `name` in the engine's one namespace of streams, views, tables and dictionaries. */
function locate(catalog: Catalog, name: string): Found | undefined {
  const located = catalog.relation(name);
  if (located) return { kind: located.module.kind, record: located.record, located };
  const dictionary = catalog.get(SQL_KINDS.dictionary, name);
  return dictionary ? { kind: SQL_KINDS.dictionary, record: dictionary } : undefined;
}

function unknownStream(name: string): Error {
  return sqlError(SQL_CODES.UNKNOWN_STREAM, `Stream ${objectName(name)} doesn't exist`);
}

function alreadyExists(found: Found, name: string): Error {
  const engine = engineOf(found.kind, found.record);
  const label = engine === "Random" ? "RandomStream" : engine;
  return sqlError(SQL_CODES.STREAM_ALREADY_EXISTS, `${label} ${objectName(name)} already exists`);
}

function audit(env: SqlEnv, existing: JsonObject | undefined): JsonObject {
  const at = formatTimestamp(env.now);
  const by = ownerOf(env.actor);
  return {
    created_at: existing?.["created_at"] ?? at,
    created_by: existing?.["created_by"] ?? by,
    last_updated_at: at,
    last_updated_by: by,
  };
}

function updated(env: SqlEnv): JsonObject {
  return { last_updated_at: formatTimestamp(env.now), last_updated_by: ownerOf(env.actor) };
}

// ---------------------------------------------------------------------------------------------
// CREATE

/** Names the windowing functions produce, which no create query may declare (docs/timeplus-sql.md). */
const RESERVED_COLUMNS = new Set(["window_start", "window_end"]);

function reservedColumn(name: string): Error {
  return sqlError(SQL_CODES.ILLEGAL_COLUMN, `Column ${name} is reserved, should not used in create query`);
}

const STREAM_SETTINGS = new Set([
  "shards",
  "sharding_expr",
  "replication_factor",
  "replicas",
  "mode",
  "version_column",
  "storage_type",
  "logstore_codec",
  "logstore_retention_bytes",
  "logstore_retention_ms",
  "placement_policies",
  "shared_disk",
  "ingest_mode",
  "ack",
  "ingest_batch_max_bytes",
  "ingest_batch_timeout_ms",
  "fetch_threads",
  "flush_threshold_count",
  "flush_threshold_ms",
  "flush_threshold_bytes",
  "merge_with_ttl_timeout",
  "keep_versions",
  "event_time_column",
  "logstore_flush_messages",
  "logstore_flush_ms",
  "storage_policy",
  "index_granularity",
  "parts_to_delay_insert",
  "parts_to_throw_insert",
]);
const MUTABLE_SETTINGS = new Set([
  "shards",
  "replication_factor",
  "version_column",
  "coalesced",
  "logstore_codec",
  "logstore_retention_bytes",
  "logstore_retention_ms",
  "ttl_seconds",
  "ttl_column",
  "auto_cf",
  "placement_policies",
  "late_insert_overrides",
  "shared_disk",
  "ingest_mode",
  "ack",
  "ingest_batch_max_bytes",
  "ingest_batch_timeout_ms",
  "fetch_threads",
  "flush_rows",
  "flush_ms",
  "log_kvstore",
  "kvstore_codec",
  "kvstore_options",
  "enable_hash_index",
  "enable_statistics",
]);
const RANDOM_SETTINGS = new Set(["eps", "interval_time"]);
const MODES = new Set(["append", "changelog", "changelog_kv", "versioned_kv"]);
const KEYED_MODES = new Set(["changelog_kv", "versioned_kv"]);

function columnsOf(
  columns: CreateStream["columns"],
  options: { implicitTime: boolean; eventTime: string },
): {
  columns: JsonObject[];
  extras: Record<string, JsonValue>;
} {
  const seen = new Set<string>();
  const records: JsonObject[] = [];
  const extras: Record<string, JsonValue> = {};
  for (const column of columns) {
    if (seen.has(column.name)) throw sqlError(SQL_CODES.DUPLICATE_COLUMN, `Column ${column.name} already exists`);
    seen.add(column.name);
    if (RESERVED_COLUMNS.has(column.name)) throw reservedColumn(column.name);
    if (column.name.startsWith("_tp_") && column.name !== TP_TIME)
      throw sqlError(SQL_CODES.ILLEGAL_COLUMN, `Column ${column.name} is reserved: _tp_ columns are the engine's`);
    const { record, extras: own } = columnRecord(column);
    records.push(record);
    if (own) extras[column.name] = own;
  }
  if (options.implicitTime && !seen.has(TP_TIME)) records.push(tpTimeColumn(options.eventTime));
  return { columns: records, extras };
}

function settingValue(settings: readonly Setting[], key: string): string | undefined {
  return settings.find((setting) => setting.key === key)?.value;
}

function integerSetting(settings: readonly Setting[], key: string, fallback: number): number {
  const value = settingValue(settings, key);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number)) throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Setting ${key} must be an integer, not '${value}'`);
  return number;
}

function createStream(statement: CreateStream, tx: Transaction, env: SqlEnv): void {
  const name = localName(tx, statement.name);
  const existing = locate(tx, name);
  if (existing) {
    if (statement.ifNotExists) return;
    if (statement.orReplace) throw notImplemented("CREATE OR REPLACE STREAM is not supported: drop the stream and create it again");
    throw alreadyExists(existing, name);
  }
  const variant = statement.variant;
  const allowed = variant === "mutable" ? MUTABLE_SETTINGS : variant === "random" ? RANDOM_SETTINGS : STREAM_SETTINGS;
  const storage = variant === "mutable" ? "MutableStream" : variant === "random" ? "Random" : "Stream";
  for (const setting of statement.settings) {
    if (!allowed.has(setting.key)) throw sqlError(SQL_CODES.UNKNOWN_SETTING, `Unknown setting ${setting.key} for storage ${storage}`);
  }
  if (variant !== "stream") {
    const refused = [
      statement.partitionBy !== undefined ? "PARTITION BY" : "",
      statement.orderBy !== undefined ? "ORDER BY" : "",
      statement.sampleBy !== undefined ? "SAMPLE BY" : "",
      variant === "random" && statement.primaryKey !== undefined ? "PRIMARY KEY" : "",
      variant === "random" && statement.ttl !== undefined ? "TTL" : "",
    ].filter((clause) => clause !== "");
    if (refused.length > 0)
      throw sqlError(
        SQL_CODES.BAD_ARGUMENTS,
        `${refused.join(", ")} ${refused.length > 1 ? "are" : "is"} not allowed for a ${variant} stream`,
      );
  }
  if (variant !== "mutable" && (statement.secondaryIndexes.length > 0 || statement.families.length > 0)) {
    throw sqlError(SQL_CODES.BAD_ARGUMENTS, "Secondary indexes (INDEX name (columns)) and FAMILY are for mutable streams");
  }
  if (variant === "mutable" && statement.indexes.some((index) => index.name !== "_tp_time_index")) {
    throw sqlError(
      SQL_CODES.BAD_ARGUMENTS,
      "A mutable stream's INDEX takes a column list: INDEX name (columns) [UNIQUE] [STORING (columns)]",
    );
  }
  const mode = settingValue(statement.settings, "mode") ?? "append";
  if (!MODES.has(mode))
    throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Unknown stream mode '${mode}': expected append, changelog, changelog_kv or versioned_kv`);
  const primaryKey = statement.primaryKey?.trim() ?? "";
  if ((KEYED_MODES.has(mode) || variant === "mutable") && primaryKey === "") {
    throw sqlError(SQL_CODES.BAD_ARGUMENTS, `A ${variant === "mutable" ? "mutable stream" : `${mode} stream`} needs a PRIMARY KEY`);
  }
  const eventTime = settingValue(statement.settings, "event_time_column") ?? "";
  const { columns, extras: columnExtras } = columnsOf(statement.columns, { implicitTime: true, eventTime });
  if (statement.columns.length === 0)
    throw sqlError(SQL_CODES.INCORRECT_QUERY, "Incorrect CREATE query: required list of column descriptions");
  const known = new Set(columns.map((column) => String(column["name"])));
  for (const index of statement.secondaryIndexes) {
    for (const column of [...index.columns, ...index.storing]) {
      if (!known.has(column)) throw sqlError(SQL_CODES.UNKNOWN_IDENTIFIER, `Secondary index ${index.name} names unknown column ${column}`);
    }
  }
  for (const family of statement.families) {
    for (const column of family.columns) {
      if (!known.has(column)) throw sqlError(SQL_CODES.UNKNOWN_IDENTIFIER, `Column family ${family.name} names unknown column ${column}`);
    }
  }
  const extras: Record<string, JsonValue> = { settings: settingsJson(statement.settings) };
  if (statement.orderBy !== undefined) extras["order_by"] = statement.orderBy.trim();
  if (statement.partitionBy !== undefined) extras["partition_by"] = statement.partitionBy.trim();
  if (statement.sampleBy !== undefined) extras["sample_by"] = statement.sampleBy.trim();
  // The engine's own `_tp_time_index`, in text it printed and that is read back in, is not the user's.
  const indexes = statement.indexes.filter((index) => index.name !== "_tp_time_index");
  if (indexes.length > 0) extras["indexes"] = indexes.map((index) => ({ ...index }));
  if (Object.keys(columnExtras).length > 0) extras["columns"] = columnExtras;
  const ttl = statement.ttl?.trim() ?? "";
  const record: Record<string, JsonValue> = {
    name,
    description: statement.comment ?? "",
    engine: storage,
    is_external: false,
    mode,
    primary_key: primaryKey,
    columns,
  };
  if (variant === "mutable") {
    record["column_families"] = statement.families.map((family) => ({ name: family.name, columns: [...family.columns] }));
    record["secondary_indexes"] = statement.secondaryIndexes.map((index) => ({
      name: index.name,
      columns: [...index.columns],
      storing: [...index.storing],
      unique: index.unique,
    }));
  }
  record["logstore_retention_bytes"] = integerSetting(statement.settings, "logstore_retention_bytes", 0);
  record["logstore_retention_ms"] = integerSetting(statement.settings, "logstore_retention_ms", 0);
  record["ttl"] = ttl;
  record["ttl_expression"] = ttl;
  tx.put("stream", name, { ...record, ...audit(env, undefined), sql: extras });
}

function createExternal(statement: CreateExternal, tx: Transaction, env: SqlEnv): void {
  const name = localName(tx, statement.name);
  const kind = statement.target === "stream" ? "external_stream" : "external_table";
  const existing = locate(tx, name);
  if (existing) {
    if (statement.ifNotExists) return;
    if (!(statement.orReplace && existing.kind === kind)) throw alreadyExists(existing, name);
    assertNoDependents(tx, name);
  }
  const type = settingValue(statement.settings, "type")?.trim() ?? "";
  if (type === "") throw sqlError(SQL_CODES.BAD_ARGUMENTS, `An external ${statement.target} needs the setting 'type'`);
  const required: Readonly<Record<string, readonly string[]>> =
    statement.target === "stream"
      ? {
          kafka: ["brokers", "topic"],
          pulsar: ["service_url", "topic"],
          nats_jetstream: ["url", "stream_name", "subject"],
          http: ["url"],
          timeplus: ["hosts", "stream"],
        }
      : { clickhouse: ["address"], mysql: ["address"], postgresql: ["address"], mongodb: ["uri", "collection"] };
  const viaCollection = settingValue(statement.settings, "named_collection") !== undefined;
  const missing = viaCollection
    ? []
    : (required[type.toLowerCase()] ?? []).filter((key) => (settingValue(statement.settings, key) ?? "").trim() === "");
  if (missing.length > 0)
    throw sqlError(
      SQL_CODES.BAD_ARGUMENTS,
      `A ${type} external ${statement.target} needs the setting${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
    );
  if (type.toLowerCase() === "python" && statement.body === undefined)
    throw sqlError(SQL_CODES.BAD_ARGUMENTS, "A python external stream needs its AS $$ … $$ body");
  const formatSchema = settingValue(statement.settings, "format_schema");
  if (formatSchema !== undefined) {
    const schema = formatSchema.split(":")[0] ?? "";
    if (!tx.get("schema", schema)) throw sqlError(SQL_CODES.UNKNOWN_FORMAT_SCHEMA, `Format schema ${schema} doesn't exist`);
  }
  const { columns, extras: columnExtras } = columnsOf(statement.columns, { implicitTime: false, eventTime: "" });
  const literalKinds: Record<string, JsonValue> = {};
  for (const setting of statement.settings) if (setting.kind !== "string") literalKinds[setting.key] = setting.kind;
  const extras: Record<string, JsonValue> = {};
  if (Object.keys(literalKinds).length > 0) extras["literal_kinds"] = literalKinds;
  if (statement.body !== undefined) extras["body"] = statement.body;
  if (statement.partitionBy !== undefined) extras["partition_by"] = statement.partitionBy.trim();
  if (Object.keys(columnExtras).length > 0) extras["columns"] = columnExtras;
  tx.put(kind, name, {
    name,
    description: statement.comment ?? "",
    type,
    settings: statement.settings.map((setting) => ({ key: setting.key, value: setting.value })),
    columns,
    ...audit(env, existing?.record),
    sql: extras,
  });
}

function createView(statement: CreateView, tx: Transaction, env: SqlEnv): void {
  const name = localName(tx, statement.name);
  const { relations } = checkQuery(statement.query);
  const existing = locate(tx, name);
  if (existing) {
    if (statement.ifNotExists) return;
    if (!(statement.orReplace && existing.kind === "view")) throw alreadyExists(existing, name);
    if (tx.reaches(relations, name)) throw sqlError(SQL_CODES.BAD_ARGUMENTS, `View ${objectName(name)} would read itself`);
  }
  assertRelationsExist(tx, relations);
  const columns = deriveColumns(statement.query, columnLookup(tx));
  if (!statement.materialized) {
    tx.put("view", name, { name, description: statement.comment ?? "", query: statement.query, columns, ...audit(env, undefined) });
    return;
  }
  // Without INTO the MV's output becomes its inner stream's columns, so the same names are refused.
  const reserved =
    statement.into === undefined ? columns.map((column) => String(column["name"])).find((name) => RESERVED_COLUMNS.has(name)) : undefined;
  if (reserved !== undefined) throw reservedColumn(reserved);
  let target = "";
  if (statement.into !== undefined) {
    target = localName(tx, statement.into);
    const located = tx.relation(target);
    if (!located) throw unknownStream(target);
    if (!located.module.acceptsWrites) {
      throw sqlError(
        SQL_CODES.BAD_ARGUMENTS,
        `${engineOf(located.module.kind, located.record)} ${objectName(target)} cannot be the target of a materialized view`,
      );
    }
  }
  tx.put("materialized_view", name, {
    name,
    description: statement.comment ?? "",
    query: statement.query,
    target_stream: target,
    columns,
    logstore_retention_bytes: -1,
    logstore_retention_ms: -1,
    ttl_expression: "",
    ...audit(env, undefined),
    ...(statement.scheduled ? { sql: { scheduled: true } } : {}),
  });
}

function createFunction(statement: CreateFunction, tx: Transaction, env: SqlEnv): void {
  const existing = tx.get("udf", statement.name);
  if (existing) {
    if (statement.ifNotExists) return;
    if (!statement.orReplace) throw sqlError(SQL_CODES.FUNCTION_ALREADY_EXISTS, `User-defined function '${statement.name}' already exists`);
  }
  const seen = new Set<string>();
  for (const argument of statement.arguments) {
    if (seen.has(argument.name)) throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Argument ${argument.name} is declared more than once`);
    seen.add(argument.name);
  }
  const extras: Record<string, JsonValue> = {};
  if (statement.settings.length > 0) extras["settings"] = settingsJson(statement.settings);
  if (statement.executionTimeout !== undefined) extras["execution_timeout"] = statement.executionTimeout;
  const record: Record<string, JsonValue> = {
    name: statement.name,
    type: statement.language,
    description: typeof existing?.["description"] === "string" ? existing["description"] : "",
    arguments: statement.arguments.map((argument) => ({ name: argument.name, type: argument.type.trim() })),
    return_type: statement.returns.trim(),
    url: statement.url ?? "",
    auth_method: statement.language === "remote" ? (statement.authMethod ?? "none") : "",
  };
  if (statement.authMethod === "auth_header")
    record["auth_context"] = { key_name: statement.authHeader ?? "", key_value: statement.authKey ?? "" };
  record["source"] = statement.source;
  record["is_aggregation"] = statement.aggregate;
  tx.put("udf", statement.name, { ...record, ...audit(env, existing), ...(Object.keys(extras).length > 0 ? { sql: extras } : {}) });
}

function createDictionary(statement: CreateDictionary, tx: Transaction, env: SqlEnv): void {
  const name = localName(tx, statement.name);
  const located = tx.relation(name);
  if (located) throw alreadyExists({ kind: located.module.kind, record: located.record }, name);
  const existing = tx.get(SQL_KINDS.dictionary, name);
  if (existing) {
    if (statement.ifNotExists) return;
    if (!statement.orReplace) throw sqlError(SQL_CODES.DICTIONARY_ALREADY_EXISTS, `Dictionary ${objectName(name)} already exists`);
  }
  const { columns, extras } = columnsOf(statement.columns, { implicitTime: false, eventTime: "" });
  tx.put(SQL_KINDS.dictionary, name, {
    name,
    columns,
    ...(Object.keys(extras).length > 0 ? { columns_sql: extras } : {}),
    primary_key: statement.primaryKey.trim(),
    clauses: Object.fromEntries(statement.clauses.map((clause) => [clause.clause, clause.text])),
    comment: statement.comment ?? "",
    ...audit(env, existing),
  });
}

// ---------------------------------------------------------------------------------------------
// DROP

/** 630 as the engine words it: "Cannot drop or rename default.s, because some tables depend on it: …". */
function assertNoDependents(catalog: Catalog, name: string): void {
  refuseWhileUsed(name, dependentNames(catalog, name));
}

/** What reads or writes the relation `name`: views, MVs, sinks, … (REST kinds) and SQL tasks writing into it. */
function dependentNames(catalog: Catalog, name: string): string[] {
  const relations = catalog
    .dependentsOf(name)
    .map((dependent) =>
      dependent.module.relation
        ? objectName(String(dependent.record["name"]))
        : `${dependent.module.label} ${String(dependent.record["name"])}`,
    );
  const tasks = catalog
    .list(SQL_KINDS.task)
    .filter((task) => task["into"] === name)
    .map((task) => `task ${objectName(String(task["name"]))}`);
  return [...relations, ...tasks];
}

function refuseWhileUsed(what: string, dependents: readonly string[]): void {
  if (dependents.length === 0) return;
  const subject = /\s/.test(what) ? what : objectName(what);
  throw sqlError(
    SQL_CODES.HAVE_DEPENDENT_OBJECTS,
    `Cannot drop or rename ${subject}, because some tables depend on it: ${dependents.join(", ")}`,
  );
}

function usersOf(catalog: Catalog, kind: string, name: string): string[] {
  return catalog
    .usersOf(kind, name)
    .map(
      (user) => `${user.module.relation ? objectName(String(user.record["name"])) : `${user.module.label} ${String(user.record["name"])}`}`,
    );
}

const DROP_KINDS: Readonly<Record<string, { readonly kinds: readonly string[]; readonly label: string }>> = {
  // In the engine DROP STREAM removes a view too (no kind check); external tables and dictionaries have their own DROP.
  stream: { kinds: ["stream", "external_stream", "view", "materialized_view"], label: "Stream" },
  view: { kinds: ["view", "materialized_view"], label: "View" },
  external_table: { kinds: ["external_table"], label: "External Table" },
  dictionary: { kinds: [SQL_KINDS.dictionary], label: "Dictionary" },
};

function drop(statement: Drop, tx: Transaction): void {
  const target = statement.target;
  const rule = DROP_KINDS[target];
  if (rule) {
    const name = localName(tx, statement.name);
    const found = locate(tx, name);
    if (!found) {
      if (statement.ifExists) return;
      throw unknownStream(name);
    }
    if (!rule.kinds.includes(found.kind)) {
      throw sqlError(SQL_CODES.INCORRECT_QUERY, `It ${objectName(name)} is not a ${rule.label}`);
    }
    if (found.kind !== SQL_KINDS.dictionary) assertNoDependents(tx, name);
    tx.remove(found.kind, name);
    return;
  }
  const name = statement.name.name;
  switch (target) {
    case "function": {
      if (!tx.get("udf", name)) {
        if (statement.ifExists) return;
        throw sqlError(SQL_CODES.UNKNOWN_FUNCTION, `User-defined function '${name}' doesn't exist`);
      }
      refuseWhileUsed(`function ${name}`, usersOf(tx, "udf", name));
      tx.remove("udf", name);
      return;
    }
    case "format_schema": {
      if (!tx.get("schema", name)) {
        if (statement.ifExists) return;
        throw sqlError(SQL_CODES.UNKNOWN_FORMAT_SCHEMA, `Format schema ${name} doesn't exist`);
      }
      refuseWhileUsed(`format schema ${name}`, usersOf(tx, "schema", name));
      tx.remove("schema", name);
      return;
    }
    case "database": {
      if (isBuiltInDatabase(name)) throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Database ${name} cannot be dropped`);
      if (!tx.get(SQL_KINDS.database, name)) {
        if (statement.ifExists) return;
        throw sqlError(SQL_CODES.UNKNOWN_DATABASE, `Database ${name} doesn't exist`);
      }
      dropContents(tx, name, statement.cascade === true);
      tx.remove(SQL_KINDS.database, name);
      return;
    }
    case "task":
    case "named_collection": {
      const kind = target === "task" ? SQL_KINDS.task : SQL_KINDS.namedCollection;
      const key = target === "task" ? localName(tx, statement.name) : name;
      if (!tx.get(kind, key)) {
        if (statement.ifExists) return;
        throw sqlError(SQL_CODES.RESOURCE_NOT_FOUND, `${target === "task" ? "Task" : "Named collection"} ${key} doesn't exist`);
      }
      tx.remove(kind, key);
      return;
    }
  }
}

/**
 * What lives in a database that is being dropped: without CASCADE the engine refuses while it is
 * non-empty (the docs: "fails while non-empty unless CASCADE"); with it, everything goes.
 */
function dropContents(tx: Transaction, database: string, cascade: boolean): void {
  const prefix = `${database}.`;
  const kinds = ["stream", "view", "materialized_view", "external_stream", "external_table", SQL_KINDS.dictionary, SQL_KINDS.task];
  const contents = kinds.flatMap((kind) =>
    tx
      .list(kind)
      .map((record) => String(record["name"]))
      .filter((key) => key.startsWith(prefix))
      .map((key) => ({ kind, key })),
  );
  if (contents.length === 0) return;
  if (!cascade) {
    throw sqlError(
      SQL_CODES.DATABASE_NOT_EMPTY,
      `Database ${database} is not empty: ${contents.map(({ key }) => objectName(key)).join(", ")}; drop them first or use DROP DATABASE … CASCADE`,
    );
  }
  // Readers before what they read, as DROP of each would require.
  const order = [SQL_KINDS.task, "materialized_view", "view", SQL_KINDS.dictionary, "external_table", "external_stream", "stream"];
  for (const kind of order) for (const item of contents.filter((content) => content.kind === kind)) tx.remove(item.kind, item.key);
}

// ---------------------------------------------------------------------------------------------
// ALTER (the matrix in docs/timeplus-sql.md "ALTER"): what the engine changes in place, and 48 for the rest

const RETENTION = new Set(["logstore_retention_ms", "logstore_retention_bytes"]);
const MUTABLE_ALTERABLE = new Set([...RETENTION, "log_kvstore", "kvstore_options", "logstore_codec"]);
const MV_QUERY_SETTINGS = new Set([
  "checkpoint_interval",
  "checkpoint_settings",
  "pause_on_start",
  "enable_dlq",
  "dlq_max_message_batch_size",
  "dlq_consecutive_failures_limit",
]);

type Shape = "stream" | "mutable" | "random" | "view" | "materialized_view" | "external_stream" | "external_table" | "dictionary";

function shapeOf(found: Found): Shape {
  if (found.kind === "stream") {
    const engine = engineOf("stream", found.record);
    return engine === "MutableStream" ? "mutable" : engine === "Random" ? "random" : "stream";
  }
  if (found.kind === SQL_KINDS.dictionary) return "dictionary";
  return found.kind as Shape;
}

const SHAPE_LABEL: Readonly<Record<Shape, string>> = {
  stream: "a stream",
  mutable: "a mutable stream",
  random: "a random stream",
  view: "a view",
  materialized_view: "a materialized view",
  external_stream: "an external stream",
  external_table: "an external table",
  dictionary: "a dictionary",
};

const COMMAND_TEXT: Readonly<Record<AlterCommand["op"], string>> = {
  add_column: "ADD COLUMN",
  drop_column: "DROP COLUMN",
  modify_column: "MODIFY COLUMN",
  rename_column: "RENAME COLUMN",
  modify_ttl: "MODIFY TTL",
  remove_ttl: "REMOVE TTL",
  modify_setting: "MODIFY SETTING",
  reset_setting: "RESET SETTING",
  modify_comment: "MODIFY COMMENT",
  add_index: "ADD INDEX",
  drop_index: "DROP INDEX",
  drop_partition: "DROP PARTITION",
  modify_query: "MODIFY QUERY",
  modify_query_setting: "MODIFY QUERY SETTING",
  reset_query_setting: "RESET QUERY SETTING",
};

/** Which commands each kind takes in place; anything else is 48 NOT_IMPLEMENTED. */
const SUPPORTED: Readonly<Record<Shape, ReadonlySet<AlterCommand["op"]>>> = {
  stream: new Set([
    "add_column",
    "rename_column",
    "modify_ttl",
    "remove_ttl",
    "modify_setting",
    "modify_comment",
    "add_index",
    "drop_index",
    "drop_partition",
  ]),
  mutable: new Set(["add_column", "modify_setting", "modify_comment", "add_index", "drop_index"]),
  random: new Set(["modify_comment"]),
  view: new Set(["modify_comment"]),
  // TTL and retention are the inner stream's: only an MV without INTO has one (checked below).
  materialized_view: new Set([
    "modify_comment",
    "modify_query",
    "modify_query_setting",
    "reset_query_setting",
    "modify_ttl",
    "remove_ttl",
    "modify_setting",
  ]),
  external_stream: new Set(["modify_setting", "modify_comment"]),
  external_table: new Set([]),
  dictionary: new Set([]),
};

function alter(statement: Alter, tx: Transaction, env: SqlEnv): void {
  const name = localName(tx, statement.name);
  const found = locate(tx, name);
  if (!found) throw unknownStream(name);
  const shape = shapeOf(found);
  if (statement.target === "view" && shape !== "view" && shape !== "materialized_view") {
    throw sqlError(SQL_CODES.INCORRECT_QUERY, `It ${objectName(name)} is not a View: use ALTER STREAM`);
  }
  let record: Record<string, JsonValue> = { ...found.record };
  for (const command of statement.commands) {
    if (!SUPPORTED[shape].has(command.op)) {
      throw notImplemented(
        `${COMMAND_TEXT[command.op]} is not supported for ${SHAPE_LABEL[shape]}${shape === "view" ? " (use CREATE OR REPLACE VIEW)" : ""}`,
      );
    }
    if (shape === "materialized_view" && INNER_STREAM_COMMANDS.has(command.op) && String(record["target_stream"] ?? "") !== "") {
      throw notImplemented(
        `Materialized view with specified target stream can't be altered: ${COMMAND_TEXT[command.op]} changes the inner stream of an MV without INTO`,
      );
    }
    record = applyCommand(command, record, shape, tx, name);
  }
  tx.put(found.kind, name, { ...record, ...updated(env) });
}

/** What an MV without INTO changes on its inner stream (ALTER STREAM mv …). */
const INNER_STREAM_COMMANDS: ReadonlySet<AlterCommand["op"]> = new Set(["modify_ttl", "remove_ttl", "modify_setting"]);

function columnsIn(record: JsonObject): JsonObject[] {
  return Array.isArray(record["columns"]) ? record["columns"].filter(isJsonObject) : [];
}

function withExtras(record: Record<string, JsonValue>, change: (extras: Record<string, JsonValue>) => void): Record<string, JsonValue> {
  const extras: Record<string, JsonValue> = { ...extrasOf(record) };
  change(extras);
  return { ...record, sql: extras };
}

function applyCommand(
  command: AlterCommand,
  record: Record<string, JsonValue>,
  shape: Shape,
  tx: Transaction,
  name: string,
): Record<string, JsonValue> {
  switch (command.op) {
    case "modify_comment":
      return shape === "dictionary" ? { ...record, comment: command.comment } : { ...record, description: command.comment };
    case "add_column": {
      const columns = columnsIn(record);
      if (columns.some((column) => column["name"] === command.column.name)) {
        if (command.ifNotExists) return record;
        throw sqlError(SQL_CODES.DUPLICATE_COLUMN, `Cannot add column ${command.column.name}: column with this name already exists`);
      }
      const {
        columns: [added],
        extras,
      } = columnsOf([command.column], { implicitTime: false, eventTime: "" });
      const at =
        command.first === true
          ? 0
          : command.after !== undefined
            ? columns.findIndex((column) => column["name"] === command.after) + 1
            : columns.findIndex((column) => column["name"] === TP_TIME);
      if (command.after !== undefined && at === 0)
        throw sqlError(SQL_CODES.NO_SUCH_COLUMN_IN_STREAM, `Wrong column name. Cannot find column ${command.after} to insert after`);
      const position = at < 0 ? columns.length : at;
      const next = { ...record, columns: [...columns.slice(0, position), added as JsonObject, ...columns.slice(position)] };
      return Object.keys(extras).length === 0
        ? next
        : withExtras(next, (sql) => {
            sql["columns"] = { ...(isJsonObject(sql["columns"]) ? sql["columns"] : {}), ...extras };
          });
    }
    case "rename_column": {
      const columns = columnsIn(record);
      if (!columns.some((column) => column["name"] === command.from))
        throw sqlError(SQL_CODES.NO_SUCH_COLUMN_IN_STREAM, `Wrong column name. Cannot find column ${command.from} to rename`);
      if (columns.some((column) => column["name"] === command.to))
        throw sqlError(SQL_CODES.DUPLICATE_COLUMN, `Cannot rename to ${command.to}: column with this name already exists`);
      if (command.from === TP_TIME) throw notImplemented(`Column ${TP_TIME} cannot be renamed`);
      const keys = [
        String(record["primary_key"] ?? ""),
        String(extrasOf(record)["order_by"] ?? ""),
        String(extrasOf(record)["partition_by"] ?? ""),
      ];
      if (
        keys.some((key) => new RegExp(`(^|[^A-Za-z0-9_])${command.from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^A-Za-z0-9_]|$)`).test(key))
      ) {
        throw notImplemented(`Column ${command.from} is part of the stream's key and cannot be renamed`);
      }
      return { ...record, columns: columns.map((column) => (column["name"] === command.from ? { ...column, name: command.to } : column)) };
    }
    case "modify_ttl":
      // An MV's record has no `ttl` alias (the seed's MaterializedView shape).
      return shape === "materialized_view"
        ? { ...record, ttl_expression: command.ttl.trim() }
        : { ...record, ttl: command.ttl.trim(), ttl_expression: command.ttl.trim() };
    case "remove_ttl":
      return shape === "materialized_view" ? { ...record, ttl_expression: "" } : { ...record, ttl: "", ttl_expression: "" };
    case "modify_setting": {
      let next = record;
      for (const setting of command.settings) {
        if (shape === "external_stream") {
          if (setting.key === "type") throw notImplemented("The type of an external stream cannot be changed");
          const settings = (Array.isArray(next["settings"]) ? next["settings"] : [])
            .filter(isJsonObject)
            .filter((item) => item["key"] !== setting.key);
          next = withExtras({ ...next, settings: [...settings, { key: setting.key, value: setting.value }] }, (sql) => {
            const kinds: Record<string, JsonValue> = { ...(isJsonObject(sql["literal_kinds"]) ? sql["literal_kinds"] : {}) };
            if (setting.kind === "string") delete kinds[setting.key];
            else kinds[setting.key] = setting.kind;
            sql["literal_kinds"] = kinds;
          });
          continue;
        }
        if (shape === "materialized_view") {
          if (!RETENTION.has(setting.key))
            throw notImplemented(
              `ALTER STREAM … MODIFY SETTING of a materialized view's inner stream supports only ${[...RETENTION].join(", ")}`,
            );
          const value = Number(setting.value);
          if (!Number.isInteger(value))
            throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Setting ${setting.key} must be an integer, not '${setting.value}'`);
          next = { ...next, [setting.key]: value };
          continue;
        }
        const alterable = shape === "mutable" ? MUTABLE_ALTERABLE : RETENTION;
        if (!alterable.has(setting.key)) {
          const known = (shape === "mutable" ? MUTABLE_SETTINGS : STREAM_SETTINGS).has(setting.key);
          if (!known)
            throw sqlError(
              SQL_CODES.UNKNOWN_SETTING,
              `Unknown setting ${setting.key} for storage ${shape === "mutable" ? "MutableStream" : "Stream"}`,
            );
          throw notImplemented(`ALTER STREAM … MODIFY SETTING does not support ${setting.key}: it can only be set at CREATE`);
        }
        if (RETENTION.has(setting.key)) {
          const value = Number(setting.value);
          if (!Number.isInteger(value))
            throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Setting ${setting.key} must be an integer, not '${setting.value}'`);
          next = { ...next, [setting.key]: value };
        }
        next = withExtras(next, (sql) => {
          const settings = settingsOf(Array.isArray(sql["settings"]) ? sql["settings"] : settingsJsonOfRest(next)).filter(
            (item) => item.key !== setting.key,
          );
          sql["settings"] = settingsJson([...settings, setting]);
        });
      }
      return next;
    }
    case "add_index": {
      if (shape === "mutable") {
        const index = command.secondary;
        if (!index) throw sqlError(SQL_CODES.BAD_ARGUMENTS, "A mutable stream's INDEX takes a column list: INDEX name (columns)");
        const known = new Set(columnsIn(record).map((column) => String(column["name"])));
        for (const column of [...index.columns, ...index.storing])
          if (!known.has(column))
            throw sqlError(SQL_CODES.UNKNOWN_IDENTIFIER, `Secondary index ${index.name} names unknown column ${column}`);
        const indexes = (Array.isArray(record["secondary_indexes"]) ? record["secondary_indexes"] : []).filter(isJsonObject);
        if (indexes.some((existing) => existing["name"] === index.name))
          throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Index ${index.name} already exists`);
        return {
          ...record,
          secondary_indexes: [
            ...indexes,
            { name: index.name, columns: [...index.columns], storing: [...index.storing], unique: index.unique },
          ],
        };
      }
      const index = command.skipping;
      if (!index)
        throw sqlError(SQL_CODES.BAD_ARGUMENTS, "A stream's INDEX is a skipping index: INDEX name expr TYPE type [GRANULARITY n]");
      return withExtras(record, (sql) => {
        const indexes = (Array.isArray(sql["indexes"]) ? sql["indexes"] : []).filter(isJsonObject);
        if (indexes.some((existing) => existing["name"] === index.name))
          throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Index ${index.name} already exists`);
        sql["indexes"] = [...indexes, { ...index }];
      });
    }
    case "drop_index": {
      if (shape === "mutable") {
        const indexes = (Array.isArray(record["secondary_indexes"]) ? record["secondary_indexes"] : []).filter(isJsonObject);
        if (!indexes.some((index) => index["name"] === command.name))
          throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Index ${command.name} doesn't exist`);
        return { ...record, secondary_indexes: indexes.filter((index) => index["name"] !== command.name) };
      }
      return withExtras(record, (sql) => {
        const indexes = (Array.isArray(sql["indexes"]) ? sql["indexes"] : []).filter(isJsonObject);
        if (!indexes.some((index) => index["name"] === command.name))
          throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Index ${command.name} doesn't exist`);
        sql["indexes"] = indexes.filter((index) => index["name"] !== command.name);
      });
    }
    case "drop_partition":
      // The server keeps no data: nothing to drop.
      return record;
    case "modify_query": {
      const { relations } = checkQuery(command.query);
      assertRelationsExist(tx, relations);
      if (tx.reaches(relations, name)) throw sqlError(SQL_CODES.BAD_ARGUMENTS, `Materialized view ${objectName(name)} would read itself`);
      const targetName = String(record["target_stream"] ?? "");
      const target = targetName === "" ? undefined : tx.relation(targetName);
      checkModifyQuery(
        String(record["query"] ?? ""),
        command.query,
        target === undefined
          ? undefined
          : {
              name: objectName(targetName),
              columns: columnsIn(target.record).map((column) => String(column["name"])),
            },
      );
      // The MV keeps its identity and state (created_*, checkpoints): only the query changes.
      return { ...record, query: command.query, columns: deriveColumns(command.query, columnLookup(tx)) };
    }
    case "modify_query_setting":
    case "reset_query_setting": {
      const { select, settings } = splitQuerySettings(String(record["query"] ?? ""));
      let next = settings;
      if (command.op === "modify_query_setting") {
        for (const setting of command.settings) {
          if (!MV_QUERY_SETTINGS.has(setting.key)) {
            throw notImplemented(
              `MODIFY QUERY SETTING does not support ${setting.key}: change it with MODIFY QUERY and a new SETTINGS clause`,
            );
          }
          next = [...next.filter((item) => item.key !== setting.key), setting];
        }
      } else {
        next = next.filter((item) => !command.keys.includes(item.key));
      }
      const query = next.length === 0 ? select : `${select}\nSETTINGS ${settingList(next)}`;
      return { ...record, query };
    }
    default:
      throw notImplemented(`${COMMAND_TEXT[command.op]} is not supported`);
  }
}

/** The settings a REST-created stream stands for, as JSON, so a MODIFY SETTING starts from them. */
function settingsJsonOfRest(record: JsonObject): JsonValue[] {
  const settings: Setting[] = [];
  const mode = String(record["mode"] ?? "");
  if (mode !== "" && mode !== "append") settings.push({ key: "mode", value: mode, kind: "string" });
  for (const key of RETENTION) {
    const value = record[key];
    if (typeof value === "number" && value !== 0) settings.push({ key, value: String(value), kind: "number" });
  }
  return settingsJson(settings);
}

function rename(statement: Rename, tx: Transaction, env: SqlEnv): void {
  for (const pair of statement.pairs) {
    if ((pair.from.database ?? DEFAULT_DATABASE) !== (pair.to.database ?? DEFAULT_DATABASE)) {
      throw notImplemented("Renaming a stream cannot change the database it belongs to");
    }
    const from = localName(tx, pair.from);
    const to = localName(tx, pair.to);
    const found = locate(tx, from);
    if (!found) {
      if (statement.ifExists) continue;
      throw unknownStream(from);
    }
    if (found.kind !== "stream") throw notImplemented(`RENAME STREAM is not supported for ${SHAPE_LABEL[shapeOf(found)]}`);
    const taken = locate(tx, to);
    if (taken) throw alreadyExists(taken, to);
    assertNoDependents(tx, from);
    tx.remove("stream", from);
    tx.put("stream", to, { ...found.record, name: to, ...updated(env) });
  }
}

/**
 * Pause and resume of MVs. Nothing runs here, so a pause is a flag; PERMANENT writes
 * `pause_on_start` into the MV's query settings (resume PERMANENT takes it out), which is how the
 * engine makes the state survive a restart, and which SHOW CREATE then shows.
 */
function systemMaterializedView(statement: SystemMaterializedView, tx: Transaction, env: SqlEnv): void {
  for (const qualified of statement.names) {
    const name = localName(tx, qualified);
    const found = locate(tx, name);
    if (!found) throw unknownStream(name);
    if (found.kind !== "materialized_view") throw sqlError(SQL_CODES.INCORRECT_QUERY, `It ${objectName(name)} is not a Materialized View`);
    if (statement.action === "abort" || statement.action === "recover") continue;
    const pause = statement.action === "pause";
    let record: Record<string, JsonValue> = withExtras({ ...found.record }, (sql) => {
      if (pause) sql["paused"] = true;
      else delete sql["paused"];
    });
    if (statement.permanent) {
      const { select, settings } = splitQuerySettings(String(record["query"] ?? ""));
      const rest = settings.filter((setting) => setting.key !== "pause_on_start");
      const next = pause ? [...rest, { key: "pause_on_start", value: "true", kind: "bool" as const }] : rest;
      record = { ...record, query: next.length === 0 ? select : `${select}\nSETTINGS ${settingList(next)}` };
    }
    tx.put("materialized_view", name, { ...record, ...updated(env) });
  }
}

// ---------------------------------------------------------------------------------------------
// SHOW

function showCreate(statement: ShowCreate, catalog: Catalog): string {
  const name = statement.name.name;
  switch (statement.target) {
    case "function": {
      const record = catalog.get("udf", name);
      if (!record) throw sqlError(SQL_CODES.UNKNOWN_FUNCTION, `User-defined function '${name}' doesn't exist`);
      return showCreateFunction(record);
    }
    case "format_schema": {
      const record = catalog.get("schema", name);
      if (!record) throw sqlError(SQL_CODES.UNKNOWN_FORMAT_SCHEMA, `Format schema ${name} doesn't exist`);
      return showCreateSchema(record);
    }
    case "database": {
      const record = catalog.get(SQL_KINDS.database, name);
      if (!record && !isBuiltInDatabase(name)) throw sqlError(SQL_CODES.UNKNOWN_DATABASE, `Database ${name} doesn't exist`);
      return showCreateDatabase(name, record);
    }
    case "named_collection": {
      const record = catalog.get(SQL_KINDS.namedCollection, name);
      if (!record) throw sqlError(SQL_CODES.RESOURCE_NOT_FOUND, `Named collection ${name} doesn't exist`);
      return showCreateNamedCollection(record);
    }
    case "task": {
      const local = readName(catalog, statement.name);
      const record = catalog.get(SQL_KINDS.task, local);
      if (!record) throw sqlError(SQL_CODES.RESOURCE_NOT_FOUND, `Task ${objectName(local)} doesn't exist`);
      return showCreateTask(record);
    }
    default: {
      const local = readName(catalog, statement.name);
      const found = locate(catalog, local);
      if (!found) throw unknownStream(local);
      return createQueryOf(found.kind, found.record);
    }
  }
}

/** A name to read: the catalog key of an object in `default` or a database CREATE DATABASE made. */
function readName(catalog: Catalog, name: QualifiedName): string {
  const database = name.database ?? DEFAULT_DATABASE;
  if (database === DEFAULT_DATABASE) return name.name;
  if (database !== "system" && !catalog.get(SQL_KINDS.database, database))
    throw sqlError(SQL_CODES.UNKNOWN_DATABASE, `Database ${database} doesn't exist`);
  if (database === "system") throw sqlError(SQL_CODES.UNKNOWN_STREAM, `Stream ${qualifiedName(database, name.name)} doesn't exist`);
  return catalogKey(database, name.name);
}

function sortedNames(names: readonly string[], like: string | undefined): string[][] {
  return names
    .filter((name) => like === undefined || matchesLike(name, like))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => [name]);
}

function showList(statement: ShowList, catalog: Catalog): Rows {
  const database = statement.database ?? DEFAULT_DATABASE;
  if (database !== DEFAULT_DATABASE && !isBuiltInDatabase(database) && !catalog.get(SQL_KINDS.database, database)) {
    throw sqlError(SQL_CODES.UNKNOWN_DATABASE, `Database ${database} doesn't exist`);
  }
  const names = (kinds: readonly string[]): string[] =>
    kinds.flatMap((kind) =>
      catalog
        .list(kind)
        .map((record) => splitCatalogKey(String(record["name"])))
        .filter((key) => key.database === database)
        .map((key) => key.name),
    );
  const nameColumn = [{ name: "name", type: "string" }];
  switch (statement.target) {
    case "streams":
      return {
        columns: nameColumn,
        rows: sortedNames(
          names(["stream", "view", "materialized_view", "external_stream", "external_table", SQL_KINDS.dictionary]),
          statement.like,
        ),
      };
    case "views":
      return { columns: nameColumn, rows: sortedNames(names(["view", "materialized_view"]), statement.like) };
    case "dictionaries":
      return { columns: nameColumn, rows: sortedNames(names([SQL_KINDS.dictionary]), statement.like) };
    case "tasks":
      return { columns: nameColumn, rows: sortedNames(names([SQL_KINDS.task]), statement.like) };
    case "databases":
      return {
        columns: nameColumn,
        rows: sortedNames(
          [DEFAULT_DATABASE, "system", ...catalog.list(SQL_KINDS.database).map((record) => String(record["name"]))],
          statement.like,
        ),
      };
    case "format_schemas": {
      const rows = catalog
        .list("schema")
        .filter((record) => statement.like === undefined || matchesLike(String(record["name"]), statement.like))
        .sort((a, b) => (String(a["name"]) < String(b["name"]) ? -1 : 1))
        .map((record) => [String(record["name"]), String(record["type"] ?? "")]);
      return {
        columns: [
          { name: "name", type: "string" },
          { name: "type", type: "string" },
        ],
        rows,
      };
    }
    case "functions": {
      const rows = catalog
        .list("udf")
        .filter((record) => statement.like === undefined || matchesLike(String(record["name"]), statement.like))
        .sort((a, b) => (String(a["name"]) < String(b["name"]) ? -1 : 1))
        .map((record) => [
          String(record["name"]),
          String(record["type"] ?? ""),
          record["is_aggregation"] === true ? 1 : 0,
          showCreateFunction(record),
        ]);
      return {
        columns: [
          { name: "name", type: "string" },
          { name: "type", type: "string" },
          { name: "is_aggregate", type: "uint8" },
          { name: "create_query", type: "string" },
        ],
        rows,
      };
    }
  }
}
