import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

/** One test per bug found in review (issue "Nothing lost, nothing doubled, nothing leaked"), each failing before its fix. */

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
  tree = await makeTree({ "tpctl.yaml": "project: p\n", "m.yaml": MANIFESTS });
});
afterEach(async () => {
  await server.close();
  await tree.cleanup();
});
const cli = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
  runCli(args, { cwd: options.cwd ?? tree.dir, env: { ...server.env, ...options.env } });

async function requestsServed(): Promise<number> {
  const response = await fetch(`${server.url}/_server/requests`);
  const counts = ((await response.json()) as { by_route: Record<string, number> }).by_route;
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

describe("connection", () => {
  it("refuses TIMEPLUS_ADDRESS set but empty instead of using a throwaway local workspace", async () => {
    const result = await runCli(["plan"], { cwd: tree.dir, env: { TIMEPLUS_ADDRESS: "" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("TIMEPLUS_ADDRESS is set but empty");
  });
});

describe("hostile input through the CLI", () => {
  it("reports a dependency cycle with file:line, before reading the workspace", async () => {
    await tree.write({
      "m.yaml": "kind: view\nname: a\nquery: SELECT * FROM b\n---\nkind: view\nname: b\nquery: SELECT * FROM a\n",
    });
    const before = await requestsServed();
    const result = await cli(["plan"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^m\.yaml:\d+:\d+: dependency cycle: view\/a -> view\/b -> view\/a/m);
    expect(await requestsServed()).toBe(before);
  });
});

describe("--target", () => {
  it('that matches nothing is exit 1 with the nearest address, not "No changes"', async () => {
    const result = await cli(["plan", "--target", "view/recnet"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "--target view/recnet (did you mean view/recent?) matches nothing declared in the manifests or live in the workspace",
    );
    expect((await cli(["plan", "--target", "view/recent"])).code).toBe(0);
  });
});

describe("destroy", () => {
  it("gives true reasons, and warns before deleting what another project created", async () => {
    expect((await cli(["apply", "--auto-approve"])).code).toBe(0);
    // Another project's stream, which these manifests also declare.
    const other = await makeTree({
      "tpctl.yaml": "project: other\n",
      "m.yaml": "kind: stream\nname: shared\ncolumns: [{ name: x, type: int8 }]\n",
    });
    try {
      expect((await cli(["apply", "--auto-approve"], { cwd: other.dir })).code).toBe(0);
    } finally {
      await other.cleanup();
    }
    await tree.write({ "shared.yaml": "kind: stream\nname: shared\ncolumns: [{ name: x, type: int8 }]\n" });
    const result = await cli(["destroy", "--auto-approve"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("no longer declared");
    expect(result.stdout).toContain("view/recent: declared in the manifests, so destroy deletes it");
    expect(result.stdout).toContain('stream/shared is declared here but was created by project "other"; destroy deletes it all the same');
  });
});

describe("saved plans", () => {
  it("apply from another folder reads the same manifests", async () => {
    expect((await cli(["plan", "--out", "tfplan.json"])).code).toBe(0);
    await mkdir(join(tree.dir, "elsewhere"));
    const applied = await cli(["apply", "../tfplan.json"], { cwd: join(tree.dir, "elsewhere") });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect((await apiCall(server, "GET", "/views/recent")).status).toBe(200);
  });

  it("a plan file missing a field is refused as not a plan file, not an unexpected failure", async () => {
    expect((await cli(["plan", "--out", "tfplan.json"])).code).toBe(0);
    const saved = JSON.parse(await readFile(join(tree.dir, "tfplan.json"), "utf8")) as Record<string, unknown>;
    delete saved["targets"];
    await writeFile(join(tree.dir, "broken.json"), JSON.stringify(saved));
    const result = await cli(["apply", "broken.json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('broken.json is not a tpctl plan file, so it cannot be applied: its "targets" are missing or damaged');
    expect(result.stderr).not.toContain("unexpected failure");
  });
});

describe("names that are not unique", () => {
  it("two undeclared dashboards with one name do not break a project without dashboards", async () => {
    for (let copy = 0; copy < 2; copy += 1) {
      expect((await apiCall(server, "POST", "/dashboards", { name: "twins", panels: [] })).status).toBe(201);
    }
    const applied = await cli(["apply", "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("the workspace holds 2 objects named dashboard/twins");
    const drift = await cli(["drift"]);
    expect(drift.code, drift.stderr).toBe(0);
  });
});
