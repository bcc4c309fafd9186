import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { startTestServer } from "../helpers/server.js";

describe("applying through a faulty network and server", () => {
  it("leaves a workspace that the next apply finishes, and then converges", async () => {
    // One request in five fails: 503 before the work, 500 after it, a dropped connection, or a slow answer.
    const faulty = await startTestServer({ faultRate: 0.25, faultSeed: 20261127, faultSlowMs: 50 });
    const tree = await makeTree({});
    try {
      const examples = resolve("examples");
      const codes: number[] = [];
      for (let attempt = 0; attempt < 6 && codes.at(-1) !== 0; attempt += 1) {
        const result = await runCli(["apply", examples, "--auto-approve"], { cwd: tree.dir, env: faulty.env });
        expect(result.stderr).not.toContain("    at "); // never a stack trace
        codes.push(result.code);
      }
      expect(codes.at(-1)).toBe(0);
      const served = (await (await fetch(`${faulty.url}/_server/requests`)).json()) as { faults: Record<string, number> };
      const injected = Object.values(served.faults).reduce((sum, count) => sum + count, 0);
      expect(injected).toBeGreaterThan(3);

      // The same data without faults: nothing is missing, duplicated or half-made.
      const calm = await faulty.restartWith({});
      const plan = await runCli(["plan", examples, "--detailed-exitcode"], { cwd: tree.dir, env: calm.env });
      expect(plan.stdout).toContain("No changes");
      expect(plan.code).toBe(0);
      await calm.close();
      await rm(faulty.dataDir, { recursive: true, force: true });
    } finally {
      await faulty.close();
      await tree.cleanup();
    }
  });

  it("finishes a destroy whose deletes fail in transit, by reading the workspace again and retrying the rest", async () => {
    const server = await startTestServer();
    const tree = await makeTree({});
    const examples = resolve("examples");
    // Over SQL a DROP is a POST, which the client never repeats by itself; one step in order at a
    // time, so that this seed's faults meet the same requests on every run.
    const destroy = ["destroy", examples, "--auto-approve", "--api", "sql", "--parallelism", "1"];
    let faulty: Awaited<ReturnType<typeof startTestServer>> | undefined;
    try {
      expect((await runCli(["apply", examples, "--auto-approve", "--api", "sql"], { cwd: tree.dir, env: server.env })).code).toBe(0);
      faulty = await server.restartWith({ faultRate: 0.25, faultSeed: 8 });
      const result = await runCli(destroy, { cwd: tree.dir, env: faulty.env });
      expect(result.stdout).toContain("Read the workspace again;");
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const served = (await (await fetch(`${faulty.url}/_server/requests`)).json()) as { faults: Record<string, number> };
      expect(Object.values(served.faults).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);

      const calm = await faulty.restartWith({});
      faulty = calm;
      const again = await runCli(destroy, { cwd: tree.dir, env: calm.env });
      expect(again.stdout).toContain("No changes");
      expect(again.code).toBe(0);
    } finally {
      await faulty?.close();
      await server.close();
      await tree.cleanup();
    }
  });
});
