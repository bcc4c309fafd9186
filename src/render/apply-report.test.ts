import { describe, expect, it } from "vitest";
import type { ApplyReport } from "../model/index.js";
import { renderApplyReport, renderApplyReportJson } from "./apply-report.js";
import { createOf, planOf, updateOf, field } from "./test-utils.js";

const plan = planOf([createOf("stream", "cars"), createOf("view", "fast"), updateOf("view", "slow", [field("description", "a", "b")])], {
  waits: { "create:view/fast": ["create:stream/cars"] },
});

const partial: ApplyReport = {
  outcomes: [
    { stepId: "create:stream/cars", status: "applied" },
    { stepId: "update:view/slow", status: "failed", error: "PATCH /default/api/v1beta2/views/slow failed with HTTP 400: bad query" },
    { stepId: "create:view/fast", status: "not-attempted", blockedBy: "update:view/slow" },
    { stepId: "create:view/later", status: "not-attempted", blockedBy: "apply was interrupted" },
  ],
};

describe("renderApplyReport", () => {
  it("lists each step's outcome and the counts", () => {
    expect(renderApplyReport(plan, partial, { color: false })).toMatchInlineSnapshot(`
      "  ✓ create stream/cars
        ✗ update view/slow: PATCH /default/api/v1beta2/views/slow failed with HTTP 400: bad query
        ○ create view/fast: not attempted, blocked by update view/slow
        ○ create view/later: not attempted, blocked by apply was interrupted

      Apply failed: 1 applied, 1 failed, 2 not attempted.
      "
    `);
  });

  it("says complete when everything applied", () => {
    const report: ApplyReport = { outcomes: plan.steps.map((step) => ({ stepId: step.id, status: "applied" as const })) };
    expect(renderApplyReport(plan, report, { color: false })).toMatchInlineSnapshot(`
      "  ✓ create stream/cars
        ✓ create view/fast
        ✓ update view/slow

      Apply complete: 3 applied, 0 failed, 0 not attempted.
      "
    `);
  });

  it("colours outcomes only when asked", () => {
    expect(renderApplyReport(plan, partial, { color: true })).toContain("\u001b[31m✗\u001b[39m");
    expect(renderApplyReport(plan, partial, { color: false })).not.toContain("\u001b[");
  });

  it("renders JSON with the plan, the outcomes and the counts", () => {
    const document = JSON.parse(renderApplyReportJson(plan, partial)) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(["format_version", "plan", "outcomes", "summary"]);
    expect(document["outcomes"]).toEqual([
      { step: "create:stream/cars", phase: "create", address: "stream/cars", status: "applied" },
      {
        step: "update:view/slow",
        phase: "update",
        address: "view/slow",
        status: "failed",
        error: "PATCH /default/api/v1beta2/views/slow failed with HTTP 400: bad query",
      },
      { step: "create:view/fast", phase: "create", address: "view/fast", status: "not-attempted", blocked_by: "update:view/slow" },
      { step: "create:view/later", status: "not-attempted", blocked_by: "apply was interrupted" },
    ]);
    expect(document["summary"]).toEqual({ applied: 1, failed: 1, not_attempted: 2 });
  });
});
