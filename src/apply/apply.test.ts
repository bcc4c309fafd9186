import { describe, expect, it } from "vitest";
import type { Step } from "../model/index.js";
import { applySteps } from "./apply.js";

function step(id: string, ...waitsFor: string[]): Step {
  return { id, phase: "create", address: `stream/${id}`, waitsFor };
}

/** Lets every pending promise callback run (setImmediate comes after the microtask queue). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * An executeStep whose steps finish only when the test says so; `events` records every start and
 * end in the order they happened.
 */
function controlledSteps() {
  const events: string[] = [];
  const finishers = new Map<string, (error?: unknown) => void>();
  async function executeStep(current: Step): Promise<void> {
    events.push(`start ${current.id}`);
    await new Promise<void>((resolve, reject) => {
      finishers.set(current.id, (error) => (error === undefined ? resolve() : reject(error)));
    });
    events.push(`end ${current.id}`);
  }
  async function finish(id: string, error?: unknown): Promise<void> {
    const finisher = finishers.get(id);
    if (!finisher) throw new Error(`step ${id} has not started`);
    finisher(error);
    await flush();
  }
  return { events, executeStep, finish };
}

describe("applySteps", () => {
  it("tells of each outcome as it settles, and a throwing listener changes nothing", async () => {
    const seen: string[] = [];
    const report = await applySteps(
      [step("create:stream/a"), step("create:view/b", "create:stream/a"), step("create:view/c", "create:view/b")],
      async (s) => {
        if (s.id === "create:view/b") throw new Error("refused");
      },
      {
        concurrency: 2,
        onSettled: (outcome) => {
          seen.push(`${outcome.stepId} ${outcome.status}`);
          throw new Error("listener bug");
        },
      },
    );
    expect(seen).toEqual(["create:stream/a applied", "create:view/b failed", "create:view/c not-attempted"]);
    expect(report.outcomes.map((outcome) => outcome.status)).toEqual(["applied", "failed", "not-attempted"]);
  });

  it("does nothing for an empty plan", async () => {
    const started: string[] = [];
    const report = await applySteps([], async (current) => void started.push(current.id), { concurrency: 4 });
    expect({ report, started }).toEqual({ report: { outcomes: [] }, started: [] });
  });

  it("never starts a step before the steps it waits for have finished", async () => {
    const { events, executeStep, finish } = controlledSteps();
    const running = applySteps([step("c", "a", "b"), step("b", "a"), step("a")], executeStep, { concurrency: 4 });

    await flush();
    expect(events).toEqual(["start a"]);
    await finish("a");
    expect(events).toEqual(["start a", "end a", "start b"]);
    await finish("b");
    await finish("c");
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(await running).toEqual({
      outcomes: [
        { stepId: "c", status: "applied" },
        { stepId: "b", status: "applied" },
        { stepId: "a", status: "applied" },
      ],
    });
  });

  it("runs independent steps at the same time, up to the limit", async () => {
    const parallel = controlledSteps();
    const both = applySteps([step("a"), step("b")], parallel.executeStep, { concurrency: 2 });
    await flush();
    expect(parallel.events).toEqual(["start a", "start b"]);
    await parallel.finish("b");
    await parallel.finish("a");
    await both;

    const serial = controlledSteps();
    const oneAtATime = applySteps([step("a"), step("b")], serial.executeStep, { concurrency: 1 });
    await flush();
    expect(serial.events).toEqual(["start a"]);
    await serial.finish("a");
    expect(serial.events).toEqual(["start a", "end a", "start b"]);
    await serial.finish("b");
    await oneAtATime;
  });

  it("never has more than `concurrency` steps in flight", async () => {
    let active = 0;
    let most = 0;
    const steps = ["a", "b", "c", "d", "e", "f"].map((id) => step(id));
    const report = await applySteps(
      steps,
      async () => {
        active += 1;
        most = Math.max(most, active);
        await flush();
        active -= 1;
      },
      { concurrency: 2 },
    );
    expect({ most, applied: report.outcomes.filter((outcome) => outcome.status === "applied").length }).toEqual({ most: 2, applied: 6 });
  });

  it("starts a step as soon as its own dependencies are done, not when its whole level is", async () => {
    const { events, executeStep, finish } = controlledSteps();
    // Levels: {slow, quick} then {afterQuick, afterSlow}. afterQuick must not wait for slow.
    const running = applySteps([step("slow"), step("quick"), step("afterQuick", "quick"), step("afterSlow", "slow")], executeStep, {
      concurrency: 4,
    });
    await flush();
    await finish("quick");
    expect(events).toEqual(["start slow", "start quick", "end quick", "start afterQuick"]);
    await finish("afterQuick");
    await finish("slow");
    await finish("afterSlow");
    expect(events.slice(4)).toEqual(["end afterQuick", "end slow", "start afterSlow", "end afterSlow"]);
    await running;
  });

  it("when more steps are ready than may run, starts the one with the longest chain waiting behind it", async () => {
    const started: string[] = [];
    // `head` starts a chain of three; `lone` waits for nothing and nothing waits for it.
    await applySteps(
      [step("lone"), step("head"), step("middle", "head"), step("tail", "middle")],
      async (current) => {
        started.push(current.id);
        await flush();
      },
      { concurrency: 1 },
    );
    // First come first served would run lone, head, middle, tail: the chain would finish last, alone.
    expect(started).toEqual(["head", "middle", "lone", "tail"]);
  });

  it("blocks only what transitively waits on a failed step, naming the failed step as the cause", async () => {
    const started: string[] = [];
    const report = await applySteps(
      [step("a"), step("b", "a"), step("c", "b"), step("d"), step("e", "d"), step("f", "d", "a")],
      async (current) => {
        started.push(current.id);
        if (current.id === "a") throw new Error("POST /streams failed with HTTP 400 (code 57): stream 'a' exists");
      },
      { concurrency: 2 },
    );
    expect(started.sort()).toEqual(["a", "d", "e"]);
    expect(report.outcomes).toEqual([
      { stepId: "a", status: "failed", error: "POST /streams failed with HTTP 400 (code 57): stream 'a' exists" },
      { stepId: "b", status: "not-attempted", blockedBy: "a" },
      { stepId: "c", status: "not-attempted", blockedBy: "a" },
      { stepId: "d", status: "applied" },
      { stepId: "e", status: "applied" },
      { stepId: "f", status: "not-attempted", blockedBy: "a" },
    ]);
  });

  it("blocks a chain of 20,000 steps behind a failed head without running out of stack", async () => {
    const steps = Array.from({ length: 20_000 }, (_, index) => (index === 0 ? step("s0") : step(`s${index}`, `s${index - 1}`)));
    const report = await applySteps(
      steps,
      async (current) => {
        if (current.id === "s0") throw new Error("boom");
      },
      { concurrency: 4 },
    );
    expect(report.outcomes.at(-1)).toEqual({ stepId: "s19999", status: "not-attempted", blockedBy: "s0" });
  });

  it("turns anything thrown, even synchronously or not an Error, into a failed outcome", async () => {
    const thrown: Record<string, unknown> = {
      text: "plain text",
      object: { reason: "quota" },
      nothing: undefined,
      empty: new TypeError(""),
    };
    const report = await applySteps(
      [...Object.keys(thrown).map((id) => step(id)), step("sync")],
      (current) => {
        if (current.id === "sync") throw new Error("thrown before any promise");
        return Promise.reject(thrown[current.id]);
      },
      { concurrency: 2 },
    );
    expect(report.outcomes).toEqual([
      { stepId: "text", status: "failed", error: "plain text" },
      { stepId: "object", status: "failed", error: '{"reason":"quota"}' },
      { stepId: "nothing", status: "failed", error: "undefined" },
      { stepId: "empty", status: "failed", error: "TypeError" },
      { stepId: "sync", status: "failed", error: "thrown before any promise" },
    ]);
  });

  it("treats a waitsFor id that names no step as done", async () => {
    const started: string[] = [];
    const report = await applySteps(
      [step("b", "delete:stream/unchanged"), step("c", "b")],
      async (current) => void started.push(current.id),
      {
        concurrency: 1,
      },
    );
    expect({ started, report }).toEqual({
      started: ["b", "c"],
      report: {
        outcomes: [
          { stepId: "b", status: "applied" },
          { stepId: "c", status: "applied" },
        ],
      },
    });
  });

  it("does not hang on a cycle, and still runs everything outside it", async () => {
    const started: string[] = [];
    const report = await applySteps(
      [step("a", "b"), step("b", "a"), step("c"), step("d", "a")],
      async (current) => void started.push(current.id),
      {
        concurrency: 0,
      },
    );
    expect({ started, outcomes: report.outcomes }).toEqual({
      started: ["c"],
      outcomes: [
        { stepId: "a", status: "not-attempted", blockedBy: "b" },
        { stepId: "b", status: "not-attempted", blockedBy: "a" },
        { stepId: "c", status: "applied" },
        { stepId: "d", status: "not-attempted", blockedBy: "a" },
      ],
    });
  });
});

describe("applySteps when interrupted", () => {
  it("starts nothing new, lets the step in flight finish, and names what was not attempted", async () => {
    const { events, executeStep, finish } = controlledSteps();
    const controller = new AbortController();
    const running = applySteps([step("a"), step("b", "a"), step("c")], executeStep, {
      concurrency: 1,
      signal: controller.signal,
      graceMs: 5_000,
    });
    await flush();
    expect(events).toEqual(["start a"]);
    controller.abort();
    await finish("a");
    const report = await running;
    expect(events).toEqual(["start a", "end a"]);
    expect(report.outcomes).toEqual([
      { stepId: "a", status: "applied" },
      { stepId: "b", status: "not-attempted", blockedBy: "the interruption" },
      { stepId: "c", status: "not-attempted", blockedBy: "the interruption" },
    ]);
  });

  it("waits only a bounded time for a step in flight, which then counts as failed", async () => {
    const { executeStep } = controlledSteps();
    const controller = new AbortController();
    const running = applySteps([step("slow"), step("after", "slow")], executeStep, {
      concurrency: 2,
      signal: controller.signal,
      graceMs: 20,
    });
    await flush();
    controller.abort();
    const report = await running;
    expect(report.outcomes).toEqual([
      { stepId: "slow", status: "failed", error: "interrupted while in flight: it may or may not have been applied" },
      { stepId: "after", status: "not-attempted", blockedBy: "the interruption" },
    ]);
  });
});
