import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import type { Profile } from "../../src/server/sql/profile.js";
import { makeTree, runCli } from "../helpers/cli.js";

/**
 * `tpctl export --adopt` over SQL: the ownership markers go through the connected driver (ALTER …
 * MODIFY COMMENT, CREATE OR REPLACE), as apply's updates do, so adoption works where there is no
 * REST API for engine objects (a 3.3 appserver's /exec) or none at all (a bare engine).
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(profile: Profile): Promise<{ url: string; ddl(sql: string): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `tpctl-export-${profile}-`));
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, profile });
  cleanups.push(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    url: server.url,
    // Someone else's workspace, made without tpctl: through /exec on 2026, the engine's interface otherwise.
    async ddl(sql) {
      const response =
        profile === "engine"
          ? await fetch(`${server.url}/`, { method: "POST", body: sql })
          : await fetch(`${server.url}/default/api/v1beta2/exec`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ sql, type: "ddl" }),
            });
      expect(response.status, await response.text()).toBeLessThan(300);
    },
  };
}

describe.each<Profile>(["2026", "engine"])("export --adopt --api sql on the %s profile", (profile) => {
  it("adopts every engine object through SQL, and a plan of the export then shows no changes", async () => {
    const server = await serve(profile);
    await server.ddl("CREATE STREAM cars (cid string, speed float32) COMMENT 'live telemetry'");
    await server.ddl("CREATE VIEW fast_cars AS SELECT cid, speed FROM cars WHERE speed > 100");
    await server.ddl("CREATE MATERIALIZED VIEW top_speed AS SELECT cid, max(speed) AS top FROM cars GROUP BY cid");
    const tree = await makeTree({});
    cleanups.push(() => tree.cleanup());
    const env = { TIMEPLUS_ADDRESS: server.url };
    const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env });

    const exported = await cli("export", "--adopt", "--project", "fleet", "--api", "sql");
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('Adopted into project "fleet"');
    for (const address of ["stream/cars", "view/fast_cars", "materialized_view/top_speed"]) {
      expect(exported.stdout).toContain(`  ${address}\n`);
    }

    const plan = await cli("plan", "exported", "--api", "sql", "--detailed-exitcode");
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain("No changes");
    expect(plan.code).toBe(0);

    // Adopted means owned: a manifest removed now plans the deletion of its object.
    await tree.remove("exported/views/fast_cars.yaml");
    const removed = await cli("plan", "exported", "--api", "sql", "--json");
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ changes: [{ action: "delete", address: "view/fast_cars" }] });

    // A second export finds everything owned and adopts nothing again.
    const again = await cli("export", "--out", "second", "--adopt", "--project", "fleet", "--api", "sql");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('  stream/cars: already owned by project "fleet"');
  });
});
