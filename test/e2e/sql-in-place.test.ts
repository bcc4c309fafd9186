import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import type { Profile } from "../../src/server/sql/profile.js";
import { makeTree, runCli, type CliResult } from "../helpers/cli.js";

/**
 * What only SQL changes in place, end to end: a stream gains a column with ALTER STREAM … ADD
 * COLUMN and keeps what was ingested; a materialized view takes a new query with ALTER VIEW …
 * MODIFY QUERY and is not re-created (its uuid, which the server derives from its creation, stays).
 * Over REST the same manifests plan replaces, as the REST API must.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(profile: Profile): Promise<{ url: string; env: Record<string, string> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `tpctl-inplace-${profile}-`));
  // A clock a minute further on each time it is read: a re-created object never shares its
  // creation time (and so its uuid, which the server derives from it) with the object it replaced.
  let clock = Date.UTC(2026, 0, 1);
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, profile, now: () => new Date((clock += 60_000)) });
  cleanups.push(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { url: server.url, env: { TIMEPLUS_ADDRESS: server.url } };
}

/** Rows of a read, through the path the profile serves: /exec on 2026, the engine's interface otherwise. */
async function rows(url: string, profile: Profile, sql: string): Promise<unknown[][]> {
  const response =
    profile === "engine"
      ? await fetch(`${url}/?default_format=JSONCompact`, { method: "POST", body: sql })
      : await fetch(`${url}/default/api/v1beta2/exec`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ sql, type: "historical" }),
        });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: unknown[][] }).data;
}

const V1 = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
  - { name: speed, type: float64 }
---
kind: stream
name: totals
columns:
  - { name: cid, type: string }
  - { name: n, type: uint64 }
---
kind: materialized_view
name: counts
target_stream: totals
query: SELECT cid, count() AS n FROM cars GROUP BY cid
`;

/** A new column on both streams, and an aggregate added to the view's output (into the target's new column). */
const V2 = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
  - { name: speed, type: float64 }
  - { name: gas, type: float32, default: "100", comment: percent }
---
kind: stream
name: totals
columns:
  - { name: cid, type: string }
  - { name: n, type: uint64 }
  - { name: avg_speed, type: float64 }
---
kind: materialized_view
name: counts
target_stream: totals
query: SELECT cid, count() AS n, avg(speed) AS avg_speed FROM cars GROUP BY cid
`;

interface JsonPlan {
  changes: { action: string; address: string; reason: string; destructive: boolean }[];
}

function planOf(result: CliResult): JsonPlan["changes"] {
  expect(result.stderr).toBe("");
  return (JSON.parse(result.stdout) as JsonPlan).changes;
}

async function workspace(): Promise<string> {
  const tree = await makeTree({ "tpctl.yaml": "project: fleet\n", "all.yaml": V1 });
  cleanups.push(() => tree.cleanup());
  return tree.dir;
}

const uuids = "SELECT name, uuid FROM system.tables WHERE database = 'default' AND name IN ('cars', 'totals', 'counts') ORDER BY name";

describe("in place over SQL", () => {
  for (const profile of ["2026", "engine"] as const) {
    it(`adds columns and modifies an MV's query in place on the ${profile} profile, keeping the objects, and converges`, async () => {
      const server = await serve(profile);
      const dir = await workspace();
      const cli = (...args: string[]): Promise<CliResult> => runCli([...args, "--api", "sql"], { cwd: dir, env: server.env });
      expect((await cli("apply", "--auto-approve")).code).toBe(0);
      const before = await rows(server.url, profile, uuids);
      expect(before).toHaveLength(3);
      if (profile === "2026") {
        const ingest = await fetch(`${server.url}/default/api/v1beta2/streams/cars/ingest`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            columns: ["cid", "speed"],
            data: [
              ["c1", 80],
              ["c2", 120],
              ["c1", 90],
            ],
          }),
        });
        expect(ingest.status).toBe(200);
      }

      await writeFile(join(dir, "all.yaml"), V2);
      const planned = planOf(await cli("plan", "--json"));
      expect(planned.map((change) => `${change.action} ${change.address}`)).toEqual([
        "update stream/cars",
        "update stream/totals",
        "update materialized_view/counts",
      ]);
      expect(planned.map((change) => change.reason)).toEqual([
        "columns can be updated in place: ALTER STREAM … ADD COLUMN gas",
        "columns can be updated in place: ALTER STREAM … ADD COLUMN avg_speed",
        "query can be updated in place: ALTER VIEW … MODIFY QUERY, which keeps the view's state",
      ]);
      expect(planned.every((change) => !change.destructive)).toBe(true);

      const applied = await cli("apply", "--auto-approve");
      expect(applied.stderr).toBe("");
      expect(applied.code).toBe(0);
      // Not dropped and created: the same objects, the stream's rows still counted.
      expect(await rows(server.url, profile, uuids)).toEqual(before);
      if (profile === "2026") {
        const [[total]] = (await rows(server.url, profile, "SELECT total_rows FROM system.tables WHERE name = 'cars'")) as [[unknown]];
        expect(Number(total)).toBe(3);
      }
      const [[created]] = (await rows(server.url, profile, "SHOW CREATE counts")) as [[string]];
      expect(created).toContain("avg(speed) AS avg_speed");
      const again = await cli("plan", "--detailed-exitcode");
      expect(again.stdout).toContain("No changes");
      expect(again.code).toBe(0);
    });
  }

  it("renames a stream with RENAME STREAM over SQL, keeping its rows, and converges", async () => {
    const server = await serve("2026");
    const dir = await workspace();
    await writeFile(join(dir, "all.yaml"), "kind: stream\nname: cars\ncolumns:\n  - { name: cid, type: string }\n");
    const cli = (...args: string[]): Promise<CliResult> => runCli([...args, "--api", "sql"], { cwd: dir, env: server.env });
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const ingest = await fetch(`${server.url}/default/api/v1beta2/streams/cars/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ columns: ["cid"], data: [["c1"], ["c2"]] }),
    });
    expect(ingest.status).toBe(200);
    await writeFile(
      join(dir, "all.yaml"),
      "kind: stream\nname: vehicles\nprevious_name: cars\ncolumns:\n  - { name: cid, type: string }\n",
    );
    expect(planOf(await cli("plan", "--json")).map((change) => `${change.action} ${change.address}: ${change.reason}`)).toEqual([
      "update stream/vehicles: renamed from cars, in place: RENAME STREAM, which keeps its data",
    ]);
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const tables = await rows(
      server.url,
      "2026",
      "SELECT name, total_rows FROM system.tables WHERE database = 'default' AND name IN ('cars', 'vehicles')",
    );
    expect(tables.map(([name, total]) => [name, Number(total)])).toEqual([["vehicles", 2]]);
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("adds and drops a mutable stream's secondary indexes in place over SQL, and converges", async () => {
    const server = await serve("engine");
    const dir = await workspace();
    const mutable = (indexes: string): string =>
      `kind: mutable_stream\nname: products\nprimary_key: id\ncolumns:\n  - { name: id, type: string }\n  - { name: price, type: float64 }\nsecondary_indexes: [${indexes}]\n`;
    await writeFile(join(dir, "all.yaml"), mutable("{ name: by_price, columns: [price] }"));
    const cli = (...args: string[]): Promise<CliResult> => runCli([...args, "--api", "sql"], { cwd: dir, env: server.env });
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const before = await rows(server.url, "engine", uuids.replace("'cars', 'totals', 'counts'", "'products'"));
    await writeFile(join(dir, "all.yaml"), mutable("{ name: by_price_unique, columns: [price], unique: true }"));
    expect(planOf(await cli("plan", "--json")).map((change) => `${change.action} ${change.address}`)).toEqual([
      "update mutable_stream/products",
    ]);
    const applied = await cli("apply", "--auto-approve");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(await rows(server.url, "engine", uuids.replace("'cars', 'totals', 'counts'", "'products'"))).toEqual(before);
    const [[created]] = (await rows(server.url, "engine", "SHOW CREATE products")) as [[string]];
    expect(created).toContain("by_price_unique");
    expect(created).not.toContain("by_price ");
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("over REST plans the same manifests as replaces, and says why; a replace makes new objects", async () => {
    const server = await serve("all");
    const dir = await workspace();
    const cli = (...args: string[]): Promise<CliResult> => runCli([...args, "--api", "rest"], { cwd: dir, env: server.env });
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const before = await rows(server.url, "all", uuids);
    await writeFile(join(dir, "all.yaml"), V2);
    const planned = planOf(await cli("plan", "--json"));
    expect(planned.map((change) => `${change.action} ${change.address}: ${change.reason}`).sort()).toEqual([
      "replace materialized_view/counts: query cannot be updated in place",
      "replace stream/cars: columns cannot be updated in place",
      "replace stream/totals: columns cannot be updated in place",
    ]);
    // What the SQL tests above check is the proof it looks like: after a replace, no uuid is the same.
    expect((await cli("apply", "--auto-approve", "--allow-destroy")).code).toBe(0);
    const after = await rows(server.url, "all", uuids);
    expect(after.map(([name]) => name)).toEqual(before.map(([name]) => name));
    after.forEach(([, uuid], index) => expect(uuid).not.toBe(before[index]?.[1]));
  });

  it("over SQL still replaces what the engine cannot alter, saying why, and asks for --allow-destroy", async () => {
    const server = await serve("engine");
    const dir = await workspace();
    const cli = (...args: string[]): Promise<CliResult> => runCli([...args, "--api", "sql"], { cwd: dir, env: server.env });
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    await writeFile(join(dir, "all.yaml"), V1.replace("{ name: speed, type: float64 }", "{ name: speed, type: float32 }"));
    const planned = planOf(await cli("plan", "--json"));
    expect(planned.map((change) => `${change.action} ${change.address}: ${change.reason}`)).toEqual([
      "replace materialized_view/counts: reads stream/cars, which is replaced",
      "replace stream/cars: changing the type of column speed cannot be done in place (the engine has no MODIFY COLUMN)",
    ]);
    expect(planned.every((change) => change.destructive)).toBe(true);
    const refused = await cli("apply", "--auto-approve");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--allow-destroy");
  });
});
