import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

const MANIFESTS = `kind: stream
name: events
columns:
  - { name: id, type: string }
---
kind: view
name: recent
query: SELECT id FROM events
`;

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;
beforeEach(async () => {
  server = await startTestServer();
  tree = await makeTree({ "tpctl.yaml": "project: ops\n", "m.yaml": MANIFESTS });
});
afterEach(async () => {
  await server.close();
  await tree.cleanup();
});
const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env: { ...server.env, TPCTL_LOCK_HOLDER: "ci-runner-7" } });

describe("saved plans", () => {
  it("applies exactly the saved plan, with no prompt", async () => {
    const planned = await cli("plan", "--out", "tfplan.json");
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain("tpctl apply tfplan.json");
    const applied = await cli("apply", "tfplan.json");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect((await apiCall(server, "GET", "/views/recent")).status).toBe(200);
  });

  it("refuses with exit 3, naming what changed, after an out-of-band change", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    await tree.write({ "m.yaml": MANIFESTS.replace("SELECT id FROM events", "SELECT id FROM events WHERE id != ''") });
    expect((await cli("plan", "--out", "p.json")).code).toBe(0);
    expect((await apiCall(server, "PATCH", "/streams/events", { description: "edited by hand" })).status).toBe(200);
    const stale = await cli("apply", "p.json");
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain("stream/events changed in the live workspace");
    expect((await apiCall(server, "GET", "/views/recent")).body).toMatchObject({ query: "SELECT id FROM events" });
  });

  it("refuses when the manifests changed since", async () => {
    expect((await cli("plan", "--out", "p.json")).code).toBe(0);
    await tree.write({ "m.yaml": MANIFESTS.replace("{ name: id, type: string }", "{ name: id, type: int64 }") });
    const stale = await cli("apply", "p.json");
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain("stream/events changed in the manifests");
  });

  it("holds no secret value", async () => {
    await tree.write({
      "m.yaml": `${MANIFESTS}---
kind: stream
name: other
description: \${secret:DB_PASSWORD}
columns: [{ name: x, type: int8 }]
`,
    });
    const result = await runCli(["plan", "--out", "p.json"], { cwd: tree.dir, env: { ...server.env, DB_PASSWORD: "hunter2-very-secret" } });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("hunter2-very-secret");
    expect(await readFile(join(tree.dir, "p.json"), "utf8")).not.toContain("hunter2-very-secret");
  });
});

describe("one writer at a time", () => {
  const holdLock = (expires: string) =>
    apiCall(server, "POST", "/views", {
      name: "tpctl_lock_1",
      query: "SELECT 1 AS locked",
      description: JSON.stringify({
        holder: "alice@laptop pid 42",
        token: "run-42",
        since: "2026-11-27T01:00:00.000Z",
        expires,
        operation: "apply",
      }),
    });

  it("stops at once with exit 3, naming the holder, run and since when, and `tpctl unlock` clears it", async () => {
    expect((await holdLock("2999-01-01T00:00:00.000Z")).status).toBe(201);
    const blocked = await cli("apply", "--auto-approve");
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toContain("locked by alice@laptop pid 42 since 2026-11-27T01:00:00.000Z (apply, run run-42)");
    expect((await apiCall(server, "GET", "/streams")).body).toEqual([]);

    const cleared = await cli("unlock");
    expect(cleared.stdout).toContain("Cleared the lock held by alice@laptop pid 42");
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    // The lock is released after the run (its lease says so) and never shows up in a plan.
    const views = (await apiCall(server, "GET", "/views")).body as { name: string; description: string }[];
    const leases = views.filter((view) => view.name.startsWith("tpctl_lock"));
    expect(leases).toHaveLength(1);
    expect(JSON.parse(leases[0]!.description)).toMatchObject({ released: true });
    expect((await cli("plan", "--json")).stdout).not.toContain("tpctl_lock");
  });

  it("takes over an expired lock", async () => {
    expect((await holdLock("2000-01-01T00:00:00.000Z")).status).toBe(201);
    const applied = await cli("apply", "--auto-approve");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
  });

  it("keeps a second concurrent apply out", async () => {
    const [a, b] = await Promise.all([cli("apply", "--auto-approve"), cli("apply", "--auto-approve")]);
    const codes = [a.code, b.code].sort();
    // Either both succeeded one after the other (the second found nothing to do) or one was turned away.
    if (codes[1] === 3) expect(`${a.stderr}${b.stderr}`).toContain("locked by ci-runner-7");
    else expect(codes).toEqual([0, 0]);
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });
});

describe("a failed call", () => {
  it("stops only what depends on it; the rest finishes and the summary says so", async () => {
    // Someone else already holds the name the view wants, so creating it fails (57).
    expect((await apiCall(server, "POST", "/streams", { name: "recent", columns: [{ name: "x", type: "int8" }] })).status).toBe(201);
    await tree.write({
      "m.yaml": `${MANIFESTS}---
kind: view
name: needs_recent
query: SELECT * FROM recent
---
kind: stream
name: independent
columns: [{ name: y, type: int8 }]
`,
    });
    const result = await cli("apply", "--auto-approve");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/create view\/recent.*code 57/);
    expect((await apiCall(server, "GET", "/streams/independent")).status).toBe(200);
    expect((await apiCall(server, "GET", "/streams/events")).status).toBe(200);
  });
});
