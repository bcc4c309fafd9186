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
  const byId = new Map<string, Step>();
  for (const step of steps) if (!byId.has(step.id)) byId.set(step.id, step);
  const dependencies = new Map<string, readonly string[]>();
  for (const [id, step] of byId) dependencies.set(id, [...new Set(step.waitsFor.filter((dependency) => byId.has(dependency)))]);

  const { ordered, stuck, dependents } = orderSteps([...byId.keys()], dependencies);
  const priority = chainLengths(ordered, dependents);
  const position = new Map([...byId.keys()].map((id, index) => [id, index]));

  const notify = (outcome: StepOutcome): void => {
    try {
      options.onSettled?.(outcome);
    } catch {
      // Progress output must never change what was applied.
    }
  };

  const inFlight = new Set<string>();
  const settled = new Map<string, StepOutcome>();
  const signal = options.signal;
  // Dependencies of each step not yet settled; at 0 the step is blocked or ready.
  const waiting = new Map<string, number>();
  for (const [id, waitsFor] of dependencies) waiting.set(id, waitsFor.length);
  // Longest chain first, then plan order, as one number per step: the heap compares often.
  const order = new Map<string, number>();
  for (const [id, at] of position) order.set(id, -(priority.get(id) ?? 0) * (position.size + 1) + at);
  const ready = new StepQueue((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  let unsettled = ordered.length;
  let finished: () => void = () => undefined;
  const everything = new Promise<void>((resolve) => (finished = resolve));

  // Steps whose dependencies have all settled, handled in a loop rather than by recursion: a
  // failure at the head of a long chain blocks the whole chain, one step after another.
  const due: string[] = [];
  let draining = false;

  const settle = (outcome: StepOutcome): void => {
    settled.set(outcome.stepId, outcome);
    notify(outcome);
    unsettled -= 1;
    for (const dependent of dependents.get(outcome.stepId) ?? []) {
      const left = (waiting.get(dependent) ?? 0) - 1;
      waiting.set(dependent, left);
      if (left === 0) due.push(dependent);
    }
    if (!draining) {
      draining = true;
      for (let index = 0; index < due.length; index += 1) becomeDue(due[index] as string);
      due.length = 0;
      draining = false;
    }
    if (unsettled === 0) finished();
  };

  /** All of the step's dependencies have settled: it is blocked by the first that did not succeed, or ready. */
  const becomeDue = (id: string): void => {
    for (const dependency of dependencies.get(id) ?? []) {
      const before = settled.get(dependency) as StepOutcome;
      if (before.status !== "applied") {
        settle({ stepId: id, status: "not-attempted", blockedBy: rootCause(before) });
        return;
      }
    }
    ready.push(id);
  };

  const start = (id: string): void => {
    const step = byId.get(id) as Step;
    inFlight.add(id);
    let running: Promise<void>;
    try {
      running = Promise.resolve(executeStep(step));
    } catch (error) {
      running = Promise.reject(error instanceof Error ? error : new Error(messageOf(error)));
    }
    running.then(
      () => finish({ stepId: id, status: "applied" }),
      (error: unknown) => finish({ stepId: id, status: "failed", error: messageOf(error) }),
    );
  };

  const finish = (outcome: StepOutcome): void => {
    inFlight.delete(outcome.stepId);
    settle(outcome);
    pump();
  };

  function pump(): void {
    if (signal?.aborted) {
      // Interrupted: nothing new starts, and what would have is not attempted.
      for (let id = ready.pop(); id !== undefined; id = ready.pop())
        settle({ stepId: id, status: "not-attempted", blockedBy: INTERRUPTED });
      return;
    }
    while (inFlight.size < limit) {
      const id = ready.pop();
      if (id === undefined) return;
      start(id);
    }
  }

  // A cycle is a planner bug; its steps can never start, and waiting for them would hang.
  const stuckSet = new Set(stuck);
  for (const id of stuck) {
    const blockedBy = (dependencies.get(id) ?? []).find((dependency) => stuckSet.has(dependency)) ?? id;
    settled.set(id, { stepId: id, status: "not-attempted", blockedBy });
  }

  const onAbortPump = (): void => pump();
  signal?.addEventListener("abort", onAbortPump, { once: true });
  for (const id of ordered) if (waiting.get(id) === 0) becomeDue(id);
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
  } finally {
    signal?.removeEventListener("abort", onAbortPump);
  }
  return { outcomes: steps.map((step) => settled.get(step.id) as StepOutcome) };
}

/**
 * For each step, how many steps form the longest chain that starts with it and runs through
 * what waits on it: what no amount of concurrency shortens once the step starts.
 */
function chainLengths(ordered: readonly string[], dependents: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const length = new Map<string, number>();
  for (let index = ordered.length - 1; index >= 0; index -= 1) {
    const id = ordered[index] as string;
    let longest = 0;
    for (const dependent of dependents.get(id) ?? []) longest = Math.max(longest, length.get(dependent) ?? 0);
    length.set(id, longest + 1);
  }
  return length;
}

/** A binary heap of step ids, the smallest by `compare` on top. */
class StepQueue {
  private readonly items: string[] = [];

  constructor(private readonly compare: (a: string, b: string) => number) {}

  push(id: string): void {
    const items = this.items;
    let at = items.push(id) - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.compare(items[parent] as string, id) <= 0) break;
      items[at] = items[parent] as string;
      at = parent;
    }
    items[at] = id;
  }

  pop(): string | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.compare(items[right] as string, items[left] as string) < 0 ? right : left;
      if (this.compare(items[child] as string, last) >= 0) break;
      items[at] = items[child] as string;
      at = child;
    }
    items[at] = last;
    return top;
  }
}

function rootCause(outcome: StepOutcome): string {
  return outcome.status === "not-attempted" ? outcome.blockedBy : outcome.stepId;
}

/** Kahn's algorithm: `stuck` holds the steps on or behind a cycle; `dependents` what waits on each step. */
function orderSteps(
  ids: readonly string[],
  dependencies: ReadonlyMap<string, readonly string[]>,
): { ordered: string[]; stuck: string[]; dependents: Map<string, string[]> } {
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
  return { ordered, stuck: ids.filter((id) => !done.has(id)), dependents };
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
