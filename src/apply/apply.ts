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
 * resource holds up only what depends on it, not the whole next level. When more steps are
 * ready than may run, the one with the longest chain of steps still waiting behind it goes
 * first (then plan order): started first-come first-served, a dependency chain advanced one
 * step per pass through the queue, and its last steps ran alone at the end with the other
 * slots idle.
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
  const limit = limitOf(options.concurrency);
  // Steps are handled by index from here on, in arrays rather than maps keyed by id: the
  // bookkeeping of a 5,000-step apply took 60 ms before its first request, in code that runs once
  // per process and so is never optimized.
  const indexOf = new Map<string, number>();
  const unique: Step[] = [];
  for (const step of steps) {
    if (indexOf.has(step.id)) continue;
    indexOf.set(step.id, unique.length);
    unique.push(step);
  }
  const count = unique.length;
  const dependencies: number[][] = unique.map((step) => {
    const list: number[] = [];
    for (const id of step.waitsFor) {
      const at = indexOf.get(id);
      if (at !== undefined && !list.includes(at)) list.push(at);
    }
    return list;
  });

  const { ordered, stuck, dependents } = orderSteps(dependencies);
  const priority = chainLengths(ordered, dependents);
  // Longest chain first, then plan order, as one number per step: the heap compares often.
  const rank = new Float64Array(count);
  for (let at = 0; at < count; at += 1) rank[at] = -(priority[at] as number) * (count + 1) + at;
  const ready = new StepQueue(rank);

  const notify = (outcome: StepOutcome): void => {
    try {
      options.onSettled?.(outcome);
    } catch {
      // Progress output must never change what was applied.
    }
  };

  const inFlight = new Uint8Array(count);
  let running = 0;
  const settled: (StepOutcome | undefined)[] = new Array<StepOutcome | undefined>(count);
  const signal = options.signal;
  // Dependencies of each step not yet settled; at 0 the step is blocked or ready.
  const waiting = Int32Array.from(dependencies, (list) => list.length);
  let unsettled = ordered.length;
  let finished: () => void = () => undefined;
  const everything = new Promise<void>((resolve) => (finished = resolve));

  // Steps whose dependencies have all settled, handled in a loop rather than by recursion: a
  // failure at the head of a long chain blocks the whole chain, one step after another.
  const due: number[] = [];
  let draining = false;

  const settle = (at: number, outcome: StepOutcome): void => {
    settled[at] = outcome;
    notify(outcome);
    unsettled -= 1;
    for (const dependent of dependents[at] as number[]) {
      const left = (waiting[dependent] as number) - 1;
      waiting[dependent] = left;
      if (left === 0) due.push(dependent);
    }
    if (!draining) {
      draining = true;
      for (let index = 0; index < due.length; index += 1) becomeDue(due[index] as number);
      due.length = 0;
      draining = false;
    }
    if (unsettled === 0) finished();
  };

  /** All of the step's dependencies have settled: it is blocked by the first that did not succeed, or ready. */
  const becomeDue = (at: number): void => {
    for (const dependency of dependencies[at] as number[]) {
      const before = settled[dependency] as StepOutcome;
      if (before.status !== "applied") {
        settle(at, { stepId: (unique[at] as Step).id, status: "not-attempted", blockedBy: rootCause(before) });
        return;
      }
    }
    ready.push(at);
  };

  const start = (at: number): void => {
    const step = unique[at] as Step;
    inFlight[at] = 1;
    running += 1;
    let work: Promise<void>;
    try {
      work = Promise.resolve(executeStep(step));
    } catch (error) {
      work = Promise.reject(error instanceof Error ? error : new Error(messageOf(error)));
    }
    work.then(
      () => finish(at, { stepId: step.id, status: "applied" }),
      (error: unknown) => finish(at, { stepId: step.id, status: "failed", error: messageOf(error) }),
    );
  };

  const finish = (at: number, outcome: StepOutcome): void => {
    inFlight[at] = 0;
    running -= 1;
    settle(at, outcome);
    pump();
  };

  function pump(): void {
    if (signal?.aborted) {
      // Interrupted: nothing new starts, and what would have is not attempted.
      for (let at = ready.pop(); at !== undefined; at = ready.pop())
        settle(at, { stepId: (unique[at] as Step).id, status: "not-attempted", blockedBy: INTERRUPTED });
      return;
    }
    while (running < limit) {
      const at = ready.pop();
      if (at === undefined) return;
      start(at);
    }
  }

  // A cycle is a planner bug; its steps can never start, and waiting for them would hang.
  const onCycle = new Uint8Array(count);
  for (const at of stuck) onCycle[at] = 1;
  for (const at of stuck) {
    const blocker = (dependencies[at] as number[]).find((dependency) => onCycle[dependency] === 1) ?? at;
    settled[at] = { stepId: (unique[at] as Step).id, status: "not-attempted", blockedBy: (unique[blocker] as Step).id };
  }

  const outcomeOf = (step: Step): StepOutcome | undefined => settled[indexOf.get(step.id) as number];
  const onAbortPump = (): void => pump();
  signal?.addEventListener("abort", onAbortPump, { once: true });
  for (const at of ordered) if (waiting[at] === 0) becomeDue(at);
  if (unsettled === 0) finished();
  pump();

  try {
    if (signal) {
      // Interrupted: what is in flight gets a bounded time; then the report is what is known.
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      const graceOver = new Promise<"grace">((resolve) => {
        const startGrace = () => {
          timer = setTimeout(() => resolve("grace"), options.graceMs ?? DEFAULT_GRACE_MS);
        };
        if (signal.aborted) startGrace();
        else signal.addEventListener("abort", (onAbort = startGrace), { once: true });
      });
      const first = await Promise.race([everything, graceOver]);
      if (timer) clearTimeout(timer);
      if (onAbort) signal.removeEventListener("abort", onAbort);
      if (first === "grace") {
        return {
          outcomes: steps.map(
            (step): StepOutcome =>
              outcomeOf(step) ??
              (inFlight[indexOf.get(step.id) as number] === 1
                ? { stepId: step.id, status: "failed", error: "interrupted while in flight: it may or may not have been applied" }
                : { stepId: step.id, status: "not-attempted", blockedBy: INTERRUPTED }),
          ),
        };
      }
    } else {
      await everything;
    }
  } finally {
    signal?.removeEventListener("abort", onAbortPump);
  }
  return { outcomes: steps.map((step) => outcomeOf(step) as StepOutcome) };
}

/**
 * For each step, how many steps form the longest chain that starts with it and runs through
 * what waits on it: what no amount of concurrency shortens once the step starts.
 */
function chainLengths(ordered: readonly number[], dependents: readonly (readonly number[])[]): Int32Array {
  const length = new Int32Array(dependents.length);
  for (let index = ordered.length - 1; index >= 0; index -= 1) {
    const at = ordered[index] as number;
    let longest = 0;
    for (const dependent of dependents[at] as number[]) longest = Math.max(longest, length[dependent] as number);
    length[at] = longest + 1;
  }
  return length;
}

/** A binary heap of step indices, the one of the lowest rank on top. */
class StepQueue {
  private readonly items: number[] = [];

  constructor(private readonly rank: Float64Array) {}

  push(at: number): void {
    const { items, rank } = this;
    let slot = items.push(at) - 1;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if ((rank[items[parent] as number] as number) <= (rank[at] as number)) break;
      items[slot] = items[parent] as number;
      slot = parent;
    }
    items[slot] = at;
  }

  pop(): number | undefined {
    const { items, rank } = this;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let slot = 0;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (rank[items[right] as number] as number) < (rank[items[left] as number] as number) ? right : left;
      if ((rank[items[child] as number] as number) >= (rank[last] as number)) break;
      items[slot] = items[child] as number;
      slot = child;
    }
    items[slot] = last;
    return top;
  }
}

function rootCause(outcome: StepOutcome): string {
  return outcome.status === "not-attempted" ? outcome.blockedBy : outcome.stepId;
}

/** Kahn's algorithm over step indices: `stuck` holds the steps on or behind a cycle; `dependents` what waits on each step. */
function orderSteps(dependencies: readonly (readonly number[])[]): { ordered: number[]; stuck: number[]; dependents: number[][] } {
  const count = dependencies.length;
  const remaining = new Int32Array(count);
  const dependents: number[][] = Array.from({ length: count }, () => []);
  for (let at = 0; at < count; at += 1) {
    const waitsFor = dependencies[at] as readonly number[];
    remaining[at] = waitsFor.length;
    for (const dependency of waitsFor) (dependents[dependency] as number[]).push(at);
  }
  const ordered: number[] = [];
  for (let at = 0; at < count; at += 1) if (remaining[at] === 0) ordered.push(at);
  for (let index = 0; index < ordered.length; index += 1) {
    for (const dependent of dependents[ordered[index] as number] as number[]) {
      const left = (remaining[dependent] as number) - 1;
      remaining[dependent] = left;
      if (left === 0) ordered.push(dependent);
    }
  }
  const done = new Uint8Array(count);
  for (const at of ordered) done[at] = 1;
  const stuck: number[] = [];
  for (let at = 0; at < count; at += 1) if (done[at] === 0) stuck.push(at);
  return { ordered, stuck, dependents };
}

function limitOf(concurrency: number): number {
  if (concurrency === Number.POSITIVE_INFINITY) return concurrency;
  // Apply must not throw over a bad option.
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
