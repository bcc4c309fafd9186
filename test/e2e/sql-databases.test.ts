import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import type { Profile } from "../../src/server/sql/profile.js";
import { makeTree, runCli, type CliResult } from "../helpers/cli.js";

/** Databases and what lives in them, end to end over SQL on the built-in server, and refused over REST. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(profile: Profile): Promise<{ url: string; env: Record<string, string> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `tpctl-${profile}-`));
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, profile });
  cleanups.push(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { url: server.url, env: { TIMEPLUS_ADDRESS: server.url } };
}

const MANIFESTS = `kind: database
name: analytics
description: the analytics team's
---
kind: stream
name: events
database: analytics
description: raw events
columns:
  - { name: id, type: string }
  - { name: speed, type: float64 }
---
kind: stream
name: events
columns:
  - { name: id, type: string }
---
kind: view
name: fast
database: analytics
query: SELECT e.id, e.speed FROM analytics.events AS e JOIN events USING (id) WHERE e.speed > 80
---
kind: materialized_view
name: ids
query: SELECT id FROM analytics.events
target_stream: analytics.id_log
---
kind: stream
name: id_log
database: analytics
columns:
  - { name: id, type: string }
`;

async function workspace(): Promise<string> {
  const tree = await makeTree({ "tpctl.yaml": "project: fleet\n", "all.yaml": MANIFESTS });
  cleanups.push(() => tree.cleanup());
  return tree.dir;
}

function cli(dir: string, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: dir, env });
}

/** A manifest folder of project fleet holding one file, removed after the test. */
async function project(file: string, text: string): Promise<string> {
  const tree = await makeTree({ "tpctl.yaml": "project: fleet\n", [file]: text });
  cleanups.push(() => tree.cleanup());
  return tree.dir;
}

/** Applies over SQL and expects it to succeed, showing `shown` among the changes. */
async function applyShowing(dir: string, env: Record<string, string>, shown: string): Promise<CliResult> {
  const applied = await cli(dir, env, "apply", "--api", "sql", "--auto-approve");
  expect(applied.stdout).toContain(shown);
  expect(applied.code).toBe(0);
  return applied;
}

/** Applies over SQL, showing `shown` among the changes, then plans again: no changes. */
async function applyAndConverge(dir: string, env: Record<string, string>, shown: string): Promise<CliResult> {
  const applied = await cli(dir, env, "apply", "--api", "sql", "--auto-approve");
  expect(applied.stderr).toBe("");
  expect(applied.code).toBe(0);
  expect(applied.stdout).toContain(shown);
  const again = await cli(dir, env, "plan", "--api", "sql", "--detailed-exitcode");
  expect(again.stdout).toContain("No changes");
  expect(again.code).toBe(0);
  return applied;
}

describe.each<Profile>(["2026", "engine"])("databases over SQL on the %s profile", (profile) => {
  it("applies a database and what lives in it, converges, changes in place, plans by qualified address, and destroys it last", async () => {
    const server = await serve(profile);
    const dir = await workspace();
    const planned = await cli(dir, server.env, "plan", "--api", "sql", "--json");
    expect(planned.stderr).toBe("");
    const plan = JSON.parse(planned.stdout) as { changes: { action: string; address: string }[] };
    const order = plan.changes.map((change) => change.address);
    expect(order.slice().sort()).toEqual([
      "database/analytics",
      "materialized_view/ids",
      "stream/analytics.events",
      "stream/analytics.id_log",
      "stream/events",
      "view/analytics.fast",
    ]);

    const applied = await cli(dir, server.env, "apply", "--api", "sql", "--auto-approve");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const again = await cli(dir, server.env, "plan", "--api", "sql", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);

    // The two streams named events are two objects: changing one changes only it.
    const file = join(dir, "all.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace("raw events", "raw events, deduplicated"));
    const targeted = await cli(dir, server.env, "plan", "--api", "sql", "--target", "stream/analytics.events", "--json");
    expect(targeted.stderr).toBe("");
    expect((JSON.parse(targeted.stdout) as { changes: { action: string; address: string }[] }).changes).toMatchObject([
      { action: "update", address: "stream/analytics.events" },
    ]);
    await applyShowing(dir, server.env, "~ stream/analytics.events");
    expect((await cli(dir, server.env, "plan", "--api", "sql", "--detailed-exitcode")).code).toBe(0);

    const graph = await cli(dir, server.env, "graph");
    expect(graph.stdout).toContain("analytics.events");

    const destroyed = await cli(dir, server.env, "destroy", "--api", "sql", "--auto-approve");
    expect(destroyed.stderr).toBe("");
    expect(destroyed.code).toBe(0);
    // The database went last, after everything in it (DROP DATABASE without CASCADE would refuse otherwise).
    const lines = destroyed.stdout.split("\n").filter((line) => /^\s*- /.test(line));
    expect(lines.at(-1)).toContain("database/analytics");
    const after = await cli(dir, server.env, "plan", "--api", "sql", "--json");
    expect((JSON.parse(after.stdout) as { changes: { action: string }[] }).changes.every((change) => change.action === "create")).toBe(
      true,
    );
  });
});

const RANDOM = `kind: random_stream
name: devices
description: fake fleet
columns:
  - { name: device, type: string, default: "'device' || to_string(rand() % 4)" }
  - { name: speed, type: float64, default: rand() % 200 }
eps: 10
---
kind: view
name: fast_devices
query: SELECT device FROM devices WHERE speed > 100
`;

describe.each<Profile>(["2026", "engine"])("random streams over SQL on the %s profile", (profile) => {
  it("applies one and a view reading it, converges, changes the comment in place, replaces on a new eps, and destroys", async () => {
    const server = await serve(profile);
    const dir = await project("random.yaml", RANDOM);
    await applyAndConverge(dir, server.env, "+ random_stream/devices");

    const file = join(dir, "random.yaml");
    await writeFile(file, RANDOM.replace("fake fleet", "a fake fleet"));
    await applyShowing(dir, server.env, "~ random_stream/devices");
    await writeFile(file, RANDOM.replace("fake fleet", "a fake fleet").replace("eps: 10", "eps: 20"));
    const eps = await cli(dir, server.env, "plan", "--api", "sql", "--json");
    const changes = (JSON.parse(eps.stdout) as { changes: { action: string; address: string }[] }).changes;
    expect(changes.find((change) => change.address === "random_stream/devices")?.action).toBe("replace");
    expect((await cli(dir, server.env, "apply", "--api", "sql", "--auto-approve")).code).toBe(0);
    expect((await cli(dir, server.env, "plan", "--api", "sql", "--detailed-exitcode")).code).toBe(0);

    const destroyed = await cli(dir, server.env, "destroy", "--api", "sql", "--auto-approve");
    expect(destroyed.stderr).toBe("");
    expect(destroyed.code).toBe(0);
    expect((await cli(dir, server.env, "plan", "--api", "sql", "--detailed-exitcode")).code).toBe(2);
  });
});

const MUTABLE = `kind: mutable_stream
name: products
database: analytics
description: catalogue
columns:
  - { name: id, type: string }
  - { name: name, type: string }
  - { name: price, type: float32 }
primary_key: id
secondary_indexes:
  - { name: by_name, columns: [name], storing: [price] }
version_column: price
---
kind: database
name: analytics
---
kind: view
name: cheap
query: SELECT id FROM analytics.products WHERE price < 10
`;

describe.each<Profile>(["2026", "engine"])("mutable streams over SQL on the %s profile", (profile) => {
  it("applies one, converges, changes the comment in place, replaces on a new primary key, and destroys", async () => {
    const server = await serve(profile);
    const dir = await project("mutable.yaml", MUTABLE);
    await applyAndConverge(dir, server.env, "+ mutable_stream/analytics.products");

    const file = join(dir, "mutable.yaml");
    await writeFile(file, MUTABLE.replace("description: catalogue", "description: the catalogue"));
    await applyShowing(dir, server.env, "~ mutable_stream/analytics.products");
    await writeFile(
      file,
      MUTABLE.replace("description: catalogue", "description: the catalogue").replace("primary_key: id", "primary_key: (id, name)"),
    );
    const key = await cli(dir, server.env, "plan", "--api", "sql", "--json");
    const changes = (JSON.parse(key.stdout) as { changes: { action: string; address: string }[] }).changes;
    expect(changes.find((change) => change.address === "mutable_stream/analytics.products")?.action).toBe("replace");
    // A mutable stream holds data: replacing it needs --allow-destroy, as for a stream.
    const refused = await cli(dir, server.env, "apply", "--api", "sql", "--auto-approve");
    expect(refused.stderr).toContain("refusing to delete or destructively replace mutable_stream/analytics.products");
    const replaced = await cli(dir, server.env, "apply", "--api", "sql", "--auto-approve", "--allow-destroy");
    expect(replaced.stderr).toBe("");
    expect(replaced.code).toBe(0);
    expect((await cli(dir, server.env, "plan", "--api", "sql", "--detailed-exitcode")).code).toBe(0);

    const destroyed = await cli(dir, server.env, "destroy", "--api", "sql", "--auto-approve");
    expect(destroyed.stderr).toBe("");
    expect(destroyed.code).toBe(0);
  });

  it("refuses the REST API's spelling, a stream with engine MutableStream, before anything changes", async () => {
    const server = await serve(profile);
    const tree = await makeTree({
      "tpctl.yaml": "project: fleet\n",
      "m.yaml": "kind: stream\nname: products\nengine: MutableStream\nprimary_key: id\ncolumns:\n  - { name: id, type: string }\n",
    });
    cleanups.push(() => tree.cleanup());
    const result = await cli(tree.dir, server.env, "apply", "--api", "sql", "--auto-approve");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("stream/products declares engine: MutableStream");
    expect(result.stderr).toContain("declare it as kind: mutable_stream");
  });
});

const DICTIONARY = `kind: stream
name: zones_raw
columns:
  - { name: id, type: uint16 }
  - { name: zone, type: string }
---
kind: dictionary
name: zones
description: taxi zones
columns:
  - { name: id, type: uint16, default: "0" }
  - { name: zone, type: string }
primary_key: id
source: { type: timeplus, stream: zones_raw, user: admin, password: "\${secret:ZONES_PASSWORD}" }
layout: { type: hashed }
lifetime: { min: 0, max: 300 }
---
kind: view
name: zone_names
query: SELECT zone FROM zones
`;

describe.each<Profile>(["2026", "engine"])("dictionaries over SQL on the %s profile", (profile) => {
  it("applies one with a secret source, converges, changes in place with OR REPLACE, and destroys, never printing the secret", async () => {
    const server = await serve(profile);
    const dir = await project("dictionary.yaml", DICTIONARY);
    const env = { ...server.env, ZONES_PASSWORD: "hunter2-zones" };
    const planned = await cli(dir, env, "plan", "--api", "sql", "--json");
    expect(planned.stderr).toBe("");
    const plan = JSON.parse(planned.stdout) as { changes: { address: string; depends_on?: string[] }[] };
    expect(plan.changes.map((change) => change.address)).toEqual(["stream/zones_raw", "dictionary/zones", "view/zone_names"]);
    const applied = await cli(dir, env, "apply", "--api", "sql", "--auto-approve");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const again = await cli(dir, env, "plan", "--api", "sql", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);

    const file = join(dir, "dictionary.yaml");
    await writeFile(file, DICTIONARY.replace("type: hashed", "type: hashed_array"));
    const updated = await cli(dir, env, "apply", "--api", "sql", "--auto-approve");
    expect(updated.stdout).toContain("~ dictionary/zones");
    expect(updated.code).toBe(0);
    expect((await cli(dir, env, "plan", "--api", "sql", "--detailed-exitcode")).code).toBe(0);
    // A new password is a change, found by the fingerprint in the marker, and shown masked.
    const rotated = await cli(dir, { ...env, ZONES_PASSWORD: "hunter3-zones" }, "plan", "--api", "sql", "--json");
    expect(rotated.stdout).toContain("dictionary/zones");

    const destroyed = await cli(dir, env, "destroy", "--api", "sql", "--auto-approve");
    expect(destroyed.code).toBe(0);
    for (const result of [planned, applied, again, updated, rotated, destroyed]) {
      expect(result.stdout + result.stderr).not.toContain("hunter");
    }
  });
});

const TASK = `kind: database
name: analytics
---
kind: stream
name: readings
columns:
  - { name: device, type: string }
  - { name: speed, type: float64 }
---
kind: stream
name: hourly
database: analytics
columns:
  - { name: device, type: string }
  - { name: top, type: float64 }
---
kind: task
name: roll_up
database: analytics
schedule: 5s
timeout: 2s
into: analytics.hourly
query: SELECT device, max(speed) AS top FROM table(readings) GROUP BY device
`;

describe.each<Profile>(["2026", "engine"])("tasks over SQL on the %s profile", (profile) => {
  it("applies one after what it reads and writes, converges, changes in place with OR REPLACE, and destroys it", async () => {
    const server = await serve(profile);
    const dir = await project("task.yaml", TASK);
    const planned = await cli(dir, server.env, "plan", "--api", "sql", "--json");
    expect(planned.stderr).toBe("");
    const order = (JSON.parse(planned.stdout) as { changes: { address: string }[] }).changes.map((change) => change.address);
    expect(order.indexOf("task/analytics.roll_up")).toBeGreaterThan(order.indexOf("stream/analytics.hourly"));
    expect(order.indexOf("task/analytics.roll_up")).toBeGreaterThan(order.indexOf("stream/readings"));
    const applied = await cli(dir, server.env, "apply", "--api", "sql", "--auto-approve");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const again = await cli(dir, server.env, "plan", "--api", "sql", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);

    const file = join(dir, "task.yaml");
    await writeFile(file, TASK.replace("schedule: 5s", "schedule: 10s"));
    await applyShowing(dir, server.env, "~ task/analytics.roll_up");
    expect((await cli(dir, server.env, "plan", "--api", "sql", "--detailed-exitcode")).code).toBe(0);

    // A task has no place for an ownership marker: removed from the manifests, it is left alone.
    await writeFile(file, TASK.slice(0, TASK.indexOf("---\nkind: task")));
    const removed = await cli(dir, server.env, "plan", "--api", "sql");
    expect(removed.stdout).toContain("Left alone (not managed by this project):\n  task/analytics.roll_up");
    await writeFile(file, TASK);
    const destroyed = await cli(dir, server.env, "destroy", "--api", "sql", "--auto-approve");
    expect(destroyed.stderr).toBe("");
    expect(destroyed.code).toBe(0);
    expect(destroyed.stdout).toContain("task/analytics.roll_up");
    const after = await cli(dir, server.env, "plan", "--api", "sql", "--json");
    expect((JSON.parse(after.stdout) as { changes: { action: string }[] }).changes.every((change) => change.action === "create")).toBe(
      true,
    );
  });
});

const COLLECTION = `kind: named_collection
name: pg_main
settings:
  - { key: host, value: "\${secret:PG_HOST}" }
  - { key: user, value: "\${secret:PG_USER}", overridable: false }
  - { key: password, value: "\${secret:PG_PASSWORD}" }
`;

describe.each<Profile>(["2026", "engine"])("named collections over SQL on the %s profile", (profile) => {
  it("applies one, converges, adds and removes keys in place, and destroys it, never printing a value", async () => {
    const server = await serve(profile);
    const dir = await project("nc.yaml", COLLECTION);
    const env = { ...server.env, PG_HOST: "db-host-zq1", PG_USER: "user-zq2", PG_PASSWORD: "pass-zq3", PG_PORT: "5432-zq4" };
    const results: CliResult[] = [];
    const run = async (...args: string[]): Promise<CliResult> => {
      const result = await cli(dir, env, ...args);
      results.push(result);
      return result;
    };
    const applied = await run("apply", "--api", "sql", "--auto-approve");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const again = await run("plan", "--api", "sql", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);

    const file = join(dir, "nc.yaml");
    await writeFile(file, COLLECTION.replace('key: password, value: "${secret:PG_PASSWORD}"', 'key: port, value: "${secret:PG_PORT}"'));
    const updated = await run("apply", "--api", "sql", "--auto-approve");
    expect(updated.stdout).toContain("~ named_collection/pg_main");
    expect(updated.code).toBe(0);
    expect((await run("plan", "--api", "sql", "--detailed-exitcode")).code).toBe(0);
    const json = await run("plan", "--api", "sql", "--json");
    expect(json.code).toBe(0);

    const destroyed = await run("destroy", "--api", "sql", "--auto-approve");
    expect(destroyed.stderr).toBe("");
    expect(destroyed.code).toBe(0);
    for (const result of results) expect(result.stdout + result.stderr).not.toMatch(/zq\d/);
  });
});

describe("databases over REST", () => {
  it("are refused before anything changes, with a sentence naming the resource and what it needs", async () => {
    const server = await serve("2024");
    const dir = await workspace();
    for (const args of [["plan"], ["apply", "--auto-approve"]]) {
      const result = await cli(dir, server.env, ...args, "--api", "rest");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("database/analytics is a database, which only SQL DDL reaches, not the REST API");
      expect(result.stderr).toContain("use --api sql");
    }
    const streams = (await (await fetch(`${server.url}/default/api/v1beta2/streams`)).json()) as { name: string }[];
    expect(streams.filter((stream) => !stream.name.startsWith("tpctl_lock"))).toEqual([]);
    // Without the database document, a stream in another database is refused the same way.
    await writeFile(join(dir, "all.yaml"), MANIFESTS.split("---\n").slice(1, 2).join(""));
    const stream = await cli(dir, server.env, "plan", "--api", "rest");
    expect(stream.code).toBe(1);
    expect(stream.stderr).toContain("stream/analytics.events is in database analytics, which the REST API cannot reach");
    await writeFile(join(dir, "all.yaml"), RANDOM);
    const random = await cli(dir, server.env, "apply", "--api", "rest", "--auto-approve");
    expect(random.code).toBe(1);
    expect(random.stderr).toContain("random_stream/devices is a random stream, which only SQL DDL reaches, not the REST API");
    await writeFile(join(dir, "all.yaml"), MUTABLE.split("---\n")[0] ?? "");
    const mutable = await cli(dir, server.env, "plan", "--api", "rest");
    expect(mutable.code).toBe(1);
    expect(mutable.stderr).toContain("mutable_stream/analytics.products is a mutable stream, which only SQL DDL reaches");
    await writeFile(join(dir, "all.yaml"), DICTIONARY);
    const dictionary = await cli(dir, { ...server.env, ZONES_PASSWORD: "x" }, "plan", "--api", "rest");
    expect(dictionary.code).toBe(1);
    expect(dictionary.stderr).toContain("dictionary/zones is a dictionary, which only SQL DDL reaches");
    await writeFile(join(dir, "all.yaml"), TASK.slice(TASK.indexOf("kind: task")));
    const task = await cli(dir, server.env, "plan", "--api", "rest");
    expect(task.code).toBe(1);
    expect(task.stderr).toContain("task/analytics.roll_up is a task, which only SQL DDL reaches");
    await writeFile(join(dir, "all.yaml"), COLLECTION);
    const collection = await cli(dir, { ...server.env, PG_HOST: "h", PG_USER: "u", PG_PASSWORD: "p" }, "plan", "--api", "rest");
    expect(collection.code).toBe(1);
    expect(collection.stderr).toContain("named_collection/pg_main is a named collection, which only SQL DDL reaches");
  });
});
