import { describe, expect, it } from "vitest";
import { SqlError } from "./errors.js";
import { memoryWorkspace } from "./test-utils.js";

function codeOf(run: () => unknown): number {
  try {
    run();
  } catch (error) {
    if (error instanceof SqlError) return error.code;
    if (error instanceof Error && "code" in error) return Number((error as { code: unknown }).code);
    throw error;
  }
  throw new Error("no refusal");
}

function showCreate(workspace: ReturnType<typeof memoryWorkspace>, what: string): string {
  return String(workspace.run(`SHOW CREATE ${what}`)?.rows[0]?.[0]);
}

describe("SQL interpreter", () => {
  it("prints a stream the way the engine does: types, quoting, default., _tp_time, engine settings", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM old(id int)");
    expect(showCreate(w, "old")).toBe(
      [
        "CREATE STREAM default.old",
        "(",
        "  `id` int32,",
        "  `_tp_time` datetime64(3, 'UTC') DEFAULT now64(3, 'UTC') CODEC(DoubleDelta, LZ4),",
        "  INDEX _tp_time_index _tp_time TYPE minmax GRANULARITY 256",
        ")",
        "PARTITION BY to_YYYYMMDD(_tp_time)",
        "ORDER BY to_start_of_hour(_tp_time)",
        "SETTINGS index_granularity = 8192",
      ].join("\n"),
    );
  });

  it("stores DDL in the REST record shapes (so GET /streams reads it) with DDL-only facts apart", () => {
    const w = memoryWorkspace();
    w.run(
      "CREATE STREAM kv(i Int32, k string) PRIMARY KEY k SETTINGS mode='versioned_kv', logstore_retention_ms=3600000 COMMENT 'owner=me'",
    );
    const record = w.state.get("stream")?.get("kv");
    expect(record).toMatchObject({
      name: "kv",
      description: "owner=me",
      engine: "Stream",
      is_external: false,
      mode: "versioned_kv",
      primary_key: "k",
      logstore_retention_ms: 3600000,
      logstore_retention_bytes: 0,
      ttl_expression: "",
      columns: [
        { name: "i", type: "int32", default: "", codec: "", nullable: false },
        { name: "k", type: "string", default: "", codec: "", nullable: false },
        { name: "_tp_time", type: "datetime64(3, 'UTC')", default: "now64(3, 'UTC')", codec: "CODEC(DoubleDelta, LZ4)", nullable: false },
      ],
    });
  });

  it("refuses with the engine's codes: 57, 60, 630, 48, 15, 115, 36", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM s(a int)");
    w.run("CREATE VIEW v AS SELECT a FROM s");
    expect(codeOf(() => w.run("CREATE STREAM s(a int)"))).toBe(57);
    expect(codeOf(() => w.run("CREATE VIEW s AS SELECT 1"))).toBe(57);
    expect(codeOf(() => w.run("DROP STREAM missing"))).toBe(60);
    expect(codeOf(() => w.run("SHOW CREATE missing"))).toBe(60);
    expect(codeOf(() => w.run("CREATE VIEW w AS SELECT * FROM missing"))).toBe(60);
    expect(() => w.run("DROP STREAM s")).toThrow("Cannot drop or rename default.s, because some tables depend on it: default.v");
    expect(codeOf(() => w.run("DROP STREAM s"))).toBe(630);
    expect(codeOf(() => w.run("RENAME STREAM s TO s2"))).toBe(630);
    expect(codeOf(() => w.run("ALTER STREAM s DROP COLUMN a"))).toBe(48);
    expect(codeOf(() => w.run("ALTER STREAM s MODIFY COLUMN a int64"))).toBe(48);
    expect(codeOf(() => w.run("ALTER STREAM s MODIFY SETTING parts_to_throw_insert=10"))).toBe(48);
    expect(codeOf(() => w.run("ALTER VIEW v MODIFY QUERY SELECT 1"))).toBe(48);
    expect(codeOf(() => w.run("ALTER STREAM s ADD COLUMN a int"))).toBe(15);
    expect(codeOf(() => w.run("CREATE STREAM t(a int) SETTINGS no_such=1"))).toBe(115);
    expect(codeOf(() => w.run("CREATE STREAM t(a int) SETTINGS mode='versioned_kv'"))).toBe(36);
    expect(codeOf(() => w.run("DROP VIEW s"))).toBe(80);
    expect(() => w.run("CREATE STREAM t(window_start datetime64(3))")).toThrow(
      "Column window_start is reserved, should not used in create query",
    );
    expect(codeOf(() => w.run("CREATE MATERIALIZED VIEW m AS SELECT window_start, count() FROM tumble(s, 1m) GROUP BY window_start"))).toBe(
      44,
    );
    w.run("CREATE MATERIALIZED VIEW m AS SELECT window_start AS ts, count() AS n FROM tumble(s, 1m) GROUP BY window_start");
    w.run("DROP VIEW m");
    // Nothing of a refused statement is kept.
    expect(w.run("SHOW STREAMS")?.rows).toEqual([["s"], ["v"]]);
  });

  it("IF NOT EXISTS keeps the old definition; IF EXISTS on a missing object succeeds", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM s(a int)");
    w.run("CREATE STREAM IF NOT EXISTS s(b string)");
    expect(showCreate(w, "s")).toContain("`a` int32");
    w.run("DROP STREAM IF EXISTS missing");
    w.run("DROP VIEW IF EXISTS missing");
  });

  it("ALTER VIEW … MODIFY QUERY keeps the MV (its creation, so its state) and changes the query", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM src(a int, b int)");
    w.run("CREATE STREAM dst(a int, b int)");
    w.run("CREATE MATERIALIZED VIEW mv INTO dst AS SELECT a FROM src SETTINGS checkpoint_interval=5");
    const before = w.state.get("materialized_view")?.get("mv");
    w.run("ALTER VIEW mv MODIFY QUERY SELECT a, b FROM src");
    w.run("ALTER VIEW mv MODIFY QUERY SETTING enable_dlq=true");
    w.run("ALTER VIEW mv MODIFY COMMENT 'v2'");
    const after = w.state.get("materialized_view")?.get("mv");
    expect(after?.["created_at"]).toBe(before?.["created_at"]);
    expect(after?.["query"]).toBe("SELECT a, b FROM src\nSETTINGS enable_dlq = true");
    expect(showCreate(w, "mv")).toBe(
      "CREATE MATERIALIZED VIEW default.mv INTO default.dst AS (\nSELECT a, b FROM src\nSETTINGS enable_dlq = true\n)\nCOMMENT 'v2'",
    );
    expect(codeOf(() => w.run("ALTER VIEW mv MODIFY QUERY SETTING recovery_policy='best_effort'"))).toBe(48);
    expect(codeOf(() => w.run("DROP STREAM dst"))).toBe(630);
  });

  it("ALTER VIEW … MODIFY QUERY takes only a compatible query; the rest is 48, a column the target lacks 16", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM src(a int, b int)");
    w.run("CREATE STREAM dst(n uint64, s int64, m int64)");
    w.run("CREATE MATERIALIZED VIEW mv INTO dst AS SELECT count() AS n, sum(a) AS s FROM src SETTINGS preferred_exec_node=1");
    w.run("CREATE MATERIALIZED VIEW inner_mv AS SELECT a FROM src");
    expect(codeOf(() => w.run("ALTER VIEW mv MODIFY QUERY SELECT count() AS n FROM src SETTINGS preferred_exec_node=1"))).toBe(48);
    expect(codeOf(() => w.run("ALTER VIEW mv MODIFY QUERY SELECT sum(a) AS s, count() AS n FROM src SETTINGS preferred_exec_node=1"))).toBe(
      48,
    );
    expect(codeOf(() => w.run("ALTER VIEW mv MODIFY QUERY SELECT count() AS n, sum(b) AS s FROM src SETTINGS preferred_exec_node=1"))).toBe(
      48,
    );
    expect(codeOf(() => w.run("ALTER VIEW mv MODIFY QUERY SELECT count() AS n, sum(a) AS s FROM src SETTINGS preferred_exec_node=2"))).toBe(
      48,
    );
    expect(
      codeOf(() =>
        w.run("ALTER VIEW mv MODIFY QUERY SELECT count() AS n, sum(a) AS s, max(a) AS x FROM src SETTINGS preferred_exec_node=1"),
      ),
    ).toBe(16);
    expect(codeOf(() => w.run("ALTER VIEW inner_mv MODIFY QUERY SELECT a, b FROM src"))).toBe(48);
    // What the docs allow: a new output column of the target, new settings, an expression changed.
    w.run(
      "ALTER VIEW mv MODIFY QUERY SELECT count() AS n, sum(a) AS s, max(a) AS m FROM src SETTINGS preferred_exec_node=1, enable_dlq=true",
    );
    w.run("ALTER VIEW inner_mv MODIFY QUERY SELECT a + 1 AS a FROM src");
    expect(w.state.get("materialized_view")?.get("mv")?.["query"]).toContain("max(a) AS m");
  });

  it("SYSTEM PAUSE … PERMANENT writes pause_on_start into the MV's settings, RESUME … PERMANENT takes it out", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM src(a int)");
    w.run("CREATE MATERIALIZED VIEW mv AS SELECT a FROM src SETTINGS checkpoint_interval=5");
    w.run("SYSTEM PAUSE MATERIALIZED VIEW mv PERMANENT");
    expect(showCreate(w, "mv")).toBe(
      "CREATE MATERIALIZED VIEW default.mv AS\nSELECT a FROM src\nSETTINGS checkpoint_interval = 5, pause_on_start = true",
    );
    w.run("SYSTEM RESUME MATERIALIZED VIEW default.mv PERMANENT SYNC");
    expect(showCreate(w, "mv")).toBe("CREATE MATERIALIZED VIEW default.mv AS\nSELECT a FROM src\nSETTINGS checkpoint_interval = 5");
    w.run("SYSTEM PAUSE MATERIALIZED VIEW mv");
    expect(showCreate(w, "mv")).not.toContain("pause_on_start");
    expect(codeOf(() => w.run("SYSTEM PAUSE MATERIALIZED VIEW missing"))).toBe(60);
    expect(codeOf(() => w.run("SYSTEM PAUSE MATERIALIZED VIEW src"))).toBe(80);
    expect(codeOf(() => w.run("SYSTEM RELOAD CONFIG"))).toBe(48);
  });

  it("alters the inner stream of an MV without INTO, and refuses it for one with INTO (48)", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM src(a int)");
    w.run("CREATE MATERIALIZED VIEW inner_mv AS SELECT a FROM src");
    w.run("ALTER STREAM inner_mv MODIFY TTL to_datetime(_tp_time) + INTERVAL 1 DAY, MODIFY SETTING logstore_retention_ms = 60000");
    expect(w.state.get("materialized_view")?.get("inner_mv")).toMatchObject({
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      logstore_retention_ms: 60000,
      logstore_retention_bytes: -1,
    });
    w.run("CREATE MATERIALIZED VIEW into_mv INTO src AS SELECT a FROM src");
    expect(codeOf(() => w.run("ALTER STREAM into_mv MODIFY SETTING logstore_retention_ms = 1"))).toBe(48);
    expect(codeOf(() => w.run("ALTER STREAM inner_mv MODIFY SETTING checkpoint_interval = 1"))).toBe(48);
  });

  it("applies the in-place ALTERs of streams", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM s(a int, b string)");
    w.run(
      "ALTER STREAM s ADD COLUMN c float64 DEFAULT 1.5, RENAME COLUMN b TO b2, MODIFY TTL to_datetime(_tp_time) + INTERVAL 1 DAY, MODIFY SETTING logstore_retention_bytes=10, MODIFY COMMENT 'x'",
    );
    const record = w.state.get("stream")?.get("s");
    expect((record?.["columns"] as { name: string }[]).map((column) => column.name)).toEqual(["a", "b2", "c", "_tp_time"]);
    expect(record).toMatchObject({
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      ttl: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      logstore_retention_bytes: 10,
      description: "x",
    });
    expect(showCreate(w, "s")).toContain(
      "TTL to_datetime(_tp_time) + INTERVAL 1 DAY\nSETTINGS logstore_retention_bytes = 10, index_granularity = 8192\nCOMMENT 'x'",
    );
  });

  it("answers system.tables with engine, create_table_query, as_select, comment and dependencies", () => {
    const w = memoryWorkspace();
    w.run("CREATE STREAM s(a int) COMMENT 'c'");
    w.run("CREATE VIEW v AS SELECT a FROM s");
    const rows = w.run(
      "SELECT name, engine, as_select, comment, dependencies_table FROM system.tables WHERE database = 'default' ORDER BY name",
    )?.rows;
    expect(rows).toEqual([
      ["s", "Stream", "", "c", ["v"]],
      ["v", "View", "SELECT a FROM s", "", []],
    ]);
    const create = w.run("SELECT create_table_query FROM system.tables WHERE name = 'v'")?.rows[0]?.[0];
    expect(create).toBe("CREATE VIEW default.v AS\nSELECT a FROM s");
    expect(w.run("SELECT version()")?.rows).toEqual([["3.0.0-test"]]);
    expect(w.run("SELECT count() FROM system.tables WHERE engine = 'Stream'")).toEqual({
      columns: [{ name: "count()", type: "uint64" }],
      rows: [[1]],
    });
    expect(codeOf(() => w.run("SELECT name, count() FROM system.tables"))).toBe(48);
    expect(codeOf(() => w.run("SELECT nope FROM system.tables"))).toBe(47);
    expect(codeOf(() => w.run("SELECT * FROM system.nope"))).toBe(60);
    expect(codeOf(() => w.run("SELECT * FROM s"))).toBe(48);
  });

  it("stores functions, format schemas and the SQL-only kinds and prints them back", () => {
    const w = memoryWorkspace();
    w.run("CREATE FUNCTION add_five(value float32) RETURNS float32 LANGUAGE JAVASCRIPT AS $tp$ return '$$'; $tp$");
    expect(showCreate(w, "FUNCTION add_five")).toContain("AS $tp$ return '$$'; $tp$");
    expect(codeOf(() => w.run("CREATE FUNCTION add_five(v int) RETURNS int LANGUAGE JAVASCRIPT AS $$x$$"))).toBe(609);
    w.run("CREATE OR REPLACE FUNCTION add_five(value float32) RETURNS float32 LANGUAGE JAVASCRIPT AS $$ return 1 $$");
    expect(showCreate(w, "FUNCTION add_five")).toBe(
      "CREATE FUNCTION add_five(value float32) RETURNS float32 LANGUAGE JAVASCRIPT AS $$ return 1 $$",
    );
    w.run("CREATE FORMAT SCHEMA p AS 'syntax = \"proto3\";' TYPE Protobuf");
    expect(w.run("SHOW FORMAT SCHEMAS")?.rows).toEqual([["p", "Protobuf"]]);
    expect(codeOf(() => w.run("CREATE FORMAT SCHEMA p AS 'x' TYPE Protobuf"))).toBe(2610);
    w.run("CREATE DATABASE d2 COMMENT 'c'");
    expect(codeOf(() => w.run("CREATE DATABASE d2"))).toBe(82);
    expect(codeOf(() => w.run("CREATE STREAM d3.s(a int)"))).toBe(81);
    w.run("CREATE NAMED COLLECTION nc AS brokers='b:9092' NOT OVERRIDABLE, password='p'");
    w.run("ALTER NAMED COLLECTION nc SET topic='t' DELETE password");
    expect(showCreate(w, "NAMED COLLECTION nc")).toBe("CREATE NAMED COLLECTION nc AS brokers = 'b:9092' NOT OVERRIDABLE, topic = 't'");
    w.run("CREATE STREAM target(n int)");
    w.run("CREATE TASK t SCHEDULE 5s TIMEOUT 2s INTO target AS SELECT count() AS n FROM system.cluster");
    expect(codeOf(() => w.run("CREATE TASK t2 SCHEDULE 5s TIMEOUT 2s INTO missing AS SELECT 1 AS n"))).toBe(60);
    expect(w.run("SHOW TASKS")?.rows).toEqual([["t"]]);
    expect(() => w.run("DROP STREAM target")).toThrow("because some tables depend on it: task default.t");
    w.run("CREATE DICTIONARY dict (k uint16, v string) PRIMARY KEY k LAYOUT(FLAT()) SOURCE(TIMEPLUS(STREAM 'target')) LIFETIME(10)");
    expect(showCreate(w, "DICTIONARY dict")).toBe(
      "CREATE DICTIONARY default.dict\n(\n  `k` uint16,\n  `v` string\n)\nPRIMARY KEY k\nSOURCE(TIMEPLUS(STREAM 'target'))\nLIFETIME(10)\nLAYOUT(FLAT())",
    );
  });

  it("string literals with quotes, backslashes, newlines, $$, ; and comment markers read back equal", () => {
    const nasty = 'it\'s \\ a "test"\n$$ ; -- not a comment /* nor this */ \t`x`';
    const literal = `'${nasty.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\t/g, "\\t")}'`;
    const w = memoryWorkspace();
    w.run(`CREATE STREAM s(a string DEFAULT ${literal} COMMENT ${literal}) COMMENT ${literal}`);
    w.run(`CREATE EXTERNAL STREAM e(raw string) SETTINGS type='kafka', brokers=${literal}, topic='t' COMMENT ${literal}`);
    const stream = w.state.get("stream")?.get("s");
    expect(stream?.["description"]).toBe(nasty);
    expect((stream?.["columns"] as { comment?: string }[])[0]?.comment).toBe(nasty);
    expect((w.state.get("external_stream")?.get("e")?.["settings"] as { value: string }[])[1]?.value).toBe(nasty);
    w.run(`CREATE FORMAT SCHEMA p AS ${literal} TYPE Protobuf`);
    expect(w.state.get("schema")?.get("p")?.["content"]).toBe(nasty);
    w.run(
      `CREATE REMOTE FUNCTION g(x string) RETURNS string URL ${literal} AUTH_METHOD 'auth_header' AUTH_HEADER ${literal} AUTH_KEY ${literal}`,
    );
    expect(w.state.get("udf")?.get("g")).toMatchObject({ url: nasty, auth_context: { key_name: nasty, key_value: nasty } });
    w.run(`CREATE FUNCTION js(x string) RETURNS string LANGUAGE JAVASCRIPT AS $tp$${nasty}$tp$`);
    expect(w.state.get("udf")?.get("js")?.["source"]).toBe(nasty);
    // SHOW CREATE prints each so that the same text reads back to the same object.
    const again = memoryWorkspace();
    for (const what of ["s", "e", "FORMAT SCHEMA p", "FUNCTION g", "FUNCTION js"]) {
      const printed = showCreate(w, what);
      again.run(printed);
      expect(showCreate(again, what)).toBe(printed);
    }
    expect(again.state.get("stream")?.get("s")?.["description"]).toBe(nasty);
    expect(again.state.get("schema")?.get("p")?.["content"]).toBe(nasty);
    expect(again.state.get("udf")?.get("js")?.["source"]).toBe(nasty);
    expect(again.state.get("udf")?.get("g")?.["url"]).toBe(nasty);
  });
});
