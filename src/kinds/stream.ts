import type { JsonObject, JsonValue } from "../model/index.js";
import { isJsonObject } from "../model/index.js";
import { manifestPrimaryKey } from "../sql/index.js";
import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { description, fixedComputed, retention, ttl, writeOnly } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

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
  ddl: { create: CREATE_RENDERERS.stream, drop: { object: "STREAM" } },
  references: () => NO_REFERENCES,
  rest: { collection: "streams", update: "patch-changed", readBack },
  // An omitted retention reads back as 0 (docs/timeplus-api.md §3.1).
  export: { folder: "streams", unset: { logstore_retention_bytes: 0, logstore_retention_ms: 0 } },
};

const EMPTY_MEANS_UNSET = [
  "primary_key",
  "event_time_column",
  "event_time_timezone",
  "order_by_expression",
  "order_by_granularity",
  "partition_by_granularity",
];

/** A stream as the REST API answers it, read back as the request fields a manifest declares. */
function readBack(answer: JsonObject): JsonObject {
  const spec: Record<string, JsonValue> = { ...answer };
  // `mode` "" means append; the response's engine "Stream" is not a request value.
  if (spec["mode"] === "") spec["mode"] = "append";
  if (spec["engine"] !== "MutableStream") delete spec["engine"];
  // The engine prints a key as `a`, `b`; manifests write (a, b).
  if (typeof spec["primary_key"] === "string") spec["primary_key"] = foldPrimaryKey(spec["primary_key"]);
  for (const field of EMPTY_MEANS_UNSET) {
    if (spec[field] === "") delete spec[field];
  }
  if (Array.isArray(spec["columns"])) spec["columns"] = spec["columns"].map(readBackColumn);
  return spec;
}

function foldPrimaryKey(key: string): string {
  try {
    return manifestPrimaryKey(key);
  } catch {
    return key;
  }
}

/** Per-column fields the server derives (nullable) are not request fields. */
function readBackColumn(column: JsonValue): JsonValue {
  if (!isJsonObject(column)) return column;
  const result: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(column)) {
    if (key === "nullable" || value === null || value === "") continue;
    result[key] = value;
  }
  return result;
}
