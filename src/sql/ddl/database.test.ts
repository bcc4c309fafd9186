import { describe, expect, it } from "vitest";
import { parseCreateStatement, readSystemTables } from "./parse.js";
import { readSystemDatabases } from "./read-databases.js";
import { renderCreate, renderDrop } from "../../kinds/index.js";
import { renderAlterNamedCollection } from "./render.js";

describe("databases in DDL", () => {
  it("creates a database with its description and ownership marker in the COMMENT, and drops it without CASCADE", () => {
    const [create] = renderCreate(
      { kind: "database", name: "analytics", spec: { name: "analytics", description: "it's ours" } },
      { project: "fleet" },
    );
    expect(create?.sql).toBe("CREATE DATABASE `analytics`\nCOMMENT 'it\\'s ours [tpctl:fleet]'");
    expect(renderDrop("database", "analytics").sql).toBe("DROP DATABASE IF EXISTS `analytics`");
  });

  it("reads a database back from SHOW CREATE DATABASE and from system.databases, leaving out the engine's own", () => {
    const parsed = parseCreateStatement("CREATE DATABASE analytics\nENGINE = Atomic\nCOMMENT 'by team [tpctl:fleet]'");
    expect(parsed).toMatchObject({
      kind: "database",
      name: "analytics",
      owner: "fleet",
      spec: { name: "analytics", description: "by team" },
    });
    const rows = ["default", "system", "INFORMATION_SCHEMA", "information_schema", "analytics"].map((name) => ({ name, comment: "" }));
    expect(readSystemDatabases(rows).map((definition) => definition.name)).toEqual(["analytics"]);
  });

  it("qualifies what lives in another database: `db`.`name` in every statement, INTO included", () => {
    const stream = { kind: "stream" as const, name: "analytics.events", spec: { name: "events", columns: [{ name: "a", type: "int32" }] } };
    expect(renderCreate(stream)[0]?.sql).toMatch(/^CREATE STREAM `analytics`\.`events`\n/);
    expect(renderDrop("stream", "analytics.events").sql).toBe("DROP STREAM IF EXISTS `analytics`.`events`");
    const mv = renderCreate({
      kind: "materialized_view",
      name: "analytics.agg",
      spec: { name: "agg", query: "SELECT a FROM analytics.events", target_stream: "analytics.totals" },
    });
    expect(mv[0]?.sql).toMatch(/^CREATE MATERIALIZED VIEW `analytics`\.`agg`\nINTO `analytics`\.`totals`\n/);
    // A bare target is the default database's, as the engine resolves it.
    const bare = parseCreateStatement("CREATE MATERIALIZED VIEW analytics.agg INTO default.totals AS SELECT 1");
    expect([bare.database, bare.spec["target_stream"]]).toEqual(["analytics", "totals"]);
    expect(parseCreateStatement("CREATE MATERIALIZED VIEW agg INTO analytics.totals AS SELECT 1").spec["target_stream"]).toBe(
      "analytics.totals",
    );
  });

  it("reads system.tables across databases, an edge into another database included", () => {
    const definitions = readSystemTables([
      {
        database: "analytics",
        name: "events",
        engine: "Stream",
        create_table_query: "CREATE STREAM analytics.events (`a` int32)",
        dependencies_database: ["default"],
        dependencies_table: ["v"],
      },
      { database: "default", name: "v", engine: "View", create_table_query: "CREATE VIEW default.v AS SELECT a FROM analytics.events" },
      { database: "system", name: "tables", engine: "SystemTables", create_table_query: "" },
    ]);
    expect(definitions.map((definition) => [definition.database, definition.name, definition.dependsOn])).toEqual([
      ["analytics", "events", []],
      ["default", "v", ["stream/analytics.events"]],
    ]);
  });
});

describe("random streams in DDL", () => {
  it("write each column's generator as its DEFAULT and read back the engine's defaults for omitted settings", () => {
    const spec = {
      name: "devices",
      description: "fake fleet",
      columns: [
        { name: "device", type: "string", default: "'device' || to_string(rand() % 4)" },
        { name: "temperature", type: "float32", default: "rand() % 1000 / 10" },
      ],
      eps: 10,
    };
    const [create] = renderCreate({ kind: "random_stream", name: "analytics.devices", spec }, { project: "fleet" });
    expect(create?.sql).toBe(
      [
        "CREATE RANDOM STREAM `analytics`.`devices`",
        "(",
        "  `device` string DEFAULT 'device' || to_string(rand() % 4),",
        "  `temperature` float32 DEFAULT rand() % 1000 / 10",
        ")",
        "SETTINGS eps = 10",
        "COMMENT 'fake fleet [tpctl:fleet]'",
      ].join("\n"),
    );
    const parsed = parseCreateStatement(create?.sql ?? "");
    expect(parsed).toMatchObject({ kind: "random_stream", database: "analytics", name: "devices", owner: "fleet" });
    expect(parsed.spec).toEqual({ ...spec, interval_time: 5 });
    expect(renderDrop("random_stream", "devices").sql).toBe("DROP STREAM IF EXISTS `devices`");
    expect(() => renderCreate({ kind: "random_stream", name: "r", spec: { name: "r", columns: [] } })).toThrow("at least one column");
  });
});

describe("dictionaries in DDL", () => {
  it("write SOURCE and LAYOUT in the grammar's words, mask the source's credentials, and read the clauses back in any order", () => {
    const spec = {
      name: "zones",
      description: "taxi zones",
      columns: [
        { name: "LocationID", type: "uint16", default: "0" },
        { name: "Zone", type: "string" },
      ],
      primary_key: "LocationID",
      source: { type: "timeplus", stream: "analytics.zones_raw", user: "admin", password: "it's secret" },
      layout: { type: "cache", size_in_cells: 1000 },
      lifetime: { min: 0, max: 300 },
    };
    const [create] = renderCreate({ kind: "dictionary", name: "zones", spec, secretPaths: ["/source/password"] }, { project: "fleet" });
    expect(create?.sql).toBe(
      [
        "CREATE DICTIONARY `zones`",
        "(",
        "  `LocationID` uint16 DEFAULT 0,",
        "  `Zone` string",
        ")",
        "PRIMARY KEY LocationID",
        "SOURCE(TIMEPLUS(STREAM 'analytics.zones_raw' USER 'admin' PASSWORD 'it\\'s secret'))",
        "LIFETIME(MIN 0 MAX 300)",
        "LAYOUT(CACHE(SIZE_IN_CELLS 1000))",
        "COMMENT 'taxi zones [tpctl:fleet]'",
      ].join("\n"),
    );
    expect(create?.masked).not.toContain("secret'");
    const parsed = parseCreateStatement(
      "CREATE DICTIONARY default.zones (`LocationID` uint16 DEFAULT 0, `Zone` string) PRIMARY KEY LocationID " +
        "SOURCE(TIMEPLUS(STREAM 'analytics.zones_raw' USER 'admin' PASSWORD 'p')) LAYOUT(CACHE(SIZE_IN_CELLS 1000)) LIFETIME(300) COMMENT 'taxi zones [tpctl:fleet]'",
    );
    const { password: _password, ...withoutPassword } = spec.source;
    expect(parsed.spec).toEqual({ ...spec, source: withoutPassword });
    expect(parsed.owner).toBe("fleet");
    expect(renderDrop("dictionary", "analytics.zones").sql).toBe("DROP DICTIONARY IF EXISTS `analytics`.`zones`");
    expect(renderCreate({ kind: "dictionary", name: "zones", spec }, { orReplace: true })[0]?.sql).toMatch(/^CREATE OR REPLACE DICTIONARY/);
  });
});

describe("tasks in DDL", () => {
  it("write SCHEDULE, TIMEOUT, INTO and the query, and read them back", () => {
    const spec = { name: "roll_up", schedule: "INTERVAL 1 HOUR", timeout: "5s", into: "analytics.hourly", query: "SELECT 1 AS x" };
    const [create] = renderCreate({ kind: "task", name: "analytics.roll_up", spec }, { orReplace: true });
    expect(create?.sql).toBe(
      "CREATE OR REPLACE TASK `analytics`.`roll_up`\nSCHEDULE INTERVAL 1 HOUR\nTIMEOUT 5s\nINTO `analytics`.`hourly`\nAS\nSELECT 1 AS x",
    );
    const parsed = parseCreateStatement(
      "CREATE TASK analytics.roll_up\nSCHEDULE INTERVAL 1 HOUR\nTIMEOUT 5s\nINTO analytics.hourly\nAS\nSELECT 1 AS x",
    );
    expect([parsed.kind, parsed.database, parsed.spec]).toEqual(["task", "analytics", spec]);
    expect(renderDrop("task", "analytics.roll_up").sql).toBe("DROP TASK IF EXISTS `analytics`.`roll_up`");
  });
});

describe("named collections in DDL", () => {
  it("write every entry, mask every value, and read back only keys and OVERRIDABLE", () => {
    const spec = {
      name: "pg",
      settings: [
        { key: "host", value: "db-host" },
        { key: "password", value: "it's-secret", overridable: false },
      ],
    };
    const [create] = renderCreate({ kind: "named_collection", name: "pg", spec });
    expect(create?.sql).toBe("CREATE NAMED COLLECTION `pg` AS\n  host = 'db-host',\n  password = 'it\\'s-secret' NOT OVERRIDABLE");
    expect(create?.masked).not.toMatch(/db-host|secret/);
    const parsed = parseCreateStatement(
      "CREATE NAMED COLLECTION pg AS host = 'db-host', password = 'x' NOT OVERRIDABLE, port = 5432 OVERRIDABLE",
    );
    expect(parsed).toMatchObject({
      kind: "named_collection",
      spec: { name: "pg", settings: [{ key: "host" }, { key: "password", overridable: false }, { key: "port", overridable: true }] },
    });
    expect(JSON.stringify(parsed)).not.toMatch(/db-host|5432/);
    const alter = renderAlterNamedCollection("pg", spec.settings, ["port"], ["db-host", "it's-secret"]);
    expect(alter.sql).toBe("ALTER NAMED COLLECTION `pg` SET host = 'db-host', password = 'it\\'s-secret' NOT OVERRIDABLE DELETE port");
    expect(alter.masked).not.toMatch(/db-host|secret/);
    expect(renderDrop("named_collection", "pg").sql).toBe("DROP NAMED COLLECTION IF EXISTS `pg`");
  });
});
