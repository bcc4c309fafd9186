import { afterEach, describe, expect, it } from "vitest";
import { startTestServer } from "./test-utils.js";

const warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(warning);
};
afterEach(() => {
  process.off("warning", onWarning);
  warnings.length = 0;
});

describe("bursts of waiting requests", () => {
  it("serves 40 delayed requests at once without a MaxListenersExceededWarning, and close still wakes every waiting one", async () => {
    process.on("warning", onWarning);
    const t = await startTestServer({ latencyMs: 200 });
    try {
      const responses = await Promise.all(Array.from({ length: 40 }, () => t.call("GET", "/streams")));
      expect(responses.every((response) => response.status === 200)).toBe(true);
    } finally {
      await t.close();
    }
    // With a minute of latency, close can only finish within the test's time by waking every waiter.
    const slow = await startTestServer({ latencyMs: 60_000 });
    try {
      const waiting = Array.from({ length: 20 }, () => slow.call("GET", "/streams").catch((error: unknown) => error));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await slow.server.close();
      expect((await Promise.all(waiting)).every((result) => result instanceof Error)).toBe(true);
    } finally {
      await slow.close();
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});
