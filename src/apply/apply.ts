import pLimit from "p-limit";
import type { ApplyReport, Step, StepOutcome } from "../model/index.js";

export interface ApplyOptions {
  /** How many steps may run at once; anything below 1 counts as 1. */
  readonly concurrency: number;
  /** Told of each step's outcome the moment it is known, for progress output. Must not throw. */
  readonly onSettled?: (outcome: StepOutcome) => void;
  /**
   * Once aborted (Ctrl-C, SIGTERM, a lost lock), no further step starts; the steps in flight get
   * `graceMs` to finish, after which they count as failed (they may or may not have landed).
   */
  readonly signal?: AbortSignal;
  readonly graceMs?: number;
}

/** What a step that never started because the run was interrupted is blocked by. */
export const INTERRUPTED = "the interruption";
const DEFAULT_GRACE_MS = 10_000;

/**
 * Runs every step, each the moment all the steps in its `waitsFor` have succeeded, never more
 * than `concurrency` at once. Scheduling per step rather than level by level means one slow
 * resource holds up only what depends on it, not the whole next level.
 *
 * Never throws: a step that throws is `failed`, every step that waits on it (directly or
 * transitively) is `not-attempted` with `blockedBy` naming the failed step, and all else still
 * runs. Outcomes come back in the order of `steps`. A `waitsFor` id that names no step counts as
 * done (the plan only lists steps that change something).
 *
 * @example const report = await applySteps(plan.steps, (step) => runStep(step), { concurrency: 4 });
 */
export async function applySteps(
  steps: readonly Step[],
  executeStep: (step: Step) => Promise<void>,
  options: ApplyOptions,
): Promise<ApplyReport> {
  const limit = pLimit(limitOf(options.concurrency));
  const byId = new Map<string, Step>();
  for (const step of steps) if (!byId.has(step.id)) byId.set(step.id, step);
  const dependencies = new Map<string, readonly string[]>();
  for (const [id, step] of byId) dependencies.set(id, [...new Set(step.waitsFor.filter((dependency) => byId.has(dependency)))]);

  const { ordered, stuck } = orderSteps([...byId.keys()], dependencies);
  const outcomes = new Map<string, Promise<StepOutcome>>();

  const notify = (outcome: StepOutcome): StepOutcome => {
    try {
      options.onSettled?.(outcome);
    } catch {
      // Progress output must never change what was applied.
    }
    return outcome;
  };

  const inFlight = new Set<string>();
  const settled = new Map<string, StepOutcome>();
  const signal = options.signal;

  async function run(step: Step, waitFor: readonly Promise<StepOutcome>[]): Promise<StepOutcome> {
    const before = await Promise.all(waitFor);
    const blocker = before.find((outcome) => outcome.status !== "applied");
    if (blocker) return { stepId: step.id, status: "not-attempted", blockedBy: rootCause(blocker) };
    return limit(async (): Promise<StepOutcome> => {
      if (signal?.aborted) return { stepId: step.id, status: "not-attempted", blockedBy: INTERRUPTED };
      inFlight.add(step.id);
      try {
        await executeStep(step);
        return { stepId: step.id, status: "applied" };
      } catch (error) {
        return { stepId: step.id, status: "failed", error: messageOf(error) };
      } finally {
        inFlight.delete(step.id);
      }
    });
  }

  // In dependency order, so that every promise a step awaits already exists when it is created.
  for (const id of ordered) {
    const step = byId.get(id) as Step;
    const waitFor = (dependencies.get(id) ?? []).map((dependency) => outcomes.get(dependency) as Promise<StepOutcome>);
    outcomes.set(
      id,
      run(step, waitFor)
        .then(notify)
        .then((outcome) => {
          settled.set(id, outcome);
          return outcome;
        }),
    );
  }
  // A cycle is a planner bug; its steps can never start, and waiting for them would hang.
  const stuckSet = new Set(stuck);
  for (const id of stuck) {
    const blockedBy = (dependencies.get(id) ?? []).find((dependency) => stuckSet.has(dependency)) ?? id;
    const outcome: StepOutcome = { stepId: id, status: "not-attempted", blockedBy };
    settled.set(id, outcome);
    outcomes.set(id, Promise.resolve(outcome));
  }

  const everything = Promise.all(outcomes.values());
  if (signal) {
    // Interrupted: what is in flight gets a bounded time; then the report is what is known.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const graceOver = new Promise<"grace">((resolve) => {
      const start = () => {
        timer = setTimeout(() => resolve("grace"), options.graceMs ?? DEFAULT_GRACE_MS);
      };
      if (signal.aborted) start();
      else signal.addEventListener("abort", (onAbort = start), { once: true });
    });
    const first = await Promise.race([everything, graceOver]);
    if (timer) clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
    if (first === "grace") {
      return {
        outcomes: steps.map(
          (step): StepOutcome =>
            settled.get(step.id) ??
            (inFlight.has(step.id)
              ? { stepId: step.id, status: "failed", error: "interrupted while in flight: it may or may not have been applied" }
              : { stepId: step.id, status: "not-attempted", blockedBy: INTERRUPTED }),
        ),
      };
    }
  } else {
    await everything;
  }
  return { outcomes: steps.map((step) => settled.get(step.id) as StepOutcome) };
}

function rootCause(outcome: StepOutcome): string {
  return outcome.status === "not-attempted" ? outcome.blockedBy : outcome.stepId;
}

/** Kahn's algorithm: `stuck` holds the steps on or behind a cycle. */
function orderSteps(ids: readonly string[], dependencies: ReadonlyMap<string, readonly string[]>): { ordered: string[]; stuck: string[] } {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const waitsFor = dependencies.get(id) ?? [];
    remaining.set(id, waitsFor.length);
    for (const dependency of waitsFor) {
      const list = dependents.get(dependency);
      if (list) list.push(id);
      else dependents.set(dependency, [id]);
    }
  }
  const ordered = ids.filter((id) => remaining.get(id) === 0);
  for (let index = 0; index < ordered.length; index += 1) {
    for (const dependent of dependents.get(ordered[index] as string) ?? []) {
      const left = (remaining.get(dependent) ?? 0) - 1;
      remaining.set(dependent, left);
      if (left === 0) ordered.push(dependent);
    }
  }
  const done = new Set(ordered);
  return { ordered, stuck: ids.filter((id) => !done.has(id)) };
}

function limitOf(concurrency: number): number {
  if (concurrency === Number.POSITIVE_INFINITY) return concurrency;
  // p-limit throws on anything but a positive integer; apply must not throw over a bad option.
  return Number.isFinite(concurrency) && concurrency >= 1 ? Math.floor(concurrency) : 1;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message === "" ? error.name : error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
