import { describe, expect, it } from "vitest";
import type { CreateStream, CreateView, Select } from "./ast.js";
import { SqlError } from "./errors.js";
import { parseSql, splitQuerySettings } from "./parser.js";

function refusal(sql: string): { code: number; message: string } {
  try {
    parseSql(sql);
  } catch (error) {
    if (error instanceof SqlError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`parsed: ${sql}`);
}

describe("parseSql", () => {
  it("reads a stream's columns, clauses in any order, settings and the comment after them", () => {
    const { statement } = parseSql(
      "create stream if not exists db1.`my s` (id int DEFAULT 1 COMMENT 'c' CODEC(ZSTD(1)), k string, INDEX i k TYPE bloom_filter GRANULARITY 4) " +
        "ORDER BY k PARTITION BY to_YYYYMM(_tp_time) TTL _tp_time + INTERVAL 1 DAY SETTINGS mode='versioned_kv', shards=2, flag=true COMMENT 'x';;",
    );
    const stream = statement as CreateStream;
    expect(stream).toMatchObject({
      type: "create_stream",
      variant: "stream",
      ifNotExists: true,
      name: { database: "db1", name: "my s" },
      orderBy: "k",
      partitionBy: "to_YYYYMM(_tp_time)",
      ttl: "_tp_time + INTERVAL 1 DAY",
      comment: "x",
    });
    expect(stream.columns[0]).toEqual({
      name: "id",
      type: "int",
      defaultKind: "DEFAULT",
      defaultExpr: "1",
      comment: "c",
      codec: "CODEC(ZSTD(1))",
    });
    expect(stream.indexes).toEqual([{ name: "i", expr: "k", type: "bloom_filter", granularity: "4" }]);
    expect(stream.settings).toEqual([
      { key: "mode", value: "versioned_kv", kind: "string" },
      { key: "shards", value: "2", kind: "number" },
      { key: "flag", value: "true", kind: "bool" },
    ]);
  });

  it("keeps an MV's SETTINGS inside its query and takes the COMMENT after it", () => {
    const { statement } = parseSql(
      "CREATE MATERIALIZED VIEW mv INTO t AS SELECT a, count() AS n FROM s GROUP BY a SETTINGS checkpoint_interval=5 COMMENT 'tag=x'",
    );
    expect(statement as CreateView).toMatchObject({
      materialized: true,
      into: { name: "t" },
      query: "SELECT a, count() AS n FROM s GROUP BY a SETTINGS checkpoint_interval=5",
      comment: "tag=x",
    });
  });

  it("reads back the engine's own `AS (` … `)` wrapping", () => {
    const { statement } = parseSql("CREATE VIEW default.v AS (\nSELECT 1\n)\nCOMMENT 'c'");
    expect(statement as CreateView).toMatchObject({ query: "SELECT 1", comment: "c" });
  });

  it("refuses what the engine's parser refuses with 62", () => {
    expect(refusal("")).toEqual({ code: 62, message: "Empty query" });
    expect(refusal("-- only a comment")).toEqual({ code: 62, message: "Empty query" });
    expect(refusal("SELECT 1; SELECT 2")).toEqual({
      code: 62,
      message: "Syntax error (Multi-statements are not allowed): failed at position 9 (end of query): ; SELECT 2",
    });
    expect(refusal("CREATE OR REPLACE VIEW IF NOT EXISTS v AS SELECT 1").code).toBe(62);
    expect(refusal("CREATE OR REPLACE MATERIALIZED VIEW mv AS SELECT 1").code).toBe(62);
    expect(refusal("CREATE FUNCTION db.f(x int) RETURNS int LANGUAGE JAVASCRIPT AS $$x$$").message).toContain("('.')");
    expect(refusal("DROP EXTERNAL STREAM e").code).toBe(62);
    expect(refusal("CREATE STREAM s (a int) ORDER BY a ORDER BY a").code).toBe(62);
    expect(refusal("CREATE STREAM s (a int").code).toBe(62);
    expect(refusal("CREATE STREAM s (a 'unterminated)").code).toBe(62);
    expect(refusal("CREATE SCHEDULED MATERIALIZED VIEW mv AS SELECT 1").code).toBe(62);
    expect(refusal("CREATE STREAM `` (a int)").code).toBe(62);
  });

  it("refuses two primary keys with 36 and a stream with neither columns nor AS with 80", () => {
    expect(refusal("CREATE STREAM s (a int, PRIMARY KEY a) PRIMARY KEY a").code).toBe(36);
    expect(refusal("CREATE STREAM s").code).toBe(80);
  });

  it("a trailing FORMAT names the output format, but SHOW FORMAT SCHEMAS is a statement", () => {
    expect(parseSql("SHOW CREATE s FORMAT JSON").format).toBe("JSON");
    expect(parseSql("SHOW FORMAT SCHEMAS").statement).toEqual({ type: "show_list", target: "format_schemas" });
  });

  it("splits comma-separated ALTER commands even after a SETTING list", () => {
    const { statement } = parseSql(
      "ALTER STREAM s MODIFY SETTING logstore_retention_ms=1, logstore_retention_bytes=2, MODIFY COMMENT 'x', ADD COLUMN c int AFTER a",
    );
    expect(statement).toMatchObject({
      commands: [
        { op: "modify_setting", settings: [{ key: "logstore_retention_ms" }, { key: "logstore_retention_bytes" }] },
        { op: "modify_comment", comment: "x" },
        { op: "add_column", column: { name: "c", type: "int" }, after: "a" },
      ],
    });
  });

  it("parses the small SELECT over system tables", () => {
    const { statement, format } = parseSql(
      "SELECT name, engine AS e FROM system.tables WHERE database = 'default' AND NOT starts_with(name, '.inner.') AND engine IN ('Stream', 'View') ORDER BY name DESC LIMIT 5 FORMAT JSONEachRow",
    );
    const select = statement as Select;
    expect(format).toBe("JSONEachRow");
    expect(select.items.map((item) => item.label)).toEqual(["name", "e"]);
    expect(select).toMatchObject({ from: { database: "system", name: "tables" }, limit: 5, orderBy: [{ descending: true }] });
  });

  it("SHOW CREATE takes a kind word only when a name follows it", () => {
    expect(parseSql("SHOW CREATE task").statement).toEqual({ type: "show_create", target: "any", name: { name: "task" } });
    expect(parseSql("SHOW CREATE TASK t").statement).toEqual({ type: "show_create", target: "task", name: { name: "t" } });
  });
});

describe("splitQuerySettings", () => {
  it("finds a SELECT's own trailing settings and leaves nested ones alone", () => {
    expect(splitQuerySettings("SELECT * FROM (SELECT 1 SETTINGS a=1) SETTINGS seek_to='earliest', checkpoint_interval=5")).toEqual({
      select: "SELECT * FROM (SELECT 1 SETTINGS a=1)",
      settings: [
        { key: "seek_to", value: "earliest", kind: "string" },
        { key: "checkpoint_interval", value: "5", kind: "number" },
      ],
    });
    expect(splitQuerySettings("SELECT 1")).toEqual({ select: "SELECT 1", settings: [] });
  });
});
