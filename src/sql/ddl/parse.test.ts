import { describe, expect, it } from "vitest";
import { isSecretName } from "../../model/secrets.js";
import { DdlParseError, parseCreateStatement, readSystemFunctions, readSystemTables } from "./parse.js";
import { isSecretSettingName } from "./secrets.js";
import { normalizeType } from "./types.js";

describe("parseCreateStatement on the engine's own output", () => {
  it("reads a 1.6 SHOW CREATE STREAM, folding away _tp_time, its index, ENGINE and engine settings", () => {
    // Verbatim from timeplus-io/proton issue #840 (`CREATE STREAM old(id int)` read back).
    const sql = [
      "CREATE STREAM default.old",
      "(",
      "  `id` int32,",
      "  `_tp_time` datetime64(3, 'UTC') DEFAULT now64(3, 'UTC') CODEC(DoubleDelta, LZ4),",
      "  INDEX _tp_time_index _tp_time TYPE minmax GRANULARITY 256",
      ")",
      "ENGINE = Stream(1, 1, rand())",
      "PARTITION BY to_YYYYMMDD(_tp_time)",
      "ORDER BY to_start_of_hour(_tp_time)",
      "SETTINGS index_granularity = 8192",
    ].join("\n");
    expect(parseCreateStatement(sql)).toEqual({
      kind: "stream",
      name: "old",
      database: "default",
      spec: { name: "old", columns: [{ name: "id", type: "int32" }], mode: "append", description: "" },
      dependsOn: [],
    });
  });

  it("reads a 3.x versioned_kv stream printed without ENGINE, with TTL and an owner", () => {
    const sql = [
      "CREATE STREAM default.states",
      "(",
      "  `node_id` uint64,",
      "  `name` string,",
      "  `_tp_time` datetime64(3, 'UTC') DEFAULT now64(3, 'UTC') CODEC(DoubleDelta, LZ4),",
      "  INDEX _tp_time_index _tp_time TYPE minmax GRANULARITY 32,",
      "  INDEX _tp_sn_index _tp_sn TYPE minmax GRANULARITY 32",
      ")",
      "PRIMARY KEY (name, node_id)",
      "ORDER BY (name, node_id)",
      "TTL to_datetime(_tp_time) + INTERVAL 2 MONTH",
      "SETTINGS mode = 'versioned_kv', logstore_codec = 'zstd', index_granularity = 8192",
      "COMMENT 'node states [tpctl:ops secrets=ab12]'",
    ].join("\n");
    const parsed = parseCreateStatement(sql);
    expect(parsed.spec).toEqual({
      name: "states",
      columns: [
        { name: "node_id", type: "uint64" },
        { name: "name", type: "string" },
      ],
      primary_key: "(name, node_id)",
      mode: "versioned_kv",
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 2 MONTH",
      description: "node states",
    });
    expect(parsed.owner).toBe("ops");
    expect(parsed.secretsFingerprint).toBe("ab12");
  });

  it("reads a 1.6-style external stream (CREATE STREAM … SETTINGS type) when system.tables says ExternalStream, leaving secrets out", () => {
    // The shape of timeplus-io/proton issue #332 (3.0.11 echo), secret in plain text.
    const sql =
      "CREATE EXTERNAL STREAM IF NOT EXISTS test_3\n(\n  `name` string\n)\nSETTINGS type = 'kafka', brokers = 'kafka:9092', topic = 't', security_protocol = 'SASL_PLAINTEXT', username = 'admin', password = 'admin-secret'";
    const parsed = parseCreateStatement(sql);
    expect(parsed.kind).toBe("external_stream");
    expect(parsed.spec["settings"]).toEqual([
      { key: "type", value: "kafka" },
      { key: "brokers", value: "kafka:9092" },
      { key: "topic", value: "t" },
      { key: "security_protocol", value: "SASL_PLAINTEXT" },
      { key: "username", value: "admin" },
    ]);
    expect(JSON.stringify(parsed)).not.toContain("admin-secret");
    const old = parseCreateStatement(
      "CREATE STREAM default.k\n(\n  `raw` string\n)\nSETTINGS type = 'kafka', brokers = 'b:9092', topic = 'x'",
      { engine: "ExternalStream" },
    );
    expect(old.kind).toBe("external_stream");
    expect(old.spec["columns"]).toEqual([{ name: "raw", type: "string" }]);
  });

  it("reads materialized views with INTO, inner storage, SETTINGS inside the query and a wrapped SELECT", () => {
    const mv = parseCreateStatement(
      "CREATE MATERIALIZED VIEW default.mv INTO default.totals AS\nSELECT s, count() AS n\nFROM default.src\nGROUP BY s\nSETTINGS checkpoint_interval = 5",
    );
    expect(mv.spec).toEqual({
      name: "mv",
      target_stream: "totals",
      query: "SELECT s, count() AS n\nFROM default.src\nGROUP BY s\nSETTINGS checkpoint_interval = 5",
      description: "",
    });
    const commented = parseCreateStatement(
      "CREATE MATERIALIZED VIEW default.mv INTO INNER UUID 'a-b' AS (\nSELECT 1\n)\nCOMMENT 'x [tpctl:p]'",
    );
    expect(commented.spec).toEqual({ name: "mv", query: "SELECT 1", description: "x" });
    expect(commented.owner).toBe("p");
  });

  it("reads views, external tables, functions and format schemas", () => {
    expect(parseCreateStatement("CREATE VIEW default.v AS\nSELECT * FROM s WHERE a = 'x'\nCOMMENT 'd'").spec).toEqual({
      name: "v",
      query: "SELECT * FROM s WHERE a = 'x'",
      description: "d",
    });
    expect(
      parseCreateStatement("CREATE EXTERNAL TABLE default.ch SETTINGS type = 'clickhouse', address = 'localhost:9000', table = 'events'")
        .spec,
    ).toEqual({
      name: "ch",
      settings: [
        { key: "type", value: "clickhouse" },
        { key: "address", value: "localhost:9000" },
        { key: "table", value: "events" },
      ],
      description: "",
    });
    expect(
      parseCreateStatement(
        "CREATE REMOTE FUNCTION udf_name(ip string) RETURNS string URL 'https://the_url' AUTH_METHOD 'auth_header' AUTH_HEADER 'header_name' AUTH_KEY 'value'",
      ).spec,
    ).toEqual({
      name: "udf_name",
      type: "remote",
      arguments: [{ name: "ip", type: "string" }],
      return_type: "string",
      url: "https://the_url",
      auth_method: "auth_header",
      auth_context: { key_name: "header_name" },
      description: "",
    });
    const js = parseCreateStatement(
      "CREATE AGGREGATE FUNCTION test_sec_large(value float32)\nRETURNS float32\nLANGUAGE JAVASCRIPT AS $$\n  { initialize: function() {} }\n$$",
    );
    expect(js.spec).toMatchObject({
      type: "javascript",
      is_aggregation: true,
      source: "  { initialize: function() {} }",
      return_type: "float32",
    });
    expect(parseCreateStatement("CREATE FORMAT SCHEMA s AS 'syntax = \"proto3\";\\n// [tpctl:p]\\n' TYPE Protobuf")).toMatchObject({
      kind: "schema",
      owner: "p",
      spec: { name: "s", type: "Protobuf", content: 'syntax = "proto3";' },
    });
  });

  it("reads the variants a formatter may print: column lists on views and MVs, TO, quoted names, single-quoted bodies", () => {
    expect(parseCreateStatement("CREATE VIEW default.v\n(\n  `a` int32,\n  `b` string\n) AS\nSELECT a, b FROM default.s").spec).toEqual({
      name: "v",
      query: "SELECT a, b FROM default.s",
      description: "",
    });
    expect(
      parseCreateStatement(
        "CREATE MATERIALIZED VIEW IF NOT EXISTS default.mv TO default.t\n(\n  `n` uint64\n) AS\nSELECT count() AS n FROM default.s",
      ).spec,
    ).toEqual({
      name: "mv",
      target_stream: "t",
      query: "SELECT count() AS n FROM default.s",
      description: "",
    });
    expect(
      parseCreateStatement(
        "CREATE FUNCTION `f`(`x` nullable(int32)) RETURNS string LANGUAGE JavaScript AS 'function f(x) { return x.map((v) => \\'$$\\' + v); }'",
      ).spec,
    ).toEqual({
      name: "f",
      type: "javascript",
      arguments: [{ name: "x", type: "nullable(int32)" }],
      return_type: "string",
      source: "function f(x) { return x.map((v) => '$$' + v); }",
      is_aggregation: false,
      description: "",
    });
    expect(
      parseCreateStatement(
        "CREATE STREAM `my db`.`my stream` UUID 'abc' (`a b` int32 DEFAULT 1 COMMENT 'c, d' CODEC(Delta, ZSTD(1)) TTL to_datetime(_tp_time) + INTERVAL 1 DAY)",
      ).spec,
    ).toEqual({
      name: "my stream",
      columns: [
        {
          name: "a b",
          type: "int32",
          default: "1",
          comment: "c, d",
          codec: "Delta, ZSTD(1)",
          ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
        },
      ],
      mode: "append",
      description: "",
    });
  });

  it("reads the 1.6 formatter's shapes: AS( … ) before COMMENT, an MV's storage before AS, ENGINE naming the kind", () => {
    // proton src/Parsers/ASTCreateQuery.cpp: ` AS(` + newline + SELECT + `)`, then newline + COMMENT.
    expect(parseCreateStatement("CREATE VIEW default.v\n(\n  `a` int32\n) AS(\nSELECT a\nFROM default.s)\nCOMMENT 'c'").spec).toEqual({
      name: "v",
      query: "SELECT a\nFROM default.s",
      description: "c",
    });
    const inner = parseCreateStatement(
      "CREATE MATERIALIZED VIEW default.mv INTO INNER UUID 'u'\n(\n  `n` uint64\n)\nENGINE = Stream(1, 1, rand())\nPARTITION BY to_YYYYMMDD(_tp_time)\nORDER BY to_start_of_hour(_tp_time)\nTTL to_datetime(_tp_time) + INTERVAL 1 DAY\nSETTINGS logstore_retention_ms = 60000, index_granularity = 8192 AS\nSELECT count() AS n\nFROM default.s",
    );
    expect(inner.spec).toEqual({
      name: "mv",
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      logstore_retention_ms: 60000,
      query: "SELECT count() AS n\nFROM default.s",
      description: "",
    });
    expect(
      parseCreateStatement(
        "CREATE STREAM default.k\n(\n  `raw` string\n)\nENGINE = ExternalStream\nSETTINGS type = 'kafka', brokers = 'b', topic = 't'",
      ).kind,
    ).toBe("external_stream");
    expect(
      parseCreateStatement("CREATE STREAM default.m\n(\n  `id` string\n)\nENGINE = MutableStream(1, 1)\nPRIMARY KEY id").spec,
    ).toMatchObject({ primary_key: "id" });
    expect(parseCreateStatement("CREATE STREAM default.m\n(\n  `id` string\n)\nENGINE = MutableStream(1, 1)\nPRIMARY KEY id").kind).toBe(
      "mutable_stream",
    );
  });

  it("says what it could not read", () => {
    expect(() => parseCreateStatement("CREATE DICTIONARY d (k uint64) PRIMARY KEY k")).toThrow(DdlParseError);
    expect(() => parseCreateStatement("CREATE STREAM s (a int) BOGUS")).toThrow(/storage clause/);
  });
});

describe("readSystemTables", () => {
  it("reads one database's objects, their dependencies, and an MV's inner storage", () => {
    const rows = [
      {
        database: "default",
        name: "src",
        engine: "Stream",
        uuid: "u1",
        create_table_query: "CREATE STREAM default.src (`a` int32) ORDER BY to_start_of_hour(_tp_time)",
        dependencies_database: ["default", "default"],
        dependencies_table: ["mv", "v"],
      },
      {
        database: "default",
        name: "mv",
        engine: "MaterializedView",
        uuid: "u2",
        create_table_query: "CREATE MATERIALIZED VIEW default.mv AS SELECT a FROM default.src",
        comment: "",
      },
      {
        database: "default",
        name: ".inner.target-id.u2",
        engine: "Stream",
        uuid: "u3",
        create_table_query:
          "CREATE STREAM default.`.inner.target-id.u2` (`a` int32) TTL to_datetime(_tp_time) + INTERVAL 1 DAY SETTINGS logstore_retention_ms = 3600000",
      },
      {
        database: "default",
        name: "v",
        engine: "View",
        create_table_query: "CREATE VIEW default.v AS SELECT a FROM default.src",
        comment: "from the column [tpctl:p]",
      },
      { database: "default", name: "r", engine: "Random", create_table_query: "CREATE RANDOM STREAM default.r (`i` int32 DEFAULT rand())" },
      { database: "other", name: "x", engine: "Stream", create_table_query: "CREATE STREAM other.x (`a` int32)" },
    ];
    const parsed = readSystemTables(rows, { database: "default" });
    expect(parsed.map((p) => [p.kind, p.name, p.dependsOn])).toEqual([
      ["stream", "src", []],
      ["materialized_view", "mv", ["stream/src"]],
      ["view", "v", ["stream/src"]],
      ["random_stream", "r", []],
    ]);
    expect(parsed[3]?.spec).toEqual({
      name: "r",
      description: "",
      columns: [{ name: "i", type: "int32", default: "rand()" }],
      eps: 1000,
      interval_time: 5,
    });
    expect(parsed[1]?.spec).toMatchObject({ ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY", logstore_retention_ms: 3600000 });
    expect(parsed[2]).toMatchObject({ owner: "p", spec: { description: "from the column" } });
  });

  it("names the object whose definition it cannot read", () => {
    const rows = [
      { database: "default", name: "bad", engine: "Stream", create_table_query: "CREATE STREAM default.bad (`a` int32) WEIRD" },
    ];
    expect(() => readSystemTables(rows, { database: "default" })).toThrow(/stream\/bad/);
  });
});

describe("readSystemFunctions", () => {
  it("reads JavaScript and remote UDFs, skips system and SQL lambda functions, and names those it could not read", () => {
    const { functions, unread } = readSystemFunctions([
      { name: "plus", origin: "System", create_query: "" },
      { name: "color_hex", origin: "SQLUserDefined", create_query: "CREATE FUNCTION color_hex AS (r, g, b) -> concat('#', hex(r))" },
      {
        name: "f",
        origin: "ExecutableUserDefined",
        create_query: "CREATE FUNCTION f(x int32) RETURNS int32 LANGUAGE JAVASCRIPT AS $$\nfunction f(x) { return x; }\n// [tpctl:p]\n$$",
      },
      { name: "z", origin: "ExecutableUserDefined", create_query: "" },
      { name: "a", origin: "ExecutableUserDefined", create_query: "" },
    ]);
    expect(functions.map((f) => [f.name, f.owner, f.spec["source"]])).toEqual([["f", "p", "function f(x) { return x; }"]]);
    expect(unread).toEqual(["a", "z"]);
  });
});

describe("isSecretSettingName", () => {
  it("hides exactly the names the planner treats as secret", () => {
    const names = [
      "password",
      "sasl_password",
      "sasl_mechanism",
      "username",
      "brokers",
      "topic",
      "jwt",
      "token",
      "access_key_id",
      "secret_access_key",
      "kafka_schema_registry_credentials",
      "ssl_ca_pem",
      "client_key",
      "message_key",
      "http_header_Authorization",
      "nats_nkey_seed",
      "api_key",
      "keyspace",
      "data_format",
      "url",
    ];
    expect(names.filter(isSecretSettingName)).toEqual(names.filter(isSecretName));
  });
});

describe("normalizeType", () => {
  it("gives two spellings of one type the same text", () => {
    expect(normalizeType("Nullable(Int)")).toBe("nullable(int32)");
    expect(normalizeType("int")).toBe("int32");
    expect(normalizeType("datetime64")).toBe("datetime64(3)");
    expect(normalizeType("datetime64(3,'UTC')")).toBe("datetime64(3, 'UTC')");
    expect(normalizeType("Map(String, Array(Float))")).toBe("map(string, array(float32))");
    expect(normalizeType("tuple(a int, b String)")).toBe("tuple(a int32, b string)");
    expect(normalizeType("enum8('a'=1,'b'=2)")).toBe("enum8('a' = 1, 'b' = 2)");
    expect(normalizeType("LowCardinality(String)")).toBe("low_cardinality(string)");
    expect(normalizeType("decimal(10, 2)")).toBe("decimal(10, 2)");
  });
});
