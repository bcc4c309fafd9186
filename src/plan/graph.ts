import { DependencyCycleError } from "../errors.js";

/**
 * Orders nodes so that every node comes after the nodes it depends on. Ties are broken by the
 * given node order, so the same input always gives the same order.
 * Throws DependencyCycleError naming one cycle.
 */
export function topologicalOrder<T extends string>(
  nodes: readonly T[],
  dependenciesOf: (node: T) => readonly T[],
): T[] {
  const known = new Set(nodes);
  const rank = new Map(nodes.map((node, index) => [node, index]));
  const remaining = new Map<T, number>();
  const dependents = new Map<T, T[]>();
  for (const node of nodes) {
    const deps = [...new Set(dependenciesOf(node))].filter((dep) => known.has(dep) && dep !== node);
    remaining.set(node, deps.length);
    for (const dep of deps) {
      const list = dependents.get(dep) ?? [];
      list.push(node);
      dependents.set(dep, list);
    }
  }
  const ready = nodes.filter((node) => remaining.get(node) === 0);
  const order: T[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    const node = ready.shift() as T;
    order.push(node);
    for (const dependent of dependents.get(node) ?? []) {
      const left = (remaining.get(dependent) ?? 0) - 1;
      remaining.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  if (order.length < nodes.length) {
    throw new DependencyCycleError(findCycle(nodes.filter((node) => !order.includes(node)), dependenciesOf, known));
  }
  return order;
}

function findCycle<T extends string>(
  candidates: readonly T[],
  dependenciesOf: (node: T) => readonly T[],
  known: ReadonlySet<T>,
): T[] {
  const inCycleSet = new Set(candidates);
  const start = candidates[0] as T;
  const path: T[] = [];
  const seen = new Map<T, number>();
  let node: T | undefined = start;
  while (node !== undefined && !seen.has(node)) {
    seen.set(node, path.length);
    path.push(node);
    node = dependenciesOf(node).find((dep) => known.has(dep) && inCycleSet.has(dep) && dep !== path[path.length - 1]);
  }
  if (node === undefined) return candidates.slice();
  const cycle = path.slice(seen.get(node));
  return [...cycle, node];
}
