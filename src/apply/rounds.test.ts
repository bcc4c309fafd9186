import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../errors.js";
import type { Address, Change, DesiredResource, LiveResource, Plan, Step } from "../model/index.js";
import { LiveResource as LiveResourceFactory } from "../model/index.js";
import { assemblePlan, type PlanOptions } from "../plan/plan.js";
import { desired, live } from "../plan/test-utils.js";
import { throwIfRefused } from "../plan/refusals.js";
import { applyInRounds, type StepDriver } from "./rounds.js";

/** The re-planning the CLI hands the rounds: the same manifests and options, as in cli/commands/apply.ts. */
function replanning(declared: readonly DesiredResource[], planOptions: PlanOptions) {
  return {
    project: planOptions.project,
    ...(planOptions.replaces ? { replaces: planOptions.replaces } : {}),
    replan: (live: readonly LiveResource[], replaces: readonly Address[] | undefined) =>
      throwIfRefused(assemblePlan(declared, live, { ...planOptions, ...(replaces ? { replaces } : {}) })),
  };
}

// A workspace in memory behind the Driver interface: each step changes it, and a step can be made
// to fail in transit once, before or after its write lands, as a dropped connection does.

type Fault = "lost-before" | "lost-after" | "refused";

function fakeDriver(initial: readonly LiveResource[], faults: Record<string, Fault> = {}) {
  let workspace = [...initial];
  const failed = new Set<string>();
  const calls: string[] = [];
  let reads = 0;
  const write = (step: Step, change: Change, project: string): void => {
    workspace = workspace.filter((resource) => resource.address !== (change.action === "create" ? change.address : step.address));
    if (step.phase === "delete") return;
    const wanted = (change as Change & { desired: DesiredResource }).desired;
    workspace.push(LiveResourceFactory.create({ kind: wanted.kind, name: wanted.name, spec: wanted.spec, owner: project }));
  };
  const driver: StepDriver = {
    readWorkspace() {
      reads += 1;
      return Promise.resolve([...workspace]);
    },
    runStep(step, change, project) {
      calls.push(step.id);
      const fault = failed.has(step.id) ? undefined : faults[step.id];
      failed.add(step.id);
      if (fault === "refused") return Promise.reject(new ApiError({ method: "POST", path: "/streams", status: 400, apiMessage: "no" }));
      if (fault === "lost-before") return Promise.reject(new NetworkError("POST", "/streams", new Error("socket hang up")));
      write(step, change, project);
      if (fault === "lost-after") return Promise.reject(new NetworkError("POST", "/streams", new Error("socket hang up")));
      return Promise.resolve();
    },
  };
  return { driver, calls, reads: () => reads, workspace: () => workspace.map((resource) => resource.address).sort() };
}

const columns = [{ name: "cid", type: "string" }];
const declared = [desired("stream", "cars", { columns }), desired("view", "fast", { query: "SELECT * FROM cars" })];
const project = "fleet";

async function run(
  workspace: readonly LiveResource[],
  options: Partial<PlanOptions>,
  faults: Record<string, Fault>,
  extra: { rounds?: number } = {},
) {
  const planOptions: PlanOptions = { project, ...options };
  const plan = assemblePlan(declared, workspace, planOptions);
  const fake = fakeDriver(workspace, faults);
  const rounds: { round: number; changes: string[] }[] = [];
  const report = await applyInRounds({
    plan,
    ...replanning(declared, planOptions),
    driver: fake.driver,
    concurrency: 4,
    ...extra,
    onRun: (shown: Plan, round: number) => {
      rounds.push({ round, changes: shown.changes.map((change) => `${change.action} ${change.address}`) });
      return undefined;
    },
  });
  return { report, rounds, ...fake };
}

const statuses = (report: { outcomes: readonly { stepId: string; status: string }[] }) =>
  report.outcomes.map((outcome) => `${outcome.stepId} ${outcome.status}`);

describe("applyInRounds", () => {
  it("runs a plan that meets no failure once, and reads nothing again", async () => {
    const result = await run([], {}, {});
    expect(statuses(result.report)).toEqual(["create:stream/cars applied", "create:view/fast applied"]);
    expect(result.reads()).toBe(0);
    expect(result.rounds.map((round) => round.round)).toEqual([0]);
  });

  it("retries what a failure in transit left undone, after reading the workspace again", async () => {
    const result = await run([], {}, { "create:stream/cars": "lost-before" });
    expect(statuses(result.report)).toEqual(["create:stream/cars applied", "create:view/fast applied"]);
    expect(result.rounds).toEqual([
      { round: 0, changes: ["create stream/cars", "create view/fast"] },
      { round: 1, changes: ["create stream/cars", "create view/fast"] },
    ]);
    expect(result.workspace()).toEqual(["stream/cars", "view/fast"]);
  });

  it("does not write again what landed although its answer was lost", async () => {
    const result = await run([], {}, { "create:stream/cars": "lost-after" });
    expect(statuses(result.report)).toEqual(["create:stream/cars applied", "create:view/fast applied"]);
    expect(result.calls).toEqual(["create:stream/cars", "create:view/fast"]);
    expect(result.rounds.map((round) => round.changes)).toEqual([["create stream/cars", "create view/fast"], ["create view/fast"]]);
  });

  it("retries a destroy the same way", async () => {
    const workspace = [
      live("stream", "cars", { columns, mode: "append", description: "" }, { owner: project }),
      live("view", "fast", { query: "SELECT * FROM cars" }, { owner: project, dependsOn: ["stream/cars"] }),
    ];
    const result = await run(workspace, { mode: "destroy" }, { "delete:view/fast": "lost-before" });
    expect(statuses(result.report)).toEqual(["delete:view/fast applied", "delete:stream/cars applied"]);
    expect(result.rounds.map((round) => round.changes)).toEqual([
      ["delete view/fast", "delete stream/cars"],
      ["delete view/fast", "delete stream/cars"],
    ]);
    expect(result.workspace()).toEqual([]);
  });

  it("does not retry a refusal, which would only be refused again", async () => {
    const result = await run([], {}, { "create:stream/cars": "refused" });
    expect(statuses(result.report)).toEqual(["create:stream/cars failed", "create:view/fast not-attempted"]);
    expect(result.reads()).toBe(0);
  });

  it("gives up after the last round", async () => {
    const result = await run([], {}, { "create:stream/cars": "lost-before" }, { rounds: 0 });
    expect(statuses(result.report)).toEqual(["create:stream/cars failed", "create:view/fast not-attempted"]);
    expect(result.reads()).toBe(0);
  });

  it("only carries on with changes the user approved", async () => {
    // Approved: only the view; the stream is live. Lost in transit, the stream then went away too.
    const workspace = [live("stream", "cars", { columns, mode: "append", description: "" }, { owner: project })];
    const planOptions: PlanOptions = { project };
    const plan = assemblePlan(declared, workspace, planOptions);
    const fake = fakeDriver(workspace, { "create:view/fast": "lost-before" });
    const driver: StepDriver = { runStep: fake.driver.runStep, readWorkspace: () => Promise.resolve([]) };
    const report = await applyInRounds({ plan, ...replanning(declared, planOptions), driver, concurrency: 1 });
    expect(statuses(report)).toEqual(["create:view/fast failed"]);
    expect(fake.calls).toEqual(["create:view/fast"]);
  });

  it("plans a retry round with the driver's in-place rules: an SQL update lost in transit is retried as an update", async () => {
    const wider = [desired("stream", "cars", { columns: [...columns, { name: "speed", type: "float64" }] })];
    const workspace = [live("stream", "cars", { columns, mode: "append", description: "" }, { owner: project })];
    const planOptions: PlanOptions = { project, inPlace: "sql" };
    const plan = assemblePlan(wider, workspace, planOptions);
    expect(plan.changes.map((change) => change.action)).toEqual(["update"]);
    const fake = fakeDriver(workspace, { "update:stream/cars": "lost-before" });
    const shown: string[][] = [];
    const report = await applyInRounds({
      plan,
      ...replanning(wider, planOptions),
      driver: fake.driver,
      concurrency: 1,
      onRun: (next: Plan) => {
        shown.push(next.changes.map((change) => `${change.action} ${change.address}`));
        return undefined;
      },
    });
    expect(statuses(report)).toEqual(["update:stream/cars applied"]);
    expect(shown).toEqual([["update stream/cars"], ["update stream/cars"]]);
  });
});
