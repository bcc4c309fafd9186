import { describe, expect, it } from "vitest";
import type { JsonObject, JsonValue, Kind } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import { KIND_MODULES } from "../../kinds/index.js";
import { parseCreateStatement, readSystemTables } from "./parse.js";
import { renderCreate } from "../../kinds/index.js";
import { echoCreate, echoTables, type EchoOptions } from "./test-utils.js";
import { normalizeType } from "./types.js";

/**
 * render → what the engine stores and prints (test-utils.ts echo) → parse gives the declared spec
 * back, for every kind and every field, less only what the REST driver does not read back either
 * (secrets) and the values that equal the engine's defaults.
 */
interface Case {
  readonly kind: Kind;
  readonly spec: JsonObject;
  readonly secretPaths?: readonly string[];
  /** Fields whose read-back differs from the declaration on purpose (undefined: not read back). */
  readonly readBack?: Readonly<Record<string, JsonValue | undefined>>;
}

/** Quotes, backslashes, line breaks, `$$`, `;` and comment markers in one value. */
const HOSTILE = 'it\'s \\ a "value"\n-- no; DROP STREAM x; /* nor */ // this $$ `tick` \r\t end\\';

const CASES: Record<string, Case> = {
  "hostile strings in every string field of a stream": {
    kind: "stream",
    spec: {
      name: "h",
      description: HOSTILE,
      columns: [{ name: "c", type: "string", comment: HOSTILE, default: "'x'" }],
      event_time_column: "now64(3)",
    },
  },
  "hostile strings in external settings, a view's comment and a schema": {
    kind: "external_table",
    spec: {
      name: "ht",
      description: HOSTILE,
      settings: [
        { key: "type", value: "mysql" },
        { key: "address", value: HOSTILE },
      ],
    },
  },
  // The engine stores the parsed query, so a comment in it does not come back (nor is it compared).
  "hostile view comment": {
    kind: "view",
    spec: { name: "hv", query: "SELECT ';' AS s -- end", description: HOSTILE },
    readBack: { query: "SELECT ';' AS s" },
  },
  "hostile schema": { kind: "schema", spec: { name: "hs", type: "Protobuf", content: HOSTILE } },
  "hostile JavaScript": {
    kind: "udf",
    spec: {
      name: "hj",
      type: "javascript",
      return_type: "string",
      arguments: [],
      source: HOSTILE,
      description: HOSTILE,
      is_aggregation: false,
    },
  },
  "append stream, every field": {
    kind: "stream",
    spec: {
      name: "orders",
      description: "all orders",
      columns: [
        { name: "id", type: "string", comment: "order id" },
        {
          name: "amount",
          type: "float",
          default: "0",
          codec: "ZSTD(1)",
          skipping_index_expression: "INDEX idx_amount amount TYPE minmax GRANULARITY 4",
        },
        { name: "region", type: "low_cardinality(string)", ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY" },
        { name: "ts", type: "datetime64(3)" },
      ],
      mode: "versioned_kv",
      primary_key: "(id, region)",
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 7 DAY",
      logstore_retention_bytes: 1073741824,
      logstore_retention_ms: 86400000,
      shards: 3,
      replication_factor: 2,
      event_time_column: "ts",
      event_time_timezone: "Europe/Paris",
      order_by_granularity: "H",
      order_by_expression: "region",
      partition_by_granularity: "M",
    },
  },
  "changelog_kv stream (the engine adds _tp_delta)": {
    kind: "stream",
    spec: {
      name: "cl",
      columns: [
        { name: "k", type: "int" },
        { name: "v", type: "string" },
      ],
      mode: "changelog_kv",
      primary_key: "k",
    },
  },
  "append stream with only granularities": {
    kind: "stream",
    spec: { name: "g", columns: [{ name: "a", type: "int64" }], order_by_granularity: "m", partition_by_granularity: "H" },
  },
  "append stream with the engine's default granularities": {
    kind: "stream",
    spec: { name: "d", columns: [{ name: "a", type: "int64" }], order_by_granularity: "H", partition_by_granularity: "D" },
    readBack: { order_by_granularity: undefined, partition_by_granularity: undefined },
  },
  "mutable stream": {
    kind: "mutable_stream",
    spec: {
      name: "products",
      description: "catalogue",
      columns: [
        { name: "id", type: "string" },
        { name: "name", type: "string" },
        { name: "price", type: "float32", default: "0" },
        { name: "updated", type: "datetime64(3)" },
      ],
      primary_key: "id",
      secondary_indexes: [
        { name: "by_name", columns: ["name"], storing: ["price"], unique: true },
        { name: "by_price", columns: ["price"] },
      ],
      column_families: [{ name: "cf1", columns: ["name", "price"] }],
      shards: 2,
      replication_factor: 3,
      logstore_retention_ms: 3600000,
      logstore_retention_bytes: 1073741824,
      version_column: "price",
      coalesced: true,
      ttl_seconds: 86400,
      ttl_column: "updated",
    },
  },
  "random stream": {
    kind: "random_stream",
    spec: {
      name: "devices",
      description: "fake fleet",
      columns: [
        { name: "device", type: "string", default: "'device' || to_string(rand() % 4)" },
        { name: "speed", type: "float64", default: "rand() % 200" },
      ],
      eps: 0.5,
      interval_time: 100,
    },
  },
  view: {
    kind: "view",
    spec: { name: "v", query: "SELECT id, amount FROM orders WHERE region = 'eu'", description: "EU orders" },
  },
  "materialized view into a target": {
    kind: "materialized_view",
    spec: {
      name: "mv",
      target_stream: "totals",
      query: "SELECT region, sum(amount) AS total FROM orders GROUP BY region SETTINGS checkpoint_interval = 5",
      description: "totals",
    },
  },
  "materialized view without a comment": {
    kind: "materialized_view",
    spec: { name: "mv2", query: "SELECT 1 AS one" },
  },
  "external stream": {
    kind: "external_stream",
    spec: {
      name: "kafka_in",
      description: "raw events",
      columns: [{ name: "raw", type: "String" }],
      settings: [
        { key: "type", value: "kafka" },
        { key: "brokers", value: "b1:9092,b2:9092" },
        { key: "topic", value: "events" },
        { key: "data_format", value: "RawBLOB" },
        { key: "one_message_per_row", value: "true" },
        { key: "password", value: "it's secret" },
      ],
    },
    secretPaths: ["/settings/5/value"],
    // The REST API never returns credential settings; neither does the SQL reading.
    readBack: {
      settings: [
        { key: "type", value: "kafka" },
        { key: "brokers", value: "b1:9092,b2:9092" },
        { key: "topic", value: "events" },
        { key: "data_format", value: "RawBLOB" },
        { key: "one_message_per_row", value: "true" },
      ],
    },
  },
  "external table": {
    kind: "external_table",
    spec: {
      name: "ch",
      description: "ClickHouse events",
      settings: [
        { key: "type", value: "clickhouse" },
        { key: "address", value: "localhost:9000" },
        { key: "table", value: "events" },
      ],
    },
  },
  "JavaScript UDF": {
    kind: "udf",
    spec: {
      name: "add_five",
      type: "javascript",
      description: "adds five, */ // and all",
      arguments: [{ name: "value", type: "float32" }],
      return_type: "float32",
      source: "function add_five(values) {\n  return values.map((v) => v + 5); // five\n}",
      is_aggregation: false,
    },
  },
  "JavaScript UDAF whose body holds $$": {
    kind: "udf",
    spec: {
      name: "agg",
      type: "javascript",
      arguments: [{ name: "s", type: "string" }],
      return_type: "string",
      source: "{ initialize: function() { this.x = '$$'; }, process: function(v) {}, finalize: function() { return this.x; } }",
      is_aggregation: true,
    },
  },
  "remote UDF": {
    kind: "udf",
    spec: {
      name: "lookup",
      type: "remote",
      arguments: [
        { name: "ip", type: "string" },
        { name: "n", type: "int32" },
      ],
      return_type: "string",
      url: "https://example.com/lookup?a=1&b='2'",
      auth_method: "auth_header",
      auth_context: { key_name: "x-api-key", key_value: "k3y" },
    },
    secretPaths: ["/auth_context/key_value"],
    // Not readable over SQL: CREATE FUNCTION has no COMMENT, and the key is a secret.
    readBack: { auth_context: { key_name: "x-api-key" }, description: "" },
  },
  "format schema": {
    kind: "schema",
    spec: { name: "proto", type: "Protobuf", content: 'syntax = "proto3";\nmessage M {\n  string s = 1; // it\'s\n}' },
  },
};

const INNER_STORAGE_CASE: Case = {
  kind: "materialized_view",
  spec: {
    name: "mv",
    query: "SELECT region, count() AS n FROM orders GROUP BY region",
    ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
    logstore_retention_bytes: 1000000,
    logstore_retention_ms: 3600000,
    description: "counts",
  },
};

function withDefaults(kind: Kind, spec: JsonObject): Record<string, JsonValue> {
  const result: Record<string, JsonValue> = { ...spec };
  if (kind !== "schema" && result["description"] === undefined) result["description"] = "";
  if (kind === "stream" && result["engine"] === undefined && result["mode"] === undefined) result["mode"] = "append";
  // The time zone lives in _tp_time; the declared _tp_time the renderer wrote is folded away.
  return result;
}

/** Types compared as the engine spells them; codecs without their CODEC( ) wrapper. */
function comparable(spec: JsonObject): JsonObject {
  const columns = spec["columns"];
  if (!Array.isArray(columns)) return spec;
  return {
    ...spec,
    columns: (columns as readonly JsonValue[]).map((column) =>
      isJsonObject(column) && typeof column["type"] === "string" ? { ...column, type: normalizeType(column["type"]) } : column,
    ),
  };
}

function expectedSpec(testCase: Case): JsonObject {
  const result: Record<string, JsonValue> = withDefaults(testCase.kind, testCase.spec);
  for (const [key, value] of Object.entries(testCase.readBack ?? {})) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return comparable(result);
}

const LAYOUTS: Record<string, EchoOptions> = {
  "1.6 (ENGINE line, external streams as CREATE STREAM)": { engineLine: true, externalAsStream: true },
  "3.x (no ENGINE line)": { engineLine: false },
};

const ENGINES: Partial<Record<Kind, string>> = {
  mutable_stream: "MutableStream",
  random_stream: "Random",
  view: "View",
  materialized_view: "MaterializedView",
  external_stream: "ExternalStream",
  external_table: "ExternalTable",
};

describe.each(Object.entries(LAYOUTS))("render → engine → parse, %s", (_layout, echo) => {
  it.each(Object.entries(CASES))("%s", (_name, testCase) => {
    const name = String(testCase.spec["name"]);
    const statements = renderCreate(
      { kind: testCase.kind, name, spec: testCase.spec, ...(testCase.secretPaths ? { secretPaths: testCase.secretPaths } : {}) },
      { project: "shop", secretsFingerprint: "0a1b", database: "default" },
    );
    expect(statements).toHaveLength(1);
    const printed = echoCreate((statements[0] as { sql: string }).sql, echo);
    const engine =
      testCase.kind === "stream" ? (testCase.spec["engine"] === "MutableStream" ? "MutableStream" : "Stream") : ENGINES[testCase.kind];
    const parsed = parseCreateStatement(printed, engine !== undefined ? { engine } : {});
    expect(parsed.kind).toBe(testCase.kind);
    expect(parsed.name).toBe(name);
    expect(comparable(parsed.spec)).toEqual(expectedSpec(testCase));
    // Every kind but the remote UDF (no body, no COMMENT) carries the ownership marker.
    if (!(testCase.kind === "udf" && testCase.spec["type"] === "remote")) expect(parsed.owner).toBe("shop");
    if (testCase.kind !== "schema" && parsed.owner !== undefined) expect(parsed.secretsFingerprint).toBe("0a1b");
  });
});

describe("coverage", () => {
  it("exercises every field the planner knows for every kind that has DDL", () => {
    const kinds = [
      "stream",
      "mutable_stream",
      "random_stream",
      "view",
      "materialized_view",
      "external_stream",
      "external_table",
      "udf",
      "schema",
    ] as const;
    for (const kind of kinds) {
      // A stream with engine MutableStream is the REST API's mutable stream: over SQL it is the
      // mutable_stream kind, and the SQL driver refuses the REST spelling.
      const restOnly = kind === "stream" ? ["engine", "secondary_indexes", "column_families"] : [];
      const covered = new Set(restOnly);
      for (const field of [...Object.values(CASES), INNER_STORAGE_CASE]
        .filter((testCase) => testCase.kind === kind)
        .flatMap((testCase) => Object.keys(testCase.spec)))
        covered.add(field);
      const missing = Object.keys(KIND_MODULES[kind].fields).filter((field) => !covered.has(field));
      expect(missing, kind).toEqual([]);
    }
  });
});

describe("render → engine → system.tables → readSystemTables", () => {
  it("gives an inner-stream materialized view its retention and TTL back", () => {
    const spec = INNER_STORAGE_CASE.spec;
    const statements = renderCreate({ kind: "materialized_view", name: "mv", spec }, { project: "shop" }).map((s) => s.sql);
    expect(statements).toHaveLength(2);
    const [parsed, ...others] = readSystemTables(echoTables("materialized_view", "mv", statements), { database: "default" });
    expect(others).toEqual([]);
    expect(parsed?.spec).toEqual(spec);
    expect(parsed?.owner).toBe("shop");
  });

  it("reads every kind back through system.tables rows as through SHOW CREATE", () => {
    for (const testCase of Object.values(CASES)) {
      if (testCase.kind === "udf" || testCase.kind === "schema") continue;
      const name = String(testCase.spec["name"]);
      const statements = renderCreate({ kind: testCase.kind, name, spec: testCase.spec }, { project: "shop" }).map((s) => s.sql);
      const [parsed] = readSystemTables(echoTables(testCase.kind, name, statements, { externalAsStream: true }), { database: "default" });
      expect(comparable(parsed?.spec ?? {}), name).toEqual(expectedSpec(testCase));
    }
  });
});
