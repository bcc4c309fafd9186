import type { Address, DependencyGraph, DesiredResource } from "../model/index.js";
import { createNameResolver, dependenciesOf } from "../kinds/dependencies.js";
import { topologicalOrder } from "./graph.js";

/**
 * The dependency graph of the manifests alone (what `tpctl graph` prints). Edges to names the
 * manifests do not declare are left out: the graph describes the project, not the workspace.
 * Throws DependencyCycleError when the manifests form a cycle.
 */
export function buildDependencyGraph(desired: readonly DesiredResource[]): DependencyGraph {
  const known = GRAPHS.get(desired);
  if (known !== undefined) return known;
  const graph = graphOf(desired);
  // A frozen list cannot change: its graph is kept for the next caller (validate and the planner
  // ask again for the list the CLI's cycle check already read).
  if (Object.isFrozen(desired)) GRAPHS.set(desired, graph);
  return graph;
}

const GRAPHS = new WeakMap<readonly DesiredResource[], DependencyGraph>();

/**
 * True when buildDependencyGraph has already found no cycle among these very resources. Edges
 * between declared resources do not depend on the live workspace (a declared name always wins
 * over a live one), so the planner need not look for a cycle among them again.
 */
export function knownAcyclic(desired: readonly DesiredResource[]): boolean {
  return GRAPHS.has(desired);
}

function graphOf(desired: readonly DesiredResource[]): DependencyGraph {
  const declared = new Set(desired.map((resource) => resource.address));
  const deps = dependenciesOf(desired, createNameResolver(desired));
  topologicalOrder([...declared], (address) => deps.get(address)?.dependsOn ?? []);
  const edges: { from: Address; to: Address }[] = [];
  for (const resource of desired) {
    for (const to of deps.get(resource.address)?.dependsOn ?? []) {
      if (declared.has(to)) edges.push({ from: resource.address, to });
    }
  }
  return { nodes: desired.map(({ kind, name }) => ({ kind, name })), edges };
}
