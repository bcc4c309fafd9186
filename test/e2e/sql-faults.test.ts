import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { startTestServer } from "../helpers/server.js";

describe("applying over SQL through a faulty network and server", () => {
  it("leaves a workspace that the next apply finishes, and then converges", async () => {
    const faulty = await startTestServer({ faultRate: 0.25, faultSeed: 20261201, faultSlowMs: 50 });
    const tree = await makeTree({});
    try {
      const examples = resolve("examples");
      const codes: number[] = [];
      for (let attempt = 0; attempt < 8 && codes.at(-1) !== 0; attempt += 1) {
        const result = await runCli(["apply", examples, "--auto-approve", "--api", "sql"], { cwd: tree.dir, env: faulty.env });
        expect(result.stderr).not.toContain("    at ");
        codes.push(result.code);
      }
      expect(codes.at(-1)).toBe(0);
      const served = (await (await fetch(`${faulty.url}/_server/requests`)).json()) as {
        faults: Record<string, number>;
        by_route: Record<string, number>;
      };
      expect(Object.values(served.faults).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(3);
      expect(served.by_route["POST /default/api/v1beta2/exec"] ?? 0).toBeGreaterThan(10);
      const calm = await faulty.restartWith({});
      const plan = await runCli(["plan", examples, "--detailed-exitcode", "--api", "sql"], { cwd: tree.dir, env: calm.env });
      expect(plan.stdout).toContain("No changes");
      expect(plan.code).toBe(0);
      await calm.close();
      await rm(faulty.dataDir, { recursive: true, force: true });
    } finally {
      await faulty.close();
      await tree.cleanup();
    }
  });
});
