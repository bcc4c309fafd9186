import { cp } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli, type CliResult } from "../helpers/cli.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

// Every kind beyond streams and views (which walking-skeleton.test.ts covers), walked through
// create -> no-op plan -> update in place -> replace -> delete with the real CLI, checking the
// server's stored values and the API calls made; then the examples' complete pipeline.

const CARS = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
  - { name: speed_kmh, type: float32 }
`;

interface PlanChange {
  readonly kind: string;
  readonly name: string;
  readonly action: string;
  readonly reason: string;
  readonly destructive: boolean;
}
type Live = Record<string, unknown> & { id?: string; name: string };

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;

beforeEach(async () => {
  server = await startTestServer();
  tree = await makeTree({ "tpctl.yaml": "project: kinds\n", "streams.yaml": CARS });
});
afterEach(async () => {
  await server.close();
  await tree.cleanup();
});

const cli = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: tree.dir, env: server.env });

/** "update sink/out", with a "!" when the change is destructive. */
const describeChange = (change: PlanChange): string => `${change.action} ${change.kind}/${change.name}${change.destructive ? " !" : ""}`;

async function planJson(): Promise<{ changes: PlanChange[] }> {
  const result = await cli("plan", "--json");
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { changes: PlanChange[] };
}

/** Applies and returns the plan that apply carried out, read from its JSON report. */
async function apply(): Promise<string[]> {
  const result = await cli("apply", "--auto-approve", "--allow-destroy", "--json");
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as { plan: { changes: PlanChange[] }; summary: { failed: number; not_attempted: number } };
  expect(report.summary).toMatchObject({ failed: 0, not_attempted: 0 });
  return report.plan.changes.map(describeChange);
}

async function expectNoChanges(): Promise<void> {
  const result = await cli("plan", "--detailed-exitcode");
  expect(result.stdout).toContain("No changes");
  expect(result.code).toBe(0);
}

/** Writes the files, checks that `plan --json` proposes exactly `expected`, applies, and checks that a second plan is empty. */
async function change(files: Record<string, string>, expected: string[]): Promise<void> {
  await tree.write(files);
  const plan = await planJson();
  expect(plan.changes.map(describeChange)).toEqual(expected);
  expect(await apply()).toEqual(expected);
  await expectNoChanges();
}

async function list(collection: string): Promise<Live[]> {
  const response = await apiCall(server, "GET", `/${collection}`);
  expect(response.status).toBe(200);
  // The workspace lock's lease view is tpctl's own (cli/lock.ts), never a resource.
  return (response.body as Live[]).filter((item) => !/^tpctl_lock(_\d+)?$/.test(String(item.name)));
}

/** The live object of that name; id-based kinds are found through the list. */
async function live(collection: string, name: string): Promise<Live> {
  const found = (await list(collection)).filter((item) => item.name === name);
  expect(found).toHaveLength(1);
  return found[0] as Live;
}

async function routesServed(): Promise<Record<string, number>> {
  const response = await fetch(`${server.url}/_server/requests`);
  return ((await response.json()) as { by_route: Record<string, number> }).by_route;
}

const api = "/default/api/v1beta2";
/** Every apply takes, renews and releases the workspace lock, lease views (cli/lock.ts): not part of any change. */
const isLockRoute = (route: string): boolean => route === `POST ${api}/views` || /\/views\/tpctl_lock(_\d+)?$/.test(route);

/** Routes whose count grew between two snapshots of `/_server/requests`, ignoring reads and the lock. */
function writesBetween(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after)
    .filter((route) => !route.startsWith("GET ") && !isLockRoute(route) && (after[route] ?? 0) > (before[route] ?? 0))
    .sort();
}

/** Removes the files, applies, and returns the plan that apply carried out. */
async function remove(...paths: string[]): Promise<string[]> {
  for (const path of paths) await tree.remove(path);
  return apply();
}

// Manifests of every kind, as functions of what the walk below changes.
const sourceYaml = (description: string, type: string, properties: string) =>
  `kind: source\nname: gen\ndescription: ${description}\ntype: ${type}\nstream: cars\nproperties: ${properties}\n`;
const sinkYaml = (type: string, query: string, url: string, description = "speeding cars") =>
  `kind: sink\nname: out\ndescription: ${description}\ntype: ${type}\nquery: ${query}\nproperties:\n  url: ${url}\n`;
const alertYaml = (severity: number, action: string) => `kind: alert
name: too_fast
description: a car above 200 km/h
severity: ${severity}
action: ${action}
trigger_sql: SELECT cid FROM cars WHERE speed_kmh > 200
resolve_sql: SELECT cid FROM cars WHERE speed_kmh < 150
properties: { url: "https://ops.example.com/alerts" }
`;
const dashboardYaml = (name: string, chartSql: string, withNotes: boolean) => `kind: dashboard
name: ${name}
${name === "fleet" ? "" : "previous_name: fleet\n"}description: the fleet at a glance
panels:
  - id: speed
    title: Speed
    viz_type: chart
    viz_content: ${chartSql}
    position: { x: 0, y: 0, w: 6, h: 4 }
    viz_config: { chartType: line }
${withNotes ? "  - id: notes\n    viz_type: markdown\n    viz_content: Speeds in km/h.\n" : ""}`;
const javascriptUdfYaml = (factor: string) => `kind: udf
name: kmh_to_mph
type: javascript
arguments:
  - { name: kmh, type: float32 }
return_type: float32
source: |
  function kmh_to_mph(values) {
    return values.map(v => v * ${factor});
  }
`;
const REMOTE_UDF = `kind: udf
name: kmh_to_mph
type: remote
arguments:
  - { name: kmh, type: float32 }
return_type: float32
url: https://udf.example.com/kmh_to_mph
`;
/** Calls the UDF, so that the server refuses to drop the UDF before it. */
const UDF_CALLER = "kind: view\nname: cars_mph\nquery: SELECT cid, kmh_to_mph(speed_kmh) AS mph FROM cars\n";
const externalStreamYaml = (topic: string, description = "partner fleet events") => `kind: external_stream
name: partner_events
description: ${description}
settings:
  - { key: type, value: kafka }
  - { key: brokers, value: "kafka.internal:9092" }
  - { key: sasl_password, value: kafka-secret }
  - { key: topic, value: ${topic} }
  - { key: data_format, value: JSONEachRow }
  - { key: message_key, value: cid }
columns:
  - { name: cid, type: string }
  - { name: speed_kmh, type: float32 }
`;
const externalTableYaml = (description: string) => `kind: external_table
name: fleet_register
description: ${description}
settings:
  - { key: type, value: clickhouse }
  - { key: address, value: "clickhouse.internal:9000" }
  - { key: password, value: clickhouse-secret }
  - { key: user, value: fleet }
  - { key: table, value: cars }
`;
const savedQueryYaml = (name: string, sql: string) =>
  `kind: saved_query\nname: ${name}\n${name === "slowest" ? "" : "previous_name: slowest\n"}sql: ${sql}\ntags: [fleet]\n`;
const schemaYaml = (name: string, field: string) => `kind: schema
name: ${name}
${name === "car_event" ? "" : "previous_name: car_event\n"}type: Protobuf
content: |
  syntax = "proto3";
  message CarEvent {
    string cid = 1;
    ${field}
  }
`;

const FAST = "SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 100";
const FASTER = "SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 130";
const SLACK_URL = "https://hooks.slack.com/services/T0/B0/x";
const KIND_FILES = [
  "source.yaml",
  "sink.yaml",
  "alert.yaml",
  "dashboard.yaml",
  "udf.yaml",
  "caller.yaml",
  "external-stream.yaml",
  "external-table.yaml",
  "saved-query.yaml",
  "schema.yaml",
];

// A CLI run costs about a second on a busy 2-core machine, so every kind moves through each round
// of the walk together: one plan and one apply per round, then per-kind checks against the server.
describe("every kind through plan and apply", () => {
  it("creates, updates in place, replaces and deletes sources, sinks, alerts, dashboards, UDFs, external streams and tables, saved queries and schemas", async () => {
    // Round 1: create, then a second plan finds nothing to do. The server hides the external
    // stream's and table's credential settings (and message_key), shifting the others up.
    await tree.write({
      "source.yaml": sourceYaml("simulated cars", "stream_generator", "{ template: iot, interval: 1000 }"),
      "sink.yaml": sinkYaml("http", FAST, "https://ops.example.com/a"),
      "alert.yaml": alertYaml(2, "http"),
      "dashboard.yaml": dashboardYaml("fleet", "SELECT avg(speed_kmh) FROM cars", false),
      "udf.yaml": javascriptUdfYaml("0.62"),
      "caller.yaml": UDF_CALLER,
      "external-stream.yaml": externalStreamYaml("events_v1"),
      "external-table.yaml": externalTableYaml("car register"),
      "saved-query.yaml": savedQueryYaml("slowest", "SELECT cid FROM table(cars) WHERE speed_kmh < 20"),
      "schema.yaml": schemaYaml("car_event", "float speed_kmh = 2;"),
    });
    expect(await apply()).toEqual([
      "create schema/car_event",
      "create udf/kmh_to_mph",
      "create stream/cars",
      "create external_stream/partner_events",
      "create external_table/fleet_register",
      "create source/gen",
      "create view/cars_mph",
      "create sink/out",
      "create alert/too_fast",
      "create dashboard/fleet",
      "create saved_query/slowest",
    ]);
    await expectNoChanges();
    const first = {
      source: await live("sources", "gen"),
      sink: await live("sinks", "out"),
      alert: await live("alerts", "too_fast"),
      dashboard: await live("dashboards", "fleet"),
      savedQuery: await live("savedqueries", "slowest"),
    };
    expect(first.source).toMatchObject({
      type: "stream_generator",
      stream: "cars",
      status: "running",
      properties: { template: "iot", interval: 1000 },
    });
    expect(first.sink).toMatchObject({ type: "http", query: FAST, status: "running", properties: { url: "https://ops.example.com/a" } });
    expect(first.alert).toMatchObject({
      severity: 2,
      action: "http",
      status: "running",
      properties: { url: "https://ops.example.com/alerts" },
    });
    expect(first.dashboard["panels"]).toHaveLength(1);
    expect(first.savedQuery).toMatchObject({ sql: "SELECT cid FROM table(cars) WHERE speed_kmh < 20", tags: ["fleet"] });
    expect(await live("udfs", "kmh_to_mph")).toMatchObject({ type: "javascript", return_type: "float32", url: "" });
    expect((await live("external_streams", "partner_events"))["settings"]).toContainEqual({ key: "topic", value: "events_v1" });
    expect((await live("external_streams", "partner_events"))["settings"]).not.toContainEqual(
      expect.objectContaining({ key: "sasl_password" }),
    );
    expect((await live("external_tables", "fleet_register"))["settings"]).toEqual([
      { key: "type", value: "clickhouse" },
      { key: "address", value: "clickhouse.internal:9000" },
      { key: "user", value: "fleet" },
      { key: "table", value: "cars" },
    ]);
    expect((await live("schemas", "car_event"))["content"]).toContain("float speed_kmh = 2;");

    // Round 2: in-place updates, each with its kind's method. The running source is stopped,
    // patched and started again (reference §3.5).
    let before = await routesServed();
    await change(
      {
        "source.yaml": sourceYaml("simulated fleet", "stream_generator", "{ template: iot, interval: 500 }"),
        "sink.yaml": sinkYaml("http", FAST, "https://ops.example.com/b", "speeding cars, to ops"),
        "alert.yaml": alertYaml(4, "http"),
        "dashboard.yaml": dashboardYaml("fleet", "SELECT max(speed_kmh) FROM cars", true),
        "udf.yaml": javascriptUdfYaml("0.621371"),
        "saved-query.yaml": savedQueryYaml("slowest", "SELECT cid FROM table(cars) WHERE speed_kmh < 10"),
        "schema.yaml": schemaYaml("car_event", "double speed_kmh = 2;"),
      },
      [
        "update schema/car_event",
        "update udf/kmh_to_mph",
        "update source/gen",
        "update sink/out",
        "update alert/too_fast",
        "update dashboard/fleet",
        "update saved_query/slowest",
      ],
    );
    expect(writesBetween(before, await routesServed())).toEqual([
      `PATCH ${api}/sinks/${first.sink.id}`,
      `PATCH ${api}/sources/${first.source.id}`,
      `POST ${api}/sources/${first.source.id}/start`,
      `POST ${api}/sources/${first.source.id}/stop`,
      `PUT ${api}/alerts/${first.alert.id}`,
      `PUT ${api}/dashboards/${first.dashboard.id}`,
      `PUT ${api}/savedqueries/${first.savedQuery.id}`,
      `PUT ${api}/schemas/car_event`,
      `PUT ${api}/udfs/kmh_to_mph`,
    ]);
    expect(await live("sources", "gen")).toMatchObject({
      id: first.source.id,
      description: "simulated fleet [tpctl:kinds]",
      status: "running",
      properties: { template: "iot", interval: 500 },
    });
    expect(await live("sinks", "out")).toMatchObject({
      id: first.sink.id,
      description: "speeding cars, to ops [tpctl:kinds]",
      properties: { url: "https://ops.example.com/b" },
    });
    expect(await live("alerts", "too_fast")).toMatchObject({
      id: first.alert.id,
      severity: 4,
      resolve_sql: "SELECT cid FROM cars WHERE speed_kmh < 150",
    });
    expect((await live("dashboards", "fleet"))["panels"]).toEqual([
      {
        id: "speed",
        title: "Speed",
        description: "",
        position: { x: 0, y: 0, w: 6, h: 4 },
        viz_type: "chart",
        viz_content: "SELECT max(speed_kmh) FROM cars",
        viz_config: { chartType: "line" },
      },
      { id: "notes", title: "", description: "", position: {}, viz_type: "markdown", viz_content: "Speeds in km/h.", viz_config: {} },
    ]);
    expect((await live("udfs", "kmh_to_mph"))["source"]).toContain("v * 0.621371");
    expect(await live("savedqueries", "slowest")).toMatchObject({
      id: first.savedQuery.id,
      sql: "SELECT cid FROM table(cars) WHERE speed_kmh < 10",
    });
    expect((await live("schemas", "car_event"))["content"]).toBe(
      'syntax = "proto3";\nmessage CarEvent {\n  string cid = 1;\n  double speed_kmh = 2;\n}\n// [tpctl:kinds]\n',
    );

    // Round 3: changes the API cannot make in place. Dashboards and saved queries have ids, so a
    // rename stays an update; a schema is named in its path, so a rename is a replace. The server
    // refuses to drop a UDF a view calls, so the view goes and comes back with it.
    await tree.write({
      "source.yaml": sourceYaml("simulated fleet", "websocket", "{ url: 'wss://feed.example.com/cars', data_type: json }"),
      // A Slack sink's url is a secret the server never returns: the plan must still converge.
      "sink.yaml": sinkYaml("slack", FAST, SLACK_URL, "speeding cars, to ops"),
      "alert.yaml": alertYaml(4, "kafka"),
      "dashboard.yaml": dashboardYaml("fleet_overview", "SELECT max(speed_kmh) FROM cars", true),
      "udf.yaml": REMOTE_UDF,
      "external-stream.yaml": externalStreamYaml("events_v2"),
      "external-table.yaml": externalTableYaml("car register in ClickHouse"),
      "saved-query.yaml": savedQueryYaml("slowest_cars", "SELECT cid FROM table(cars) WHERE speed_kmh < 10"),
      "schema.yaml": schemaYaml("car_event_v2", "double speed_kmh = 2;"),
    });
    const replacePlan = await planJson();
    expect(replacePlan.changes.map(describeChange)).toEqual([
      "replace alert/too_fast !",
      "replace sink/out !",
      "replace view/cars_mph",
      "replace source/gen !",
      "replace external_table/fleet_register",
      "replace external_stream/partner_events !",
      "replace udf/kmh_to_mph",
      "replace schema/car_event_v2",
      "update dashboard/fleet_overview",
      "update saved_query/slowest_cars",
    ]);
    const reasons = Object.fromEntries(replacePlan.changes.map((c) => [`${c.kind}/${c.name}`, c.reason]));
    expect(reasons).toMatchObject({
      "source/gen": "type cannot be updated in place",
      "sink/out": "type cannot be updated in place",
      "alert/too_fast": "action cannot be updated in place",
      "udf/kmh_to_mph": "type cannot be updated in place",
      "external_stream/partner_events": "settings cannot be updated in place",
      "external_table/fleet_register": "description cannot be updated in place",
    });
    expect(await apply()).toEqual(replacePlan.changes.map(describeChange));
    await expectNoChanges();
    const third = { source: await live("sources", "gen"), sink: await live("sinks", "out"), alert: await live("alerts", "too_fast") };
    expect(third.source.id).not.toBe(first.source.id);
    expect(third.source).toMatchObject({
      type: "websocket",
      status: "running",
      properties: { url: "wss://feed.example.com/cars", data_type: "json" },
    });
    expect(third.sink.id).not.toBe(first.sink.id);
    expect(third.sink).toMatchObject({ type: "slack", query: FAST });
    expect(third.alert.id).not.toBe(first.alert.id);
    expect(third.alert).toMatchObject({ action: "kafka", severity: 4 });
    expect(await live("udfs", "kmh_to_mph")).toMatchObject({ type: "remote", url: "https://udf.example.com/kmh_to_mph", source: "" });
    expect((await live("external_streams", "partner_events"))["settings"]).toContainEqual({ key: "topic", value: "events_v2" });
    expect((await live("external_tables", "fleet_register"))["description"]).toMatch(
      /^car register in ClickHouse \[tpctl:kinds secrets=(?:[0-9a-f]{4})+\]$/,
    );
    expect((await live("dashboards", "fleet_overview")).id).toBe(first.dashboard.id);
    expect((await live("savedqueries", "slowest_cars")).id).toBe(first.savedQuery.id);
    expect((await list("schemas")).map((item) => item.name)).toEqual(["car_event_v2"]);

    // Round 4: a sink's query and an external stream's description force a replace too; a source
    // someone stopped is updated without being started.
    expect((await apiCall(server, "POST", `/sources/${third.source.id}/stop`)).status).toBe(204);
    before = await routesServed();
    await change(
      {
        "source.yaml": sourceYaml("simulated fleet", "websocket", "{ url: 'wss://feed.example.com/fleet', data_type: json }"),
        "sink.yaml": sinkYaml("slack", FASTER, SLACK_URL, "speeding cars, to ops"),
        "external-stream.yaml": externalStreamYaml("events_v2", "events from partner fleets"),
      },
      ["replace sink/out !", "replace external_stream/partner_events !", "update source/gen"],
    );
    const writes = writesBetween(before, await routesServed());
    expect(writes.filter((route) => route.includes("/sources/"))).toEqual([`PATCH ${api}/sources/${third.source.id}`]);
    expect(await live("sources", "gen")).toMatchObject({
      id: third.source.id,
      status: "stopped",
      properties: { url: "wss://feed.example.com/fleet" },
    });
    expect((await live("sinks", "out"))["query"]).toBe(FASTER);
    expect((await live("external_streams", "partner_events"))["description"]).toMatch(
      /^events from partner fleets \[tpctl:kinds secrets=(?:[0-9a-f]{4})+\]$/,
    );

    // Round 5: removing the manifests deletes everything they managed, dependents first.
    expect(await remove(...KIND_FILES)).toEqual([
      "delete saved_query/slowest_cars",
      "delete dashboard/fleet_overview",
      "delete alert/too_fast !",
      "delete sink/out !",
      "delete view/cars_mph",
      "delete source/gen !",
      "delete external_table/fleet_register",
      "delete external_stream/partner_events !",
      "delete udf/kmh_to_mph",
      "delete schema/car_event_v2",
    ]);
    for (const collection of [
      "views",
      "external_streams",
      "external_tables",
      "sources",
      "sinks",
      "alerts",
      "dashboards",
      "udfs",
      "savedqueries",
      "schemas",
    ]) {
      expect(await list(collection), collection).toEqual([]);
    }
    expect((await list("streams")).map((item) => item.name)).toEqual(["cars"]);
  });
});

describe("the complete pipeline of every kind", () => {
  it("applies in one run in dependency order, and destroy removes it all but what it does not manage", async () => {
    await cp(resolve("examples"), join(tree.dir, "pipeline"), { recursive: true });
    const pipeline = (...args: string[]) => runCli(args, { cwd: join(tree.dir, "pipeline"), env: server.env });
    expect((await apiCall(server, "POST", "/streams", { name: "hand_made", columns: [{ name: "x", type: "int32" }] })).status).toBe(201);

    const applied = await pipeline("apply", "--auto-approve");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const done = applied.stdout.split("\n").flatMap((line) => /^ {2}✓ create (\S+)$/.exec(line)?.slice(1) ?? []);
    expect([...done].sort()).toEqual([
      "alert/car_out_of_gas",
      "dashboard/fleet_overview",
      "external_stream/partner_car_events",
      "external_table/fleet_register",
      "materialized_view/car_speed_per_minute_mv",
      "saved_query/slowest_cars",
      "schema/car_event",
      "sink/fast_cars_webhook",
      "source/car_generator",
      "stream/car_live_data",
      "stream/car_speed_per_minute",
      "udf/kmh_to_mph",
      "view/fast_cars",
    ]);
    const position = (address: string) => done.indexOf(address);
    expect(position("schema/car_event")).toBeLessThan(position("external_stream/partner_car_events"));
    for (const first of ["udf/kmh_to_mph", "stream/car_live_data", "stream/car_speed_per_minute"]) {
      for (const then of ["view/fast_cars", "materialized_view/car_speed_per_minute_mv", "sink/fast_cars_webhook"]) {
        expect(position(first), `${first} before ${then}`).toBeLessThan(position(then));
      }
    }
    expect(position("view/fast_cars")).toBeLessThan(position("sink/fast_cars_webhook"));
    expect((await pipeline("plan", "--detailed-exitcode")).code).toBe(0);

    // The server refuses a drop that something still depends on (630): success means dependents went first.
    const destroyed = await pipeline("destroy", "--auto-approve");
    expect(destroyed.stderr).toBe("");
    expect(destroyed.code).toBe(0);
    for (const collection of [
      "views",
      "materialized_views",
      "external_streams",
      "external_tables",
      "sources",
      "sinks",
      "alerts",
      "dashboards",
      "udfs",
      "savedqueries",
      "schemas",
    ]) {
      expect(await list(collection), collection).toEqual([]);
    }
    expect((await list("streams")).map((item) => item.name)).toEqual(["hand_made"]);
  });
});
