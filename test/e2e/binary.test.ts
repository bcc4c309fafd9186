import { spawn } from "node:child_process";
import { once } from "node:events";
import { cp, symlink } from "node:fs/promises";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, makeTree, runCli, runCliProcess } from "../helpers/cli.js";
import { assertDistIsFresh, buildDistIfStale } from "../helpers/dist.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/**
 * The few things only the real binary shows: dist/bin/tpctl.js (the package's bin) started by Node as `npx tpctl`
 * starts it, its exit status, that it exits by itself once its work is done (the embedded
 * server closed), and that `tpctl server` stops on a signal. Everything else runs the same entry point in process (test/helpers/cli.ts).
 */
const STREAMS = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
---
kind: stream
name: trucks
columns:
  - { name: tid, type: string }
`;

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;

// Only this file runs dist/, so only it builds a stale one (a type error elsewhere, or a targeted
// run of other tests, never waits for a build); runCliProcess refuses a dist/ older than src/.
beforeAll(buildDistIfStale, 180_000);
beforeAll(async () => {
  server = await startTestServer();
  tree = await makeTree({ "tpctl.yaml": "project: binary\n", "streams.yaml": STREAMS });
});
afterAll(async () => {
  await server?.close();
  await tree?.cleanup();
});

describe("the built binary", () => {
  it("prints the usage with --help (exit 0) and without a command (exit 1)", async () => {
    const help = await runCliProcess(["--help"], { cwd: tree.dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: tpctl <command>");
    expect(help.stderr).toBe("");
    const none = await runCliProcess([], { cwd: tree.dir });
    expect(none.code).toBe(1);
    expect(none.stdout).toContain("Usage: tpctl <command>");
  });

  it("runs through a symlink, as npm's bin link starts it", async () => {
    const link = join(tree.dir, "tpctl");
    await symlink(CLI, link);
    const result = await runCliProcess(["--version"], { cwd: tree.dir, bin: link });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("tpctl 0.1.0\n");
  });

  it("exits 1 with one sentence on stderr for an unknown command", async () => {
    const result = await runCliProcess(["plna"], { cwd: tree.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: unknown command "plna" (did you mean "plan"?); run "tpctl help" to see the commands\n');
  });

  // One process per test, each in a workspace of its own on the shared server, so that none comes
  // near the timeout on a loaded machine. The in-process entry point sets the scene.
  const inWorkspace = (workspace: string) => ({ cwd: tree.dir, env: { ...server.env, TIMEPLUS_WORKSPACE: workspace } });

  it("exits 2 for changes with --detailed-exitcode", async () => {
    const result = await runCliProcess(["plan", "--detailed-exitcode"], inWorkspace("exit2"));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(2);
  });

  it("exits 0 with --detailed-exitcode when nothing would change", async () => {
    expect((await runCli(["apply", "--auto-approve"], inWorkspace("exit0"))).code).toBe(0);
    expect((await runCliProcess(["plan", "--detailed-exitcode"], inWorkspace("exit0"))).code).toBe(0);
  });

  it("exits 3 for a delete refused without --allow-destroy", async () => {
    const work = await makeTree({ "tpctl.yaml": "project: binary\n", "streams.yaml": STREAMS });
    try {
      const options = { cwd: work.dir, env: { ...server.env, TIMEPLUS_WORKSPACE: "exit3" } };
      expect((await runCli(["apply", "--auto-approve"], options)).code).toBe(0);
      await work.write({ "streams.yaml": STREAMS.split("---\n")[0] as string });
      const refused = await runCliProcess(["apply", "--auto-approve"], options);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain("without --allow-destroy");
    } finally {
      await work.cleanup();
    }
  });
});

describe("tpctl server, as a process", () => {
  it("serves the API until SIGTERM, then exits 0", async () => {
    await assertDistIsFresh();
    const child = spawn(process.execPath, [CLI, "server", "--port", "0", "--data", join(tree.dir, "server-data")], {
      cwd: tree.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${url}/default/api/v1beta2/streams`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([]);
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      expect(await exited).toEqual([0, null]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});

describe("the embedded default, as a process", () => {
  it("applies the examples with no server configured, and exits by itself", async () => {
    // Convergence on the embedded workspace is tested in process (walking-skeleton.test.ts);
    // here it is the process that matters: it must exit once the embedded server is closed.
    const work = await makeTree({});
    try {
      await cp(resolve("examples"), work.dir, { recursive: true });
      const applied = await runCliProcess(["apply", "--auto-approve"], { cwd: work.dir });
      expect(applied.stderr).toBe("");
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain("Apply complete");
    } finally {
      await work.cleanup();
    }
  });
});
