import { describe, expect, it } from "vitest";
import { live } from "../../plan/test-utils.js";
import type { SqlRow } from "./decode.js";
import {
  assembleLive,
  DATABASES_QUERY,
  NAMED_COLLECTIONS_QUERY,
  FUNCTIONS_QUERY,
  readEngineObjects,
  SCHEMAS_QUERY,
  TABLES_QUERY,
  TASKS_QUERY,
} from "./read.js";

/** Canned answers by query text, recording what was asked. */
function answers(given: Record<string, SqlRow[]>) {
  const byQuery: Record<string, SqlRow[]> = {
    [DATABASES_QUERY]: [],
    [TASKS_QUERY]: [],
    [NAMED_COLLECTIONS_QUERY]: [],
    "SHOW TASKS FROM `analytics`": [],
    ...given,
  };
  const asked: string[] = [];
  return {
    asked,
    async query(sql: string): Promise<SqlRow[]> {
      asked.push(sql);
      const rows = byQuery[sql];
      if (rows === undefined) throw new Error(`unexpected query ${sql}`);
      return rows;
    },
  };
}

const streamRow = {
  database: "default",
  name: "cars",
  uuid: "u1",
  engine: "Stream",
  create_table_query:
    "CREATE STREAM default.cars\n(\n  `cid` string,\n  `_tp_time` datetime64(3, 'UTC') DEFAULT now64(3, 'UTC') CODEC(DoubleDelta, LZ4),\n  INDEX _tp_time_index _tp_time TYPE minmax GRANULARITY 256\n)\nPARTITION BY to_YYYYMMDD(_tp_time)\nORDER BY to_start_of_hour(_tp_time)\nSETTINGS index_granularity = 8192\nCOMMENT 'cars [tpctl:fleet]'",
  comment: "cars [tpctl:fleet]",
  dependencies_database: ["default"],
  dependencies_table: ["fast"],
};
const viewRow = {
  database: "default",
  name: "fast",
  uuid: "u2",
  engine: "View",
  create_table_query: "CREATE VIEW default.fast AS\nSELECT cid FROM cars",
  comment: "",
  dependencies_database: [],
  dependencies_table: [],
};
const lockRow = { ...viewRow, name: "tpctl_lock", create_table_query: "CREATE VIEW default.tpctl_lock AS\nSELECT 1 AS locked" };

describe("reading the workspace over SQL", () => {
  it("reads every engine kind in a fixed number of queries, skipping the lock view", async () => {
    const reader = answers({
      [TABLES_QUERY]: [streamRow, viewRow, lockRow],
      [FUNCTIONS_QUERY]: [
        {
          name: "f",
          origin: "ExecutableUserDefined",
          create_query: "CREATE FUNCTION f(a float32) RETURNS float32 LANGUAGE JAVASCRIPT AS $$function f(a){return a}\n// [tpctl:fleet]$$",
        },
      ],
      [SCHEMAS_QUERY]: [],
    });
    const definitions = await readEngineObjects(reader, { schemas: true });
    expect(definitions.map((definition) => `${definition.kind}/${definition.name}`).sort()).toEqual(["stream/cars", "udf/f", "view/fast"]);
    expect(reader.asked).toHaveLength(6);
    const stream = definitions.find((definition) => definition.name === "cars");
    expect(stream?.owner).toBe("fleet");
    expect(stream?.spec["description"]).toBe("cars");
    expect(stream?.spec["columns"]).toEqual([{ name: "cid", type: "string" }]);
  });

  it("asks SHOW CREATE once per format schema, which only it prints", async () => {
    const reader = answers({
      [TABLES_QUERY]: [],
      [FUNCTIONS_QUERY]: [],
      [SCHEMAS_QUERY]: [{ name: "ev", type: "Protobuf" }],
      "SHOW CREATE FORMAT SCHEMA `ev`": [
        { statement: "CREATE FORMAT SCHEMA ev AS 'syntax = \"proto3\";\\n// [tpctl:fleet]\\n' TYPE Protobuf" },
      ],
    });
    const [schema] = await readEngineObjects(reader, { schemas: true });
    expect([schema?.kind, schema?.name, schema?.owner]).toEqual(["schema", "ev", "fleet"]);
    const withoutSchemas = answers({ [TABLES_QUERY]: [], [FUNCTIONS_QUERY]: [] });
    expect(await readEngineObjects(withoutSchemas, { schemas: false })).toEqual([]);
    expect(withoutSchemas.asked).toEqual([TABLES_QUERY, FUNCTIONS_QUERY, DATABASES_QUERY, TASKS_QUERY, NAMED_COLLECTIONS_QUERY]);
  });

  it("lists the default database's tasks before any answer is in, and another database's once it is known", async () => {
    let answerDatabases: (rows: SqlRow[]) => void = () => undefined;
    const asked: string[] = [];
    const reader = {
      query(sql: string): Promise<SqlRow[]> {
        asked.push(sql);
        if (sql === DATABASES_QUERY) return new Promise<SqlRow[]>((resolve) => (answerDatabases = resolve));
        return Promise.resolve([]);
      },
    };
    const read = readEngineObjects(reader, { schemas: false });
    // Nothing has answered system.databases yet, and SHOW TASKS is already out.
    expect(asked).toContain(TASKS_QUERY);
    expect(asked).not.toContain("SHOW TASKS FROM `analytics`");
    answerDatabases([{ name: "analytics", engine: "Atomic", comment: "" }]);
    await read;
    expect(asked).toContain("SHOW TASKS FROM `analytics`");
  });

  it("resolves dependencies across engine objects and the appserver's kinds", async () => {
    const definitions = await readEngineObjects(
      answers({ [TABLES_QUERY]: [streamRow, viewRow], [FUNCTIONS_QUERY]: [], [SCHEMAS_QUERY]: [] }),
      { schemas: true },
    );
    const sink = live("sink", "out", { type: "http", query: "SELECT * FROM fast" }, { id: "s1" });
    const resources = assembleLive(definitions, [sink]);
    expect(resources.find((resource) => resource.name === "fast")?.dependsOn).toEqual(["stream/cars"]);
    expect(resources.find((resource) => resource.name === "out")).toMatchObject({ id: "s1", dependsOn: ["view/fast"] });
  });

  it("reads every database but the engine's own, in the same number of queries, naming objects db.name outside default", async () => {
    const reader = answers({
      [TABLES_QUERY]: [
        streamRow,
        { ...streamRow, database: "analytics", create_table_query: streamRow.create_table_query.replace("default.cars", "analytics.cars") },
        {
          ...viewRow,
          database: "analytics",
          create_table_query: "CREATE VIEW analytics.fast AS\nSELECT cid FROM analytics.cars",
          comment: "[tpctl:fleet]",
        },
      ],
      [FUNCTIONS_QUERY]: [],
      [SCHEMAS_QUERY]: [],
      [DATABASES_QUERY]: [{ name: "analytics", engine: "Atomic", comment: "by team [tpctl:fleet]" }],
    });
    const resources = assembleLive(await readEngineObjects(reader, { schemas: true }), []);
    // One more per database: the tasks, which no system table lists.
    expect(reader.asked).toHaveLength(7);
    expect(resources.map((resource) => resource.address).sort()).toEqual([
      "database/analytics",
      "stream/analytics.cars",
      "stream/cars",
      "view/analytics.fast",
    ]);
    expect(resources.find((resource) => resource.address === "database/analytics")).toMatchObject({
      owner: "fleet",
      spec: { name: "analytics", description: "by team" },
    });
    // What lives in a database needs it: it is created first and dropped last.
    expect(resources.find((resource) => resource.address === "view/analytics.fast")?.dependsOn).toEqual([
      "database/analytics",
      "stream/analytics.cars",
    ]);
    expect(resources.find((resource) => resource.address === "stream/analytics.cars")?.spec["name"]).toBe("cars");
  });

  it("refuses a workspace that reports one object twice", () => {
    expect(() => assembleLive([], [live("udf", "f"), live("udf", "f")])).toThrow("reports udf/f twice");
  });
});
