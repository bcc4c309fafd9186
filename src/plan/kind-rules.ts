import type { JsonValue } from "../model/index.js";
import type { Kind } from "../model/index.js";

/**
 * What the Timeplus API lets tpctl do with each field of each kind
 * (docs/timeplus-api.md §3 and §4). The diff reads these rules; nothing else
 * in the planner knows per-kind facts.
 */
export interface FieldRule {
  /** How values are compared. */
  readonly compare: "value" | "sql" | "columns" | "text" | "sparse" | "settings";
  /** The API changes this field in place; otherwise a change forces a replace. */
  readonly updatable: boolean;
  /**
   * The value the server stores when the field is omitted. When a manifest omits a field with a
   * known default, the live value is compared with the default (so removing a description clears it).
   */
  readonly default?: JsonValue;
  /**
   * The server fills the field in when omitted, with a value that depends on the deployment
   * (retention, TTL): compared only when the manifest declares it.
   */
  readonly computed?: boolean;
  /** The API does not return it on read, so it cannot be compared (e.g. a stream's replication_factor). */
  readonly writeOnly?: boolean;
  /**
   * Over SQL, where it differs from `updatable` (docs/sql-driver.md, "In place over SQL"): a boolean
   * says it outright; a name says which test of src/sql/ddl/in-place.ts decides per change
   * (`columns_appended`: only new columns after the existing ones; `query_compatible`: a
   * materialized view's query that ALTER VIEW … MODIFY QUERY can take).
   */
  readonly sql?: boolean | "columns_appended" | "query_compatible";
}

export interface KindRules {
  readonly fields: Readonly<Record<string, FieldRule>>;
  /** Losing this resource loses stored data or stops a running pipeline. */
  readonly destructiveToLose: boolean;
  /** Label used in reasons, e.g. "materialized view". */
  readonly label: string;
  /**
   * Its SQL is only stored text (dashboards, saved queries): the server does not hold it against
   * what it reads, so replacing what it reads does not require replacing it.
   */
  readonly readsLoosely?: boolean;
  /** Over SQL the engine renames it in place (RENAME STREAM) unless something reads it (src/sql/ddl/in-place.ts). */
  readonly sqlRename?: boolean;
}

const sqlReplace: FieldRule = { compare: "sql", updatable: false };
const sqlUpdate: FieldRule = { compare: "sql", updatable: true };
const description: FieldRule = { compare: "text", updatable: true, default: "" };
const fixed: FieldRule = { compare: "value", updatable: false };
const fixedComputed: FieldRule = { compare: "value", updatable: false, computed: true };
/** Accepted on create but not returned by GET (seed spec's Stream response; TF provider): cannot be compared. */
const writeOnly: FieldRule = { compare: "value", updatable: false, writeOnly: true };
const retention: FieldRule = { compare: "value", updatable: true, computed: true };
const ttl: FieldRule = { compare: "sql", updatable: true, computed: true };

const STREAM: KindRules = {
  label: "stream",
  destructiveToLose: true,
  sqlRename: true,
  fields: {
    description,
    columns: { compare: "columns", updatable: false, sql: "columns_appended" },
    mode: { compare: "value", updatable: false, default: "append" },
    primary_key: { compare: "sql", updatable: false, computed: true },
    engine: fixedComputed,
    event_time_column: writeOnly,
    event_time_timezone: writeOnly,
    logstore_retention_bytes: retention,
    logstore_retention_ms: retention,
    ttl_expression: ttl,
    shards: writeOnly,
    replication_factor: writeOnly,
    order_by_expression: writeOnly,
    order_by_granularity: writeOnly,
    partition_by_granularity: writeOnly,
    column_families: fixedComputed,
    // A mutable stream's indexes: ALTER STREAM … ADD INDEX / DROP INDEX (built asynchronously).
    secondary_indexes: { ...fixedComputed, sql: true },
  },
};

const VIEW: KindRules = {
  label: "view",
  destructiveToLose: false,
  fields: { description, query: sqlUpdate },
};

const MATERIALIZED_VIEW: KindRules = {
  label: "materialized view",
  destructiveToLose: true,
  fields: {
    description,
    query: { ...sqlReplace, sql: "query_compatible" },
    target_stream: { compare: "value", updatable: false, default: "" },
    logstore_retention_bytes: retention,
    logstore_retention_ms: retention,
    ttl_expression: ttl,
  },
};

const EXTERNAL_STREAM: KindRules = {
  label: "external stream",
  destructiveToLose: true,
  fields: {
    description: { ...description, updatable: false },
    settings: { compare: "settings", updatable: false },
    columns: { compare: "columns", updatable: false, computed: true },
  },
};

const EXTERNAL_TABLE: KindRules = {
  label: "external table",
  destructiveToLose: false,
  fields: { description: { ...description, updatable: false }, settings: { compare: "settings", updatable: false } },
};

const SOURCE: KindRules = {
  label: "source",
  destructiveToLose: true,
  fields: {
    description,
    type: fixed,
    stream: { compare: "value", updatable: true },
    properties: { compare: "sparse", updatable: true, default: {} },
  },
};

const SINK: KindRules = {
  label: "sink",
  destructiveToLose: true,
  fields: {
    description,
    type: fixed,
    query: sqlReplace,
    properties: { compare: "sparse", updatable: true, default: {} },
  },
};

const ALERT: KindRules = {
  label: "alert",
  destructiveToLose: true,
  fields: {
    description,
    severity: { compare: "value", updatable: true },
    action: fixed,
    trigger_sql: sqlUpdate,
    resolve_sql: { ...sqlUpdate, default: "" },
    properties: { compare: "sparse", updatable: true, default: {} },
  },
};

const DASHBOARD: KindRules = {
  label: "dashboard",
  destructiveToLose: false,
  readsLoosely: true,
  fields: { description, panels: { compare: "sparse", updatable: true, default: [] } },
};

const UDF: KindRules = {
  label: "UDF",
  destructiveToLose: false,
  fields: {
    description,
    type: fixed,
    arguments: { compare: "value", updatable: true, default: [] },
    return_type: { compare: "value", updatable: true },
    url: { compare: "value", updatable: true },
    auth_method: { compare: "value", updatable: true, computed: true },
    auth_context: { compare: "value", updatable: true, computed: true },
    source: { compare: "text", updatable: true },
    is_aggregation: { compare: "value", updatable: true, default: false },
  },
};

const SAVED_QUERY: KindRules = {
  label: "saved query",
  destructiveToLose: false,
  readsLoosely: true,
  fields: { description, sql: sqlUpdate, tags: { compare: "value", updatable: true, default: [] } },
};

const SCHEMA: KindRules = {
  label: "schema",
  destructiveToLose: false,
  fields: { type: fixed, content: { compare: "text", updatable: true } },
};

export const KIND_RULES: Readonly<Record<Kind, KindRules>> = {
  stream: STREAM,
  view: VIEW,
  materialized_view: MATERIALIZED_VIEW,
  external_stream: EXTERNAL_STREAM,
  external_table: EXTERNAL_TABLE,
  source: SOURCE,
  sink: SINK,
  alert: ALERT,
  dashboard: DASHBOARD,
  udf: UDF,
  saved_query: SAVED_QUERY,
  schema: SCHEMA,
};
