import { describe, expect, it } from "vitest";
import { memoizeByText } from "./memo.js";

describe("memoizeByText", () => {
  it("computes each text once while the cache holds it", () => {
    const seen: string[] = [];
    const length = memoizeByText((text) => {
      seen.push(text);
      return text.length;
    });
    expect([length("ab"), length("abc"), length("ab")]).toEqual([2, 3, 2]);
    expect(seen).toEqual(["ab", "abc"]);
  });

  it("does not remember a call that threw", () => {
    let calls = 0;
    const fails = memoizeByText((): number => {
      calls += 1;
      throw new Error("no");
    });
    expect(() => fails("x")).toThrow("no");
    expect(() => fails("x")).toThrow("no");
    expect(calls).toBe(2);
  });

  it("starts afresh once it holds `limit` entries", () => {
    const seen: string[] = [];
    const echo = memoizeByText((text) => {
      seen.push(text);
      return text;
    }, 2);
    for (const text of ["a", "b", "c", "a"]) echo(text);
    // "c" found the cache full and emptied it, so "a" is computed again.
    expect(seen).toEqual(["a", "b", "c", "a"]);
  });
});
