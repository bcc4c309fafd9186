import { describe, expect, it } from "vitest";
import { assemblePlan } from "./plan.js";
import { desired, live } from "./test-utils.js";

// The rules of each plan mode, through assemblePlan; drift's are in drift.test.ts.

const columns = [{ name: "cid", type: "string" }];
const liveStream = (name: string, owner?: string) =>
  live("stream", name, { columns, mode: "append", description: "" }, owner === undefined ? {} : { owner });
const lines = (plan: ReturnType<typeof assemblePlan>) =>
  plan.changes.map((change) => `${change.action} ${change.address}: ${change.reason}`);

describe("destroy mode", () => {
  const declared = [desired("stream", "cars", { columns }), desired("view", "fast", { query: "SELECT * FROM cars" })];
  const workspace = [
    liveStream("cars", "fleet"),
    live("view", "fast", { query: "SELECT * FROM cars" }, { owner: "other", dependsOn: ["stream/cars"] }),
    liveStream("old", "fleet"),
    liveStream("manual"),
  ];

  it("deletes what the manifests declare and what the project created, readers first, and leaves the rest alone", () => {
    const plan = assemblePlan(declared, workspace, { project: "fleet", mode: "destroy" });
    expect(lines(plan)).toEqual([
      "delete view/fast: declared in the manifests, so destroy deletes it",
      "delete stream/cars: declared in the manifests, so destroy deletes it",
      'delete stream/old: created by project "fleet" and no longer declared',
    ]);
    expect(plan.steps.find((step) => step.id === "delete:stream/cars")?.waitsFor).toEqual(["delete:view/fast"]);
    expect(plan.warnings).toEqual(['view/fast is declared here but was created by project "other"; destroy deletes it all the same']);
    expect(plan.unmanaged).toEqual([]);
    expect(plan.refusals).toEqual([]);
  });

  it("keeps to --target and --exclude", () => {
    expect(lines(assemblePlan(declared, workspace, { project: "fleet", mode: "destroy", targets: ["stream/old"] }))).toEqual([
      'delete stream/old: created by project "fleet" and no longer declared',
    ]);
    const kept = assemblePlan(declared, workspace, { project: "fleet", mode: "destroy", excludes: ["stream/cars"] });
    expect(lines(kept)).toEqual(['delete stream/old: created by project "fleet" and no longer declared']);
  });

  it("refuses the whole destroy when a protected resource in scope is live, before anything else", () => {
    const protectedOnes = [desired("stream", "cars", { columns }, { preventDestroy: true })];
    const plan = assemblePlan(protectedOnes, workspace, { project: "fleet", mode: "destroy", excludes: ["stream/nowhere"] });
    expect(plan.refusals.map((refused) => refused.kind)).toEqual(["prevent_destroy", "unmatched_selector"]);
    expect(plan.refusals.slice(0, 1).map((refused) => [refused.kind, refused.message, refused.meta])).toEqual([
      [
        "prevent_destroy",
        "stream/cars has lifecycle.prevent_destroy set, so destroy will not delete it; lift the protection first, or leave it out with --target",
        { address: "stream/cars", action: "delete" },
      ],
    ]);
    expect(assemblePlan(protectedOnes, workspace, { project: "fleet", mode: "destroy", targets: ["stream/old"] }).refusals).toEqual([]);
    expect(assemblePlan(protectedOnes, [liveStream("old", "fleet")], { project: "fleet", mode: "destroy" }).refusals).toEqual([]);
  });
});

describe("apply mode", () => {
  it("refuses to delete everything the project created when no manifests were found", () => {
    const plan = assemblePlan([], [liveStream("cars", "fleet"), liveStream("old", "fleet"), liveStream("manual")], { project: "fleet" });
    expect(plan.refusals.map((refused) => [refused.kind, refused.message, refused.meta])).toEqual([
      [
        "empty_manifests",
        'no manifests were found, so this plan would delete all 2 resources project "fleet" created; check the path, or use tpctl destroy to remove them on purpose',
        { deletes: 2 },
      ],
    ]);
    expect(assemblePlan([], [liveStream("manual")], { project: "fleet" }).refusals).toEqual([]);
    expect(assemblePlan([], [liveStream("cars", "fleet")], { project: "fleet", mode: "destroy" }).refusals).toEqual([]);
  });

  it("refuses a delete or replace of a protected resource, where drift only reports it", () => {
    const protectedStream = [desired("stream", "cars", { columns: [{ name: "cid", type: "int8" }] }, { preventDestroy: true })];
    const workspace = [liveStream("cars", "fleet")];
    expect(assemblePlan(protectedStream, workspace, { project: "fleet" }).refusals.map((refused) => refused.kind)).toEqual([
      "prevent_destroy",
    ]);
    const drift = assemblePlan(protectedStream, workspace, { project: "fleet", mode: "drift" });
    expect([drift.refusals, drift.changes.map((change) => change.action)]).toEqual([[], ["replace"]]);
  });
});
