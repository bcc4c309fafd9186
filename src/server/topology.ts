import type { JsonObject } from "../model/index.js";
import type { Catalog } from "./catalog.js";
import type { Route, TopologyNode } from "./kinds/kind.js";

interface Link {
  readonly source: string;
  readonly target: string;
}

/**
 * GET /topology (reference §5): every object as a node; `edges` follow the data (a stream flows into
 * the view or MV that reads it, an MV into its target stream) and `dependencies` say who depends on
 * whom (the reader on what it reads, an MV on its target), as timeplusd's DependenciesHandler does.
 */
export function buildTopology(catalog: Catalog): JsonObject {
  const nodes: TopologyNode[] = [];
  const edges = new Map<string, Link>();
  const dependencies = new Map<string, Link>();
  const add = (into: Map<string, Link>, source: string, target: string): void => {
    into.set(`${source}\u0000${target}`, { source, target });
  };
  const idOf = (relation: string): string | undefined => {
    const located = catalog.relation(relation);
    return located ? located.module.node(located.record).id : undefined;
  };
  for (const module of catalog.modules) {
    for (const record of catalog.list(module.kind)) {
      const node = module.node(record);
      nodes.push(node);
      const links = module.links(record);
      for (const read of links.reads) {
        const id = idOf(read);
        if (id === undefined || id === node.id) continue;
        add(edges, id, node.id);
        add(dependencies, node.id, id);
      }
      for (const written of links.writes) {
        const id = idOf(written);
        if (id === undefined) continue;
        add(edges, node.id, id);
        add(dependencies, node.id, id);
      }
    }
  }
  const order = (a: Link, b: Link): number => compare(a.source, b.source) || compare(a.target, b.target);
  return {
    nodes: nodes.sort((a, b) => compare(a.id, b.id)).map((node) => ({ ...node })),
    edges: [...edges.values()].sort(order).map((link) => ({ ...link })),
    dependencies: [...dependencies.values()].sort(order).map((link) => ({ ...link })),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const topologyRoute: Route = {
  method: "GET",
  path: "/topology",
  handle: (context) => ({ status: 200, body: buildTopology(context.read()) }),
};
