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

  it("orders a large random graph: every node after its dependencies, ready ties by input order", () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const nodes = Array.from({ length: 2000 }, (_, i) => `n${i}`);
    // Edges only to lower-numbered nodes, so the graph is acyclic; the input order is shuffled.
    const deps = new Map(nodes.map((node, i) => [node, i === 0 ? [] : Array.from({ length: 3 }, () => `n${Math.floor(random() * i)}`)]));
    const input = [...nodes].sort(() => random() - 0.5);
    const order = topologicalOrder<string>(input, (n) => deps.get(n) ?? []);
    expect(new Set(order).size).toBe(nodes.length);
    const at = new Map(order.map((node, i) => [node, i]));
    for (const [node, list] of deps) for (const dep of list) expect(at.get(dep) as number).toBeLessThan(at.get(node) as number);
    // Kahn's algorithm with the smallest input position first: check against a plain O(n^2) version.
    const rank = new Map(input.map((node, i) => [node, i]));
    const left = new Map(input.map((node) => [node, new Set(deps.get(node)).size]));
    const expected: string[] = [];
    const ready = input.filter((node) => left.get(node) === 0);
    while (ready.length > 0) {
      ready.sort((a, b) => (rank.get(a) as number) - (rank.get(b) as number));
      const node = ready.shift() as string;
      expected.push(node);
      for (const other of input) {
        if (!new Set(deps.get(other)).has(node)) continue;
        left.set(other, (left.get(other) as number) - 1);
        if (left.get(other) === 0) ready.push(other);
      }
    }
    expect(order).toEqual(expected);
  });
});
