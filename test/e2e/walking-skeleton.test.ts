import { cp } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

const STREAMS = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
  - { name: speed_kmh, type: float32 }
---
kind: stream
name: totals
columns:
  - { name: cid, type: string }
  - { name: n, type: uint64 }
`;
const VIEWS = `kind: view
name: fast_cars
query: SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 100
---
kind: materialized_view
name: totals_mv
target_stream: totals
query: SELECT cid, count() AS n FROM tumble(cars, 5s) GROUP BY window_start, cid
`;

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;

beforeEach(async () => {
  server = await startTestServer();
  tree = await makeTree({ "tpctl.yaml": "project: e2e\n", "streams.yaml": STREAMS, "views.yaml": VIEWS });
});
afterEach(async () => {
  await server.close();
  await tree.cleanup();
});

const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env: server.env });

describe("plan and apply streams, views and materialized views", () => {
  it("applies on an empty workspace, then plans no changes", async () => {
    const first = await cli("apply", "--auto-approve");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("+ stream/cars");

    const again = await cli("plan", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
  });

  it("prints the contract's JSON plan and exits 2 when there are changes", async () => {
    const result = await cli("plan", "--json", "--detailed-exitcode");
    expect(result.code).toBe(2);
    const plan = JSON.parse(result.stdout);
    expect(plan.format_version).toBe("1");
    expect(plan.summary).toEqual({ create: 4, update: 0, replace: 0, delete: 0 });
    expect(plan.changes.map((c: { kind: string; name: string; action: string }) => `${c.action} ${c.kind}/${c.name}`)).toEqual([
      "create stream/cars",
      "create stream/totals",
      "create view/fast_cars",
      "create materialized_view/totals_mv",
    ]);
    for (const change of plan.changes) {
      expect(Object.keys(change)).toEqual(expect.arrayContaining(["kind", "name", "action", "reason", "destructive"]));
    }
  });

  it("updates a view's query in place", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    await tree.write({ "views.yaml": VIEWS.replace("speed_kmh > 100", "speed_kmh > 120") });
    const plan = await cli("plan", "--json");
    expect(JSON.parse(plan.stdout).changes).toEqual([
      expect.objectContaining({ kind: "view", name: "fast_cars", action: "update", destructive: false }),
    ]);
    const text = await cli("plan");
    expect(text.stdout).toContain("- SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 100");
    expect(text.stdout).toContain("+ SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 120");
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const view = await apiCall(server, "GET", "/views/fast_cars");
    expect((view.body as { query: string }).query).toContain("speed_kmh > 120");
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("replaces a stream whose columns change, cascading to its readers, and asks for --allow-destroy", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    await tree.write({ "streams.yaml": STREAMS.replace("{ name: speed_kmh, type: float32 }", "{ name: speed_kmh, type: float64 }") });
    const plan = JSON.parse((await cli("plan", "--json")).stdout);
    expect(
      plan.changes.map((c: { action: string; kind: string; name: string; destructive: boolean }) => [
        c.action,
        `${c.kind}/${c.name}`,
        c.destructive,
      ]),
    ).toEqual([
      ["replace", "materialized_view/totals_mv", true],
      ["replace", "view/fast_cars", false],
      ["replace", "stream/cars", true],
    ]);
    expect(plan.changes[2].reason).toBe("columns cannot be updated in place");

    const refused = await cli("apply", "--auto-approve");
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("--allow-destroy");

    const applied = await cli("apply", "--auto-approve", "--allow-destroy");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const stream = await apiCall(server, "GET", "/streams/cars");
    expect((stream.body as { columns: { name: string; type: string }[] }).columns[1]).toMatchObject({ name: "speed_kmh", type: "float64" });
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("deletes a removed resource, dependents first", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    await tree.write({ "views.yaml": "" });
    await tree.write({ "streams.yaml": STREAMS.split("---")[0] as string });
    const plan = JSON.parse((await cli("plan", "--json")).stdout);
    expect(plan.changes.map((c: { action: string; kind: string; name: string }) => `${c.action} ${c.kind}/${c.name}`)).toEqual([
      "delete materialized_view/totals_mv",
      "delete view/fast_cars",
      "delete stream/totals",
    ]);
    const applied = await cli("apply", "--auto-approve", "--allow-destroy");
    expect(applied.code).toBe(0);
    expect((await apiCall(server, "GET", "/streams/totals")).status).toBe(404);
    expect((await apiCall(server, "GET", "/streams/cars")).status).toBe(200);
  });

  it("refuses to plan the deletion of everything when no manifest is found", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const empty = await makeTree({ "tpctl.yaml": "project: e2e\n" });
    try {
      const result = await runCli(["plan"], { cwd: empty.dir, env: server.env });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('no manifests were found, so this plan would delete all 4 resources project "e2e" created');
    } finally {
      await empty.cleanup();
    }
  });

  it("leaves alone a resource created outside the manifests", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const created = await apiCall(server, "POST", "/streams", { name: "hand_made", columns: [{ name: "x", type: "int32" }] });
    expect(created.status).toBe(201);
    const plan = await cli("plan", "--json", "--detailed-exitcode");
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).unmanaged).toEqual(["stream/hand_made"]);
    expect((await cli("apply", "--auto-approve", "--allow-destroy")).code).toBe(0);
    expect((await apiCall(server, "GET", "/streams/hand_made")).status).toBe(200);
  });

  it("keeps the workspace across a server restart", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    server = await server.restart();
    const plan = await cli("plan", "--detailed-exitcode");
    expect(plan.stdout).toContain("No changes");
    expect(plan.code).toBe(0);
  });

  it("gives a slow deployment more time with TPCTL_TIMEOUT_MS, and says what a bad value is", async () => {
    const bad = await runCli(["plan"], { cwd: tree.dir, env: { ...server.env, TPCTL_TIMEOUT_MS: "soon" } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('Error: TPCTL_TIMEOUT_MS must be a whole number of milliseconds from 100 to 3600000, not "soon"\n');
    expect((await runCli(["plan"], { cwd: tree.dir, env: { ...server.env, TPCTL_TIMEOUT_MS: "120000" } })).code).toBe(0);
  });

  it("refuses to apply without --auto-approve when it cannot ask", async () => {
    const result = await cli("apply");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--auto-approve");
    expect((await apiCall(server, "GET", "/streams")).body).toEqual([]);
  });
});

describe("validate", () => {
  it("reports every problem with file:line:column and sends nothing", async () => {
    await tree.write({
      "bad.yaml": `kind: stream
name: 9lives
columns:
  - { name: a, type: string, colour: red }
---
kind: strem
name: ok
`,
    });
    const result = await cli("validate");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:2:7: .*name/);
    expect(result.stderr).toMatch(/bad\.yaml:4:\d+: .*colour/);
    expect(result.stderr).toMatch(/bad\.yaml:6:7: .*strem/);
    const apply = await cli("apply", "--auto-approve");
    expect(apply.code).toBe(1);
    expect((await apiCall(server, "GET", "/streams")).body).toEqual([]);
  });

  it("finds a dependency cycle offline", async () => {
    await tree.write({
      "views.yaml": `kind: view
name: a
query: SELECT * FROM b
---
kind: view
name: b
query: SELECT * FROM a
`,
    });
    const result = await runCli(["validate"], { cwd: tree.dir, env: { TIMEPLUS_ADDRESS: "http://127.0.0.1:1" } });
    expect(result.code).toBe(1);
    // With the file:line of each resource on the cycle.
    expect(result.stderr).toBe(
      [
        "views.yaml:1:1: dependency cycle: view/a -> view/b -> view/a",
        "views.yaml:5:1: view/b is on the dependency cycle view/a -> view/b -> view/a",
        "Error: 2 problems in the manifests; nothing was sent to the API.",
        "",
      ].join("\n"),
    );
  });

  it("accepts the examples", async () => {
    const result = await runCli(["validate", resolve("examples")], { cwd: tree.dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});

describe("graph", () => {
  it("prints the dependency graph of the manifests without a server", async () => {
    const result = await runCli(["graph", "--format", "json"], { cwd: tree.dir, env: { TIMEPLUS_ADDRESS: "http://127.0.0.1:1" } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).edges).toEqual([
      { from: "materialized_view/totals_mv", to: "stream/cars" },
      { from: "materialized_view/totals_mv", to: "stream/totals" },
      { from: "view/fast_cars", to: "stream/cars" },
    ]);
  });
});

describe("the embedded default", () => {
  it("plans and applies the examples with no server configured, and converges", async () => {
    await cp(resolve("examples"), join(tree.dir, "work"), { recursive: true });
    const cwd = join(tree.dir, "work");
    const applied = await runCli(["apply", "--auto-approve"], { cwd });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const again = await runCli(["plan", "--detailed-exitcode"], { cwd });
    expect(again.code).toBe(0);
  });
});
