import { describe, expect, it } from "vitest";
import type { Plan, Step } from "../model/index.js";
import { createApplyProgress } from "./progress.js";

const step: Step = { id: "create:stream/cars", phase: "create", address: "stream/cars", waitsFor: [] };
const plan = { formatVersion: "1", changes: [], steps: [step], unmanaged: [], warnings: [], refusals: [] } as unknown as Plan;

function recorder(tty: boolean) {
  const written: string[] = [];
  let clock = 0;
  const progress = createApplyProgress(plan, { write: (text) => written.push(text), tty, color: false, now: () => clock });
  return { written, progress, advance: (ms: number) => (clock += ms) };
}

describe("createApplyProgress", () => {
  it("without a terminal writes one plain line per event and never redraws", () => {
    const { written, progress } = recorder(false);
    progress.onStarted(step);
    progress.onSettled({ stepId: step.id, status: "applied" });
    progress.stop();
    expect(written).toEqual(["  stream/cars: Creating...\n", "  ✓ create stream/cars\n"]);
    expect(written.join("")).not.toMatch(/\r|\u001b/);
  });

  it("on a terminal keeps one status line under the finished steps and clears it", () => {
    const { written, progress } = recorder(true);
    progress.onStarted(step);
    progress.onSettled({ stepId: step.id, status: "applied" });
    progress.stop();
    expect(written).toEqual(["\r\u001b[2K  Creating stream/cars...", "\r\u001b[2K", "  ✓ create stream/cars\n"]);
  });
});
