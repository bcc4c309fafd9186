import { describe, expect, it } from "vitest";
import { createPacer, createTimerLateness } from "./latency.js";

describe("createTimerLateness", () => {
  it("asks for the time that is left, to the nearest millisecond, until it has seen a timer wake late", () => {
    const lateness = createTimerLateness();
    expect(lateness.delayFor(19.6)).toBe(20);
    expect(lateness.delayFor(19.4)).toBe(19);
    expect(lateness.delayFor(-3)).toBe(0);
  });

  it("learns how late timers wake and asks for that much less, so that they wake on time on average", () => {
    const lateness = createTimerLateness();
    // A timer that always wakes 0.8 ms after what it was asked for, asked 20 ms before each deadline.
    let meanError = 0;
    for (let index = 0; index < 2_000; index += 1) {
      const asked = lateness.delayFor(20);
      const error = asked + 0.8 - 20;
      lateness.observe(error);
      if (index >= 1_000) meanError += error / 1_000;
    }
    expect(lateness.learntMs).toBeGreaterThan(0.5);
    expect(lateness.learntMs).toBeLessThan(1.2);
    expect(Math.abs(meanError)).toBeLessThan(0.1);
  });

  it("barely moves for one long wait, which is a busy event loop rather than the timer", () => {
    const lateness = createTimerLateness();
    lateness.observe(250);
    expect(lateness.learntMs).toBeLessThan(0.1);
    expect(lateness.delayFor(20)).toBe(20);
  });

  it("never learns to be early: timers that wake on time leave nothing learnt", () => {
    const lateness = createTimerLateness();
    for (let index = 0; index < 100; index += 1) lateness.observe(-1);
    expect(lateness.learntMs).toBe(0);
  });
});

describe("createPacer", () => {
  it("resolves at once for a deadline already past, and every wait once the signal aborts", async () => {
    const closing = new AbortController();
    const pace = createPacer(closing.signal);
    await pace(performance.now() - 5);
    const waits = [pace(performance.now() + 60_000), pace(performance.now() + 60_000)];
    closing.abort();
    await expect(Promise.all(waits)).resolves.toEqual([undefined, undefined]);
    await pace(performance.now() + 60_000);
  });
});
