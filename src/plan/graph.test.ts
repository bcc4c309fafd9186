import { describe, expect, it } from "vitest";
import { DependencyCycleError } from "../errors.js";
import { topologicalOrder } from "./graph.js";

describe("topologicalOrder", () => {
  it("puts every node after what it depends on, ties in input order", () => {
    const deps: Record<string, string[]> = { v: ["s"], mv: ["v", "t"], s: [], t: [] };
    expect(topologicalOrder<string>(["mv", "v", "t", "s"], (n) => deps[n] ?? [])).toEqual(["t", "s", "v", "mv"]);
  });

  it("ignores dependencies on nodes outside the set", () => {
    expect(topologicalOrder<string>(["a", "b"], (n) => (n === "a" ? ["b", "elsewhere"] : []))).toEqual(["b", "a"]);
  });

  it("names the cycle", () => {
    const deps: Record<string, string[]> = { a: ["b"], b: ["c"], c: ["a"], d: [] };
    try {
      topologicalOrder<string>(["d", "a", "b", "c"], (n) => deps[n] ?? []);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DependencyCycleError);
      expect((error as DependencyCycleError).cycle).toEqual(["a", "b", "c", "a"]);
      expect((error as Error).message).toBe("dependency cycle: a -> b -> c -> a");
    }
  });
});
