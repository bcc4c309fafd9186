import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

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

describe("export round trip on the complete example", () => {
  it("exports what examples/ applied, and a plan of the export shows no changes", async () => {
    const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env: server.env });
    expect((await cli("apply", resolve("examples"), "--auto-approve")).code).toBe(0);
    const exported = await cli("export", "--out", "adopted", "--project", "fleet");
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    const plan = await cli("plan", "adopted", "--detailed-exitcode");
    expect(plan.stdout).toContain("No changes");
    expect(plan.code).toBe(0);
    // The same project owns what it exported: its manifests now manage the whole pipeline.
    const drift = await cli("drift", "adopted", "--json");
    expect(JSON.parse(drift.stdout).summary).toEqual({ changed: 0, missing: 0, orphaned: 0, unmanaged: 0 });
  });
});
