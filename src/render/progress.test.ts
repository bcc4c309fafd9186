import { describe, expect, it } from "vitest";
import { renderRunningStatus, renderStepStarted, renderStillRunning } from "./progress.js";

const cars = { phase: "create", address: "stream/cars" } as const;
const view = { phase: "update", address: "view/v" } as const;

describe("apply progress lines", () => {
  it("speak Terraform's words", () => {
    expect(renderStepStarted(cars)).toBe("  stream/cars: Creating...\n");
    expect(renderStillRunning({ step: { phase: "delete", address: "view/v" }, elapsedMs: 10_400 })).toBe(
      "  view/v: Still destroying... [10s elapsed]\n",
    );
  });

  it("fit what is running, and for how long, on one status line", () => {
    expect(renderRunningStatus([{ step: cars, elapsedMs: 300 }], 80)).toBe("  Creating stream/cars...");
    expect(
      renderRunningStatus(
        [
          { step: cars, elapsedMs: 12_000 },
          { step: view, elapsedMs: 3_500 },
        ],
        80,
      ),
    ).toBe("  Still creating stream/cars... [12s elapsed]; modifying view/v... [3s elapsed]");
    expect(
      renderRunningStatus(
        [
          { step: cars, elapsedMs: 12_000 },
          { step: view, elapsedMs: 3_500 },
        ],
        40,
      ),
    ).toBe("  Still creating stream/cars... [12s ...");
    expect(renderRunningStatus([], 80)).toBe("");
  });
});
