import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { description, fixedComputed, retention, ttl, writeOnly } from "./rules.js";

export const stream: KindModule = {
  kind: "stream",
  label: "stream",
  identity: "name",
  naming: "identifier",
  relation: true,
  home: "engine",
  destructiveToLose: true,
  readsLoosely: false,
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
  references: () => NO_REFERENCES,
  rest: { collection: "streams", update: "patch-changed" },
  // An omitted retention reads back as 0 (docs/timeplus-api.md §3.1).
  export: { folder: "streams", unset: { logstore_retention_bytes: 0, logstore_retention_ms: 0 } },
};
