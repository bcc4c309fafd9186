import { describe, expect, it } from "vitest";
import { DesiredResource, type Change, type Plan } from "../../model/index.js";
import { assemblePlan } from "../../plan/plan.js";
import { desired, live } from "../../plan/test-utils.js";
import { workForStep } from "./steps.js";

const project = "fleet";

/** Every statement (masked) of every step of a plan, in step order. */
function sqlOf(plan: Plan): string[] {
  const changes = new Map<string, Change>(plan.changes.map((change) => [change.address, change]));
  return plan.steps.flatMap((step) => {
    const work = workForStep(step, changes.get(step.address) as Change, project);
    return work.via === "sql"
      ? work.statements.map(({ statement }) => statement.masked)
      : work.calls.map((call) => `${call.method} ${call.path}`);
  });
}

const columns = [{ name: "cid", type: "string" }];

describe("plan steps as DDL", () => {
  it("creates with CREATE and the ownership marker in COMMENT; the appserver's kinds go through REST", () => {
    const plan = assemblePlan(
      [desired("stream", "cars", { columns, description: "cars" }), desired("saved_query", "q", { sql: "SELECT 1 FROM cars" })],
      [],
      { project },
    );
    const sql = sqlOf(plan);
    expect(sql[0]).toMatch(/^CREATE STREAM `cars`/);
    expect(sql[0]).toContain("COMMENT 'cars [tpctl:fleet]'");
    expect(sql[1]).toBe("POST /savedqueries");
  });

  it("drops with IF EXISTS, by the live name", () => {
    const plan = assemblePlan([], [live("view", "old", { query: "SELECT 1" }, { owner: project })], { project });
    expect(sqlOf(plan)).toEqual(["DROP VIEW IF EXISTS `old`"]);
  });

  it("updates a stream's comment, TTL and retention in one ALTER STREAM", () => {
    const before = live(
      "stream",
      "cars",
      { columns, description: "old", ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY", logstore_retention_ms: 1000 },
      { owner: project },
    );
    const after = desired("stream", "cars", { columns, description: "new", logstore_retention_ms: 2000 });
    const plan = assemblePlan([after], [before], { project });
    expect(plan.changes.map((change) => change.action)).toEqual(["update"]);
    const [statement] = sqlOf(plan);
    expect(statement).toMatch(/^ALTER STREAM `cars`\n/);
    expect(statement).toContain("MODIFY SETTING logstore_retention_ms = 2000");
    expect(statement).toContain("MODIFY COMMENT 'new [tpctl:fleet]'");
  });

  it("re-creates a view whose query changed with CREATE OR REPLACE, in place", () => {
    const plan = assemblePlan(
      [desired("view", "v", { query: "SELECT 2" })],
      [live("view", "v", { query: "SELECT 1" }, { owner: project })],
      { project },
    );
    expect(plan.changes.map((change) => change.action)).toEqual(["update"]);
    expect(sqlOf(plan)).toEqual(["CREATE OR REPLACE VIEW `v` AS\nSELECT 2\nCOMMENT '[tpctl:fleet]'"]);
  });

  it("keeps the REST planner's replace of an MV whose query changed: DROP, then CREATE", () => {
    const plan = assemblePlan(
      [desired("materialized_view", "mv", { query: "SELECT 2", description: "d" })],
      [live("materialized_view", "mv", { query: "SELECT 1", description: "d" }, { owner: project })],
      { project },
    );
    expect(plan.changes.map((change) => change.action)).toEqual(["replace"]);
    const sql = sqlOf(plan);
    expect(sql[0]).toBe("DROP VIEW IF EXISTS `mv`");
    expect(sql[1]).toMatch(/^CREATE MATERIALIZED VIEW `mv`\nAS\nSELECT 2\n/);
  });

  it("changes an MV's comment with ALTER VIEW", () => {
    const plan = assemblePlan(
      [desired("materialized_view", "mv", { query: "SELECT 1", description: "new" })],
      [live("materialized_view", "mv", { query: "SELECT 1", description: "old" }, { owner: project })],
      { project },
    );
    expect(sqlOf(plan)).toEqual(["ALTER VIEW `mv`\nMODIFY COMMENT 'new [tpctl:fleet]'"]);
  });

  it("carries secrets only in the statement sent; the masked text and the secret list hide them", () => {
    const resource = desired(
      "external_stream",
      "e",
      {
        settings: [
          { key: "type", value: "kafka" },
          { key: "brokers", value: "k:9092" },
          { key: "topic", value: "t" },
          { key: "sasl_password", value: "hunter2" },
        ],
      },
      { secretPaths: ["/settings/3/value"] },
    );
    const plan = assemblePlan([resource], [], { project });
    const step = plan.steps[0];
    const work = workForStep(step!, plan.changes[0] as Change, project);
    expect(work.via).toBe("sql");
    if (work.via !== "sql") return;
    const [first] = work.statements;
    expect(first?.statement.sql).toContain("'hunter2'");
    expect(first?.statement.masked).not.toContain("hunter2");
    expect(first?.secrets).toContain("hunter2");
  });

  it("over SQL adds a stream's new columns with ALTER STREAM … ADD COLUMN, with the rest of its changes", () => {
    const plan = assemblePlan(
      [
        desired("stream", "cars", {
          columns: [...columns, { name: "speed", type: "float64", default: "0", comment: "km/h" }],
          description: "new",
        }),
      ],
      [
        live(
          "stream",
          "cars",
          { columns: [...columns, { name: "_tp_time", type: "datetime64(3, 'UTC')" }], description: "old" },
          { owner: project },
        ),
      ],
      { project, inPlace: "sql" },
    );
    expect(plan.changes.map((change) => change.action)).toEqual(["update"]);
    expect(sqlOf(plan)).toEqual([
      "ALTER STREAM `cars`\nADD COLUMN `speed` float64 DEFAULT 0 COMMENT 'km/h',\nMODIFY COMMENT 'new [tpctl:fleet]'",
    ]);
  });

  it("over SQL changes an MV's query with ALTER VIEW … MODIFY QUERY, a statement of its own, then its comment", () => {
    const plan = assemblePlan(
      [desired("materialized_view", "mv", { query: "SELECT count() AS n FROM s SETTINGS checkpoint_interval = 5", description: "new" })],
      [live("materialized_view", "mv", { query: "SELECT count() AS n FROM s", description: "old" }, { owner: project })],
      { project, inPlace: "sql" },
    );
    expect(plan.changes.map((change) => change.action)).toEqual(["update"]);
    expect(sqlOf(plan)).toEqual([
      "ALTER VIEW `mv`\nMODIFY QUERY\nSELECT count() AS n FROM s SETTINGS checkpoint_interval = 5\n",
      "ALTER VIEW `mv`\nMODIFY COMMENT 'new [tpctl:fleet]'",
    ]);
  });

  it("over SQL renames a stream first, then alters it by its new name", () => {
    const renamed = DesiredResource.create({
      kind: "stream",
      name: "new_name",
      spec: { name: "new_name", columns, description: "d" },
      previousName: "old_name",
    });
    const plan = assemblePlan([renamed], [live("stream", "old_name", { columns, description: "" }, { owner: project })], {
      project,
      inPlace: "sql",
    });
    expect(sqlOf(plan)).toEqual(["RENAME STREAM `old_name` TO `new_name`", "ALTER STREAM `new_name`\nMODIFY COMMENT 'd [tpctl:fleet]'"]);
  });

  it("over SQL changes a mutable stream's secondary indexes with DROP INDEX and ADD INDEX, one per statement", () => {
    const stream = { columns: [...columns, { name: "v", type: "int32" }], engine: "MutableStream", primary_key: "cid" };
    const declared = desired("stream", "m", {
      ...stream,
      secondary_indexes: [
        { name: "keep", columns: ["v"] },
        { name: "changed", columns: ["v"], unique: true },
        { name: "new", columns: ["v"], storing: ["cid"] },
      ],
    });
    const current = live(
      "stream",
      "m",
      {
        ...stream,
        secondary_indexes: [
          { name: "keep", columns: ["v"] },
          { name: "changed", columns: ["v"] },
          { name: "gone", columns: ["v"] },
        ],
      },
      { owner: project },
    );
    const plan = assemblePlan([declared], [current], { project, inPlace: "sql" });
    expect(plan.changes.map((change) => change.action)).toEqual(["update"]);
    expect(sqlOf(plan)).toEqual([
      "ALTER STREAM `m`\nDROP INDEX `changed`",
      "ALTER STREAM `m`\nDROP INDEX `gone`",
      "ALTER STREAM `m`\nADD INDEX `changed` (`v`) UNIQUE",
      "ALTER STREAM `m`\nADD INDEX `new` (`v`) STORING (`cid`)",
    ]);
    // Over REST the same change is a replace.
    expect(assemblePlan([declared], [current], { project }).changes.map((change) => change.action)).toEqual(["replace"]);
  });
});
