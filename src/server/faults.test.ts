import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFaultPlan, FAULT_KINDS, mulberry32 } from "./faults.js";
import { startTestServer, type TestServer } from "./test-utils.js";

describe("mulberry32 and the fault plan", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const draw = (seed: number) => {
      const random = mulberry32(seed);
      return Array.from({ length: 5 }, () => random());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42).every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it("fails about the requested fraction, with every kind of fault", () => {
    const plan = createFaultPlan(0.3, 7);
    const outcomes = Array.from({ length: 2000 }, () => plan.next());
    const failed = outcomes.filter((outcome) => outcome !== undefined);
    expect(failed.length / outcomes.length).toBeGreaterThan(0.25);
    expect(failed.length / outcomes.length).toBeLessThan(0.35);
    expect(new Set(failed)).toEqual(new Set(FAULT_KINDS));
    expect(Array.from({ length: 50 }, () => createFaultPlan(0, 7).next())).toEqual(Array(50).fill(undefined));
  });
});

describe("fault injection in the server", () => {
  let t: TestServer | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await t?.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** What a client sees for each of `count` stream creations. */
  async function run(seed: number, count: number, dataDir: string): Promise<string[]> {
    t = await startTestServer({ faultRate: 0.5, faultSeed: seed, faultSlowMs: 20 }, dataDir);
    const seen: string[] = [];
    for (let i = 0; i < count; i++) {
      try {
        const response = await t.call("POST", "/streams", { name: `s${i}`, columns: [{ name: "a", type: "int8" }] });
        seen.push(String(response.status));
      } catch {
        seen.push("reset");
      }
    }
    await t.close();
    return seen;
  }

  it("replays the same failures for the same seed and shows what each fault did", async () => {
    const seed = 11;
    const expected = createFaultPlan(0.5, seed);
    const plan = Array.from({ length: 16 }, () => expected.next());
    const [one, two] = await Promise.all([1, 2].map(() => mkdtemp(join(tmpdir(), "tpctl-faults-"))));
    dirs.push(one as string, two as string);
    const first = await run(seed, 16, one as string);
    expect(await run(seed, 16, two as string)).toEqual(first);
    const asSeen = plan.map((fault) => {
      if (fault === "unavailable") return "503";
      if (fault === "error_after_write") return "500";
      if (fault === "reset_before" || fault === "reset_after") return "reset";
      return "201";
    });
    expect(first).toEqual(asSeen);
    expect(new Set(plan).size).toBeGreaterThan(3);

    // Faults after the work leave the stream created; faults before leave nothing.
    t = await startTestServer({}, one);
    const names = ((await t.call("GET", "/streams")).body as { name: string }[]).map((stream) => stream.name);
    const created = plan.flatMap((fault, i) =>
      fault === undefined || fault === "slow" || fault === "error_after_write" || fault === "reset_after" ? [`s${i}`] : [],
    );
    expect(names).toEqual(created.sort());
  });
});
