import { ApiError, NetworkError, TimeoutError } from "../errors.js";
import type { Address, ApplyReport, Change, LiveResource, Plan, Step, StepOutcome } from "../model/index.js";
import { applySteps } from "./apply.js";

/** Extra rounds after a failure, each re-reading the workspace: a write that failed in transit may have landed. */
const CONVERGENCE_ROUNDS = 2;

/** What is shown while one run of a plan goes on (the CLI's progress output fits). */
export interface RunObserver {
  onStarted?(step: Step): void;
  onSettled?(outcome: StepOutcome): void;
  /** Called once the run is over, whatever happened. */
  stop?(): void;
}

/** What the rounds need of a driver: read the workspace, run one step (the CLI hands its driver in). */
export interface StepDriver {
  readWorkspace(): Promise<LiveResource[]>;
  runStep(step: Step, change: Change, project: string): Promise<void>;
}

export interface RoundsInput {
  /** The plan the user approved. */
  readonly plan: Plan;
  /** The project whose ownership marker the steps write. */
  readonly project: string;
  /** The addresses the approved plan replaces on request (`--replace`). */
  readonly replaces?: readonly Address[];
  /**
   * Plans what is left against the live workspace by the approved plan's own rules (the same
   * manifests, mode and selection), throwing on a refusal; `replaces` is what is still to be forced.
   */
  readonly replan: (live: readonly LiveResource[], replaces: readonly Address[] | undefined) => Plan;
  readonly driver: StepDriver;
  readonly concurrency: number;
  /** Once aborted, no further step starts and no further round begins. */
  readonly signal?: AbortSignal;
  readonly rounds?: number;
  /**
   * Told before each run, with the plan about to run: round 0 is the approved plan, each later
   * round what is still to do. Returns what watches that run, if anything.
   */
  readonly onRun?: (plan: Plan, round: number) => RunObserver | undefined;
}

/**
 * Applies the approved plan, then, while a step failed in transit (the network, a timeout, a
 * 5xx: the write may or may not have happened), reads the workspace again, plans what is left
 * with the same rules, and runs that, for at most `rounds` more rounds. A refusal or a plain API
 * error would only be met again, so it ends the rounds. A round only carries on with changes the
 * user approved: a re-plan asking for anything else ends them, and the report says what failed.
 *
 * The report is the approved plan's: a step that succeeded in a later round, or that a later
 * round found no longer needed, counts as applied.
 *
 * @example const report = await applyInRounds({ plan, project, replan, driver, concurrency: 4 });
 */
export async function applyInRounds(input: RoundsInput): Promise<ApplyReport> {
  const rounds = input.rounds ?? CONVERGENCE_ROUNDS;
  const project = input.project;
  let { report, transientFailures } = await runOnce(input, input.plan, 0, project);
  for (let round = 1; round <= rounds && transientFailures > 0 && input.signal?.aborted !== true; round += 1) {
    const live = await input.driver.readWorkspace();
    const next = input.replan(live, stillToReplace(input.replaces, report));
    if (!isSubsetOf(next, input.plan)) break;
    if (next.changes.length === 0) {
      report = { outcomes: report.outcomes.map((outcome) => ({ stepId: outcome.stepId, status: "applied" as const })) };
      break;
    }
    const retried = await runOnce(input, next, round, project);
    report = mergeReports(report, retried.report);
    transientFailures = retried.transientFailures;
  }
  return report;
}

/** Every step of one plan through the driver, in dependency order, in parallel where allowed. */
async function runOnce(
  input: RoundsInput,
  plan: Plan,
  round: number,
  project: string,
): Promise<{ report: ApplyReport; transientFailures: number }> {
  const observer = input.onRun?.(plan, round);
  const changes = new Map(plan.changes.map((change) => [change.address, change]));
  let transientFailures = 0;
  try {
    const report = await applySteps(
      plan.steps,
      async (step) => {
        const change = changes.get(step.address);
        if (!change) return;
        observer?.onStarted?.(step);
        try {
          await input.driver.runStep(step, change, project);
        } catch (error) {
          if (isTransient(error)) transientFailures += 1;
          throw error;
        }
      },
      {
        concurrency: input.concurrency,
        ...(observer?.onSettled ? { onSettled: (outcome: StepOutcome) => observer.onSettled?.(outcome) } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
      },
    );
    return { report, transientFailures };
  } finally {
    observer?.stop?.();
  }
}

/**
 * A failure that says nothing about the request itself (the network, a timeout, a 5xx): the write
 * may or may not have happened, and reading the workspace again tells which.
 */
function isTransient(error: unknown): boolean {
  return error instanceof NetworkError || error instanceof TimeoutError || (error instanceof ApiError && error.status >= 500);
}

/** A forced replace whose delete already happened is not forced again: the next round only creates it. */
function stillToReplace(replaces: readonly Address[] | undefined, report: ApplyReport): readonly Address[] | undefined {
  if (!replaces) return undefined;
  const applied = new Set(report.outcomes.filter((outcome) => outcome.status === "applied").map((outcome) => outcome.stepId));
  return replaces.filter((address) => !applied.has(`delete:${address}`));
}

function isSubsetOf(candidate: Plan, approved: Plan): boolean {
  const allowed = new Set(approved.changes.map((change) => `${change.action} ${change.address}`));
  return candidate.changes.every(
    (change) =>
      allowed.has(`${change.action} ${change.address}`) || (change.action === "create" && allowed.has(`replace ${change.address}`)),
  );
}

/** A step that succeeded in a later round, or that a later round found no longer needed, counts as applied. */
function mergeReports(first: ApplyReport, later: ApplyReport): ApplyReport {
  const laterById = new Map(later.outcomes.map((outcome) => [outcome.stepId, outcome]));
  return {
    outcomes: first.outcomes.map((outcome) => {
      if (outcome.status === "applied") return outcome;
      return laterById.get(outcome.stepId) ?? { stepId: outcome.stepId, status: "applied" as const };
    }),
  };
}
