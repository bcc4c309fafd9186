import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import { CLI, makeTree, runCli } from "../helpers/cli.js";

/**
 * Real signals to the built CLI: Ctrl-C and SIGTERM stop an apply cleanly, and a kill -9 at any
 * point leaves nothing that a later `apply --lock-timeout` cannot get past by itself.
 */

/** Streams, saved queries and dashboards: the id-addressed kinds are the ones a double apply duplicates. */
function manifests(count: number): string {
  const documents: string[] = [];
  for (let index = 0; index < count; index += 1) {
    documents.push(`kind: stream\nname: s${index}\ncolumns: [{ name: x, type: int32 }]\n`);
    documents.push(`kind: saved_query\nname: q${index}\nsql: SELECT x FROM s${index}\n`);
    documents.push(
      `kind: dashboard\nname: d${index}\npanels:\n  - id: p\n    title: P\n    viz_type: chart\n    viz_content: SELECT x FROM s${index}\n    position: { x: 0, y: 0, w: 6, h: 4 }\n`,
    );
  }
  return documents.join("---\n");
}

let server: Awaited<ReturnType<typeof startServer>>;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "tpctl-interrupt-"));
  // Every answer takes a little while, so that an apply is still running when the signal comes.
  server = await startServer({ port: 0, host: "127.0.0.1", dataDir, latencyMs: 20 });
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function get(path: string, workspace: string): Promise<unknown> {
  const response = await fetch(`${server.url}/${workspace}/api/v1beta2${path}`);
  return response.json();
}

function env(workspace: string): Record<string, string> {
  return {
    TIMEPLUS_ADDRESS: server.url,
    TIMEPLUS_WORKSPACE: workspace,
    TPCTL_LOCK_LEASE_MS: "1200",
    TPCTL_LOCK_HOLDER: `test ${workspace}`,
  };
}

/** Starts the CLI; resolves `ready` once stdout has shown `marker`. */
function start(args: string[], cwd: string, environment: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { marker: RegExp; resolve: () => void }[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of waiters.splice(0)) {
      if (waiter.marker.test(stdout)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const seen = (marker: RegExp) =>
    new Promise<void>((resolve) => {
      if (marker.test(stdout)) resolve();
      else waiters.push({ marker, resolve });
    });
  return { child, exited, seen };
}

async function leases(workspace: string): Promise<{ name: string; lease: Record<string, unknown> }[]> {
  const views = (await get("/views", workspace)) as { name: string; description: string }[];
  return views
    .filter((view) => view.name.startsWith("tpctl_lock"))
    .map((view) => ({ name: view.name, lease: JSON.parse(view.description) }));
}

async function expectNoDuplicates(workspace: string): Promise<void> {
  for (const collection of ["savedqueries", "dashboards"]) {
    const names = ((await get(`/${collection}`, workspace)) as { name: string }[]).map((item) => item.name);
    expect(new Set(names).size, `${collection}: ${names.join(", ")}`).toBe(names.length);
  }
}

describe("Ctrl-C during apply", () => {
  it("stops starting steps, reports done / failed / not attempted, releases the lock, exits 130", async () => {
    const tree = await makeTree({ "tpctl.yaml": "project: p\n", "m.yaml": manifests(6) });
    try {
      const run = start(["apply", "--auto-approve", "--concurrency", "1"], tree.dir, env("sigint"));
      await run.seen(/✓/);
      run.child.kill("SIGINT");
      const result = await run.exited;
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr).toContain("Apply interrupted: no further changes were started");
      expect(result.stdout).toMatch(/not attempted, blocked by the interruption/);
      expect(result.stdout).toMatch(/Apply failed: [1-9]\d* applied, \d+ failed, [1-9]\d* not attempted\./);
      const [lease] = await leases("sigint");
      expect(lease?.lease).toMatchObject({ released: true });
      // The next run finishes the job.
      const again = await runCli(["apply", "--auto-approve"], { cwd: tree.dir, env: env("sigint") });
      expect(again.code, again.stderr).toBe(0);
      await expectNoDuplicates("sigint");
    } finally {
      await tree.cleanup();
    }
  });

  it("SIGTERM does the same; a second signal exits at once, saying the lock may remain", async () => {
    const tree = await makeTree({ "tpctl.yaml": "project: p\n", "m.yaml": manifests(6) });
    try {
      const run = start(["apply", "--auto-approve", "--concurrency", "1"], tree.dir, env("twice"));
      await run.seen(/✓/);
      run.child.kill("SIGTERM");
      run.child.kill("SIGINT");
      const result = await run.exited;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain("Interrupted again: exiting now. The workspace lock may remain");
    } finally {
      await tree.cleanup();
    }
  });
});

describe("kill -9 at random points of an apply", () => {
  it("never needs a manual step: the next apply with --lock-timeout converges, 20 rounds", async () => {
    const tree = await makeTree({ "tpctl.yaml": "project: p\n", "m.yaml": manifests(5) });
    try {
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let round = 0; round < 20; round += 1) {
        // Each round's apply may meet the lease the previous one left when it was killed.
        const run = start(["apply", "--auto-approve", "--lock-timeout", "30s"], tree.dir, env("kill9"));
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(random() * 400)));
        run.child.kill("SIGKILL");
        await run.exited;
      }
      const final = await runCli(["apply", "--auto-approve", "--lock-timeout", "30s"], { cwd: tree.dir, env: env("kill9") });
      expect(final.code, final.stderr).toBe(0);
      const plan = await runCli(["plan", "--detailed-exitcode"], { cwd: tree.dir, env: env("kill9") });
      expect(plan.code, plan.stdout).toBe(0);
      await expectNoDuplicates("kill9");
      expect(await leases("kill9")).toHaveLength(1);
    } finally {
      await tree.cleanup();
    }
  }, 90_000);
});

describe("two real processes meeting an expired lock", () => {
  it("let only one apply; the other is refused with exit 3 or finds nothing to do, never a duplicate", async () => {
    const tree = await makeTree({ "tpctl.yaml": "project: p\n", "m.yaml": manifests(1) });
    try {
      for (let round = 0; round < 2; round += 1) {
        const workspace = `race${round}`;
        // A lease left by a killed run, long expired.
        await fetch(`${server.url}/${workspace}/api/v1beta2/views`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            name: "tpctl_lock_3",
            query: "SELECT 1",
            description: JSON.stringify({
              holder: "dead",
              token: "dead",
              operation: "apply",
              since: "2026-01-01T00:00:00Z",
              expires: "2026-01-01T00:01:00Z",
            }),
          }),
        });
        const [a, b] = await Promise.all([
          runCli(["apply", "--auto-approve"], { cwd: tree.dir, env: env(workspace) }),
          runCli(["apply", "--auto-approve"], { cwd: tree.dir, env: env(workspace) }),
        ]);
        const codes = [a.code, b.code].sort();
        expect([
          [0, 0],
          [0, 3],
        ]).toContainEqual(codes);
        if (codes[1] === 3) expect(`${a.stderr}${b.stderr}`).toMatch(/locked by test race\d since .*\(apply, run [0-9a-f-]{36}\)/);
        await expectNoDuplicates(workspace);
      }
    } finally {
      await tree.cleanup();
    }
  });
});

describe("Ctrl-C at the approval prompt", () => {
  it('is a plain "Apply cancelled.", exit 130, and changes nothing', async () => {
    const { main } = await import("../../src/cli/main.js");
    const { InterruptedError } = await import("../../src/errors.js");
    const tree = await makeTree({ "tpctl.yaml": "project: p\n", "m.yaml": manifests(1) });
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(["apply"], {
        stdout: (text) => out.push(text),
        stderr: (text) => err.push(text),
        stdoutIsTTY: false,
        stdinIsTTY: true,
        environment: { ...env("prompt"), NO_COLOR: "1" },
        cwd: tree.dir,
        // What main.ts's terminal prompt does when readline sees Ctrl-C.
        prompt: () => Promise.reject(new InterruptedError("Apply cancelled.")),
      });
      expect(code).toBe(130);
      expect(err.join("")).toBe("Apply cancelled.\n");
      expect(await get("/streams", "prompt")).toEqual([]);
      expect((await leases("prompt"))[0]?.lease).toMatchObject({ released: true });
    } finally {
      await tree.cleanup();
    }
  });
});
