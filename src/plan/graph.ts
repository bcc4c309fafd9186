import { DependencyCycleError } from "../errors.js";

/**
 * Orders nodes so that every node comes after the nodes it depends on. Ties are broken by the
 * given node order, so the same input always gives the same order.
 * Throws DependencyCycleError naming one cycle.
 */
export function topologicalOrder<T extends string>(nodes: readonly T[], dependenciesOf: (node: T) => readonly T[]): T[] {
  // Nodes are handled by their index in `nodes`, so the ready set is a min-heap of indices: each
  // pop costs log n, where re-sorting the ready list on every pop made the sort quadratic.
  const index = new Map<T, number>();
  nodes.forEach((node, position) => {
    if (!index.has(node)) index.set(node, position);
  });
  const remaining = new Int32Array(nodes.length);
  // Who waits for each node, made only for the nodes something waits for.
  const dependents: (number[] | undefined)[] = new Array<number[] | undefined>(nodes.length);
  // A dependency named twice counts once: `seenBy[at] === position` marks it seen for this node,
  // without a set per node.
  const seenBy = new Int32Array(nodes.length).fill(-1);
  const ready = new MinHeap();
  for (let position = 0; position < nodes.length; position++) {
    const node = nodes[position] as T;
    if (index.get(node) !== position) continue;
    let count = 0;
    for (const dep of dependenciesOf(node)) {
      const at = index.get(dep);
      if (at === undefined || at === position || seenBy[at] === position) continue;
      seenBy[at] = position;
      count++;
      const waiting = dependents[at];
      if (waiting === undefined) dependents[at] = [position];
      else waiting.push(position);
    }
    remaining[position] = count;
    if (count === 0) ready.push(position);
  }
  const order: T[] = [];
  while (ready.size > 0) {
    const position = ready.pop();
    order.push(nodes[position] as T);
    for (const dependent of dependents[position] ?? []) {
      const left = (remaining[dependent] as number) - 1;
      remaining[dependent] = left;
      if (left === 0) ready.push(dependent);
    }
  }
  if (order.length < index.size) {
    const placed = new Set(order);
    throw new DependencyCycleError(
      findCycle(
        [...index.keys()].filter((node) => !placed.has(node)),
        dependenciesOf,
        new Set(index.keys()),
      ),
    );
  }
  return order;
}

/** A binary min-heap of non-negative integers. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let at = items.push(value) - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((items[parent] as number) <= value) break;
      items[at] = items[parent] as number;
      at = parent;
    }
    items[at] = value;
  }

  /** The smallest value; only call when `size > 0`. */
  pop(): number {
    const items = this.items;
    const top = items[0] as number;
    const last = items.pop() as number;
    const size = items.length;
    if (size > 0) {
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && (items[right] as number) < (items[left] as number) ? right : left;
        if ((items[child] as number) >= last) break;
        items[at] = items[child] as number;
        at = child;
      }
      items[at] = last;
    }
    return top;
  }
}

function findCycle<T extends string>(candidates: readonly T[], dependenciesOf: (node: T) => readonly T[], known: ReadonlySet<T>): T[] {
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
