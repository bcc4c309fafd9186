import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

/** A file as exported, less its first line (the yaml-language-server schema line). */
const body = async (path: string): Promise<string> => (await readFile(path, "utf8")).replace(/^# yaml-language-server: \$schema=\S+\n/, "");

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;

beforeEach(async () => {
  server = await startTestServer();
  tree = await makeTree({});
});
afterEach(async () => {
  await server.close();
  await tree.cleanup();
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: tree.dir, env: { ...server.env, ...env } });

/** Someone else built this workspace by hand, straight through the API. */
async function createBasics(): Promise<void> {
  const calls: [string, string, unknown][] = [
    [
      "POST",
      "/streams",
      {
        name: "car_live_data",
        description: "live telemetry",
        columns: [
          { name: "cid", type: "string", codec: "ZSTD(1)" },
          { name: "speed_kmh", type: "float32" },
        ],
        logstore_retention_ms: 86400000,
        ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      },
    ],
    [
      "POST",
      "/streams",
      {
        name: "totals",
        columns: [
          { name: "cid", type: "string" },
          { name: "n", type: "uint64" },
        ],
      },
    ],
    ["POST", "/views", { name: "fast_cars", query: "SELECT cid, speed_kmh\nFROM car_live_data\nWHERE speed_kmh > 100" }],
    [
      "POST",
      "/materialized_views",
      {
        name: "totals_mv",
        target_stream: "totals",
        query: "SELECT cid, count() AS n FROM tumble(car_live_data, 5s) GROUP BY window_start, cid",
      },
    ],
  ];
  for (const [method, path, body] of calls) expect((await apiCall(server, method, path, body)).status).toBe(201);
}

const SECRETS = {
  TPCTL_SINK_SLACK_OUT_URL: "https://hooks.slack.com/services/T0/B0/abc",
  TPCTL_ALERT_TOO_FAST_URL: "https://hooks.slack.com/services/T0/B0/def",
  TPCTL_UDF_SCORE_AUTH_CONTEXT_KEY_VALUE: "udf-key-123",
};

/** Every other kind the built-in server serves (src/server/kinds/index.ts). */
async function createTheRest(): Promise<void> {
  const calls: [string, unknown][] = [
    ["/schemas", { name: "car", type: "Protobuf", content: 'syntax = "proto3";\nmessage Car { string cid = 1; }\n' }],
    [
      "/udfs",
      {
        name: "plus_one",
        type: "javascript",
        arguments: [{ name: "a", type: "float64" }],
        return_type: "float64",
        source: "function plus_one(a) {\n  return a.map(x => x + 1);\n}\n",
      },
    ],
    [
      "/udfs",
      {
        name: "score",
        type: "remote",
        arguments: [{ name: "cid", type: "string" }],
        return_type: "float64",
        url: "http://scorer/score",
        auth_method: "auth_header",
        auth_context: { key_name: "X-Key", key_value: SECRETS.TPCTL_UDF_SCORE_AUTH_CONTEXT_KEY_VALUE },
      },
    ],
    [
      "/external_streams",
      {
        name: "raw_events",
        settings: [
          { key: "type", value: "kafka" },
          { key: "brokers", value: "kafka:9092" },
          { key: "topic", value: "events" },
        ],
        columns: [{ name: "raw", type: "string" }],
      },
    ],
    [
      "/external_tables",
      {
        name: "warehouse",
        settings: [
          { key: "type", value: "clickhouse" },
          { key: "address", value: "ch:9000" },
          { key: "table", value: "cars" },
        ],
      },
    ],
    ["/sources", { name: "generator", stream: "car_live_data", type: "stream_generator", properties: { template: "iot", interval: 1000 } }],
    [
      "/sinks",
      {
        name: "slack_out",
        type: "slack",
        query: "SELECT * FROM fast_cars",
        properties: { url: SECRETS.TPCTL_SINK_SLACK_OUT_URL, template: "{{ .cid }}" },
      },
    ],
    [
      "/alerts",
      {
        name: "too_fast",
        severity: 2,
        action: "slack",
        trigger_sql: "SELECT * FROM car_live_data WHERE speed_kmh > 200",
        properties: { url: SECRETS.TPCTL_ALERT_TOO_FAST_URL },
      },
    ],
    [
      "/dashboards",
      {
        name: "fleet",
        description: "the fleet at a glance",
        panels: [
          {
            id: "p1",
            title: "Speed",
            position: { x: 0, y: 0, w: 6, h: 4 },
            viz_type: "chart",
            viz_content: "SELECT avg(speed_kmh)\nFROM car_live_data",
            viz_config: { chartType: "line" },
          },
        ],
      },
    ],
    ["/savedqueries", { name: "slowest", sql: "SELECT cid FROM table(car_live_data) ORDER BY speed_kmh LIMIT 10", tags: ["ops"] }],
  ];
  for (const [path, body] of calls) {
    const response = await apiCall(server, "POST", path, body);
    expect(response.status, `POST ${path}: ${JSON.stringify(response.body)}`).toBe(201);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe("tpctl export", () => {
  it("writes manifests that plan no changes against the workspace they came from", async () => {
    await createBasics();
    const exported = await cli(["export"]);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("Exported 4 resources from");
    expect(exported.stdout).toContain("  exported/streams/car_live_data.yaml\n");
    expect(exported.stdout).toContain("Nothing was written to the workspace.");

    const dir = join(tree.dir, "exported");
    expect(await filesUnder(dir)).toEqual([
      "materialized_views/totals_mv.yaml",
      "streams/car_live_data.yaml",
      "streams/totals.yaml",
      "tpctl.yaml",
      "views/fast_cars.yaml",
    ]);
    // Each file starts with the schema line editors read, pointing at this tpctl's schemas/.
    const schemas = resolve(dirname(fileURLToPath(import.meta.url)), "../../schemas");
    expect((await readFile(join(dir, "tpctl.yaml"), "utf8")).split("\n")[0]).toBe(
      `# yaml-language-server: $schema=${relative(dir, join(schemas, "tpctl.json"))}`,
    );
    expect((await readFile(join(dir, "views/fast_cars.yaml"), "utf8")).split("\n")[0]).toBe(
      `# yaml-language-server: $schema=${relative(join(dir, "views"), join(schemas, "manifest.json"))}`,
    );
    expect(await body(join(dir, "tpctl.yaml"))).toBe("project: default\n");
    expect(await body(join(dir, "streams/car_live_data.yaml"))).toBe(
      [
        "kind: stream",
        "name: car_live_data",
        "description: live telemetry",
        "columns:",
        "  - { name: cid, type: string, codec: ZSTD(1) }",
        "  - { name: speed_kmh, type: float32 }",
        "logstore_retention_ms: 86400000",
        "ttl_expression: to_datetime(_tp_time) + INTERVAL 1 DAY",
        "",
      ].join("\n"),
    );
    expect(await body(join(dir, "views/fast_cars.yaml"))).toBe(
      "kind: view\nname: fast_cars\nquery: |-\n  SELECT cid, speed_kmh\n  FROM car_live_data\n  WHERE speed_kmh > 100\n",
    );

    expect((await cli(["validate", "exported"])).code).toBe(0);
    const plan = await cli(["plan", "exported", "--detailed-exitcode"]);
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain("No changes");
    expect(plan.code).toBe(0);
  });

  it("leaves identical files alone and refuses to overwrite one that differs", async () => {
    await createBasics();
    expect((await cli(["export", "--out", "manifests", "--project", "fleet"])).code).toBe(0);
    const again = await cli(["export", "--out", "manifests", "--project", "fleet"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("  manifests/views/fast_cars.yaml (unchanged)\n");

    await tree.write({ "manifests/views/fast_cars.yaml": "kind: view\nname: fast_cars\nquery: SELECT 1\n" });
    expect((await apiCall(server, "POST", "/streams", { name: "added_later", columns: [{ name: "x", type: "int32" }] })).status).toBe(201);
    const refused = await cli(["export", "--out", "manifests", "--project", "fleet"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "Error: refusing to overwrite a file that differs from the export (manifests/views/fast_cars.yaml); nothing was written. Move or delete it, or export into another folder with --out\n",
    );
    expect(await readFile(join(tree.dir, "manifests/views/fast_cars.yaml"), "utf8")).toBe("kind: view\nname: fast_cars\nquery: SELECT 1\n");
    await expect(readFile(join(tree.dir, "manifests/streams/added_later.yaml"), "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("exports every kind, secrets as environment references, and plans no changes", async () => {
    await createBasics();
    await createTheRest();
    const exported = await cli(["export"]);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("Exported 14 resources");
    for (const name of Object.keys(SECRETS)) expect(exported.stdout).toContain(`  ${name}`);

    const dir = join(tree.dir, "exported");
    const files = await filesUnder(dir);
    expect(files).toEqual([
      "alerts/too_fast.yaml",
      "dashboards/fleet.yaml",
      "external_streams/raw_events.yaml",
      "external_tables/warehouse.yaml",
      "materialized_views/totals_mv.yaml",
      "saved_queries/slowest.yaml",
      "schemas/car.yaml",
      "sinks/slack_out.yaml",
      "sources/generator.yaml",
      "streams/car_live_data.yaml",
      "streams/totals.yaml",
      "tpctl.yaml",
      "udfs/plus_one.yaml",
      "udfs/score.yaml",
      "views/fast_cars.yaml",
    ]);
    const everything = (await Promise.all(files.map((file) => readFile(join(dir, file), "utf8")))).join("\n");
    for (const value of Object.values(SECRETS)) expect(everything).not.toContain(value);
    expect(await body(join(dir, "sinks/slack_out.yaml"))).toBe(
      [
        "# The Timeplus API does not return secrets, so this manifest reads them from the environment.",
        "# Set these variables before tpctl plan or apply:",
        "#   TPCTL_SINK_SLACK_OUT_URL  properties.url",
        "kind: sink",
        "name: slack_out",
        "type: slack",
        "query: SELECT * FROM fast_cars",
        "properties:",
        '  template: "{{ .cid }}"',
        "  url: ${secret:TPCTL_SINK_SLACK_OUT_URL}",
        "",
      ].join("\n"),
    );

    expect((await cli(["validate", "exported"], SECRETS)).code).toBe(0);
    const plan = await cli(["plan", "exported", "--json", "--detailed-exitcode"], SECRETS);
    expect(plan.stderr).toBe("");
    expect(JSON.parse(plan.stdout)).toMatchObject({ changes: [], unmanaged: [] });
    expect(plan.code).toBe(0);
  });

  it("without --adopt leaves the workspace alone: a removed manifest's resource is unmanaged", async () => {
    await createBasics();
    expect((await cli(["export", "--project", "fleet"])).code).toBe(0);
    const live = (await apiCall(server, "GET", "/views/fast_cars")).body as { description: string };
    expect(live.description).toBe("");

    await tree.remove("exported/views/fast_cars.yaml");
    const plan = await cli(["plan", "exported", "--json", "--detailed-exitcode"]);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ changes: [], unmanaged: ["view/fast_cars"] });
  });

  it("with --adopt records ownership, so that removing a manifest deletes its resource", async () => {
    await createBasics();
    await createTheRest();
    const exported = await cli(["export", "--adopt", "--project", "fleet"], SECRETS);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('Adopted into project "fleet"');
    expect(exported.stdout).toContain("  external_stream/raw_events: external streams cannot be updated through the API");
    expect(exported.stdout).toContain("  external_table/warehouse: external tables cannot be updated through the API");

    const stream = (await apiCall(server, "GET", "/streams/car_live_data")).body as { description: string };
    expect(stream.description).toBe("live telemetry [tpctl:fleet]");
    const schema = (await apiCall(server, "GET", "/schemas/car")).body as { content: string };
    expect(schema.content).toBe('syntax = "proto3";\nmessage Car { string cid = 1; }\n// [tpctl:fleet]\n');
    const source = ((await apiCall(server, "GET", "/sources")).body as { status: string }[])[0];
    expect(source?.status).toBe("running");

    // Adopting changed nothing a plan compares, secrets included.
    const plan = await cli(["plan", "exported", "--detailed-exitcode"], SECRETS);
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain("No changes");
    expect(plan.code).toBe(0);

    await tree.remove("exported/views/fast_cars.yaml");
    await tree.remove("exported/sinks/slack_out.yaml");
    const applied = await cli(["apply", "exported", "--auto-approve", "--allow-destroy"], SECRETS);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect((await apiCall(server, "GET", "/views/fast_cars")).status).toBe(404);
    expect((await apiCall(server, "GET", "/sinks")).body).toEqual([]);
    expect((await apiCall(server, "GET", "/streams/car_live_data")).status).toBe(200);
    expect((await cli(["plan", "exported", "--detailed-exitcode"], SECRETS)).code).toBe(0);
  });
});
