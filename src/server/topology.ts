import type { JsonObject } from "../model/index.js";
import type { Catalog } from "./catalog.js";
import { invalidRequest } from "./errors.js";
import { inDefaultDatabase } from "./kinds/routes.js";
import type { Route, TopologyNode } from "./kinds/kind.js";

interface Link {
  readonly source: string;
  readonly target: string;
}

/**
 * GET /topology (docs/timeplus-api.md §5): every object as a node; `edges` follow the data (a stream flows into
 * the view, MV, sink or alert that reads it, an MV into its target stream, a source into its
 * stream, a UDF or schema into what uses it) and `dependencies` say who depends on whom (the reader
 * on what it reads, a writer on its target, a user on its UDF or schema), as timeplusd's
 * DependenciesHandler does. Kinds with an `extraResource` (dashboards, schemas, UDFs, saved
 * queries) appear only when `extra` names them, and links to hidden nodes are left out.
 */
export function buildTopology(catalog: Catalog, extra: ReadonlySet<string> = new Set()): JsonObject {
  const shown = catalog.modules.filter((module) => module.extraResource === undefined || extra.has(module.extraResource));
  const shownKinds = new Set(shown.map((module) => module.kind));
  const nodes: TopologyNode[] = [];
  const edges = new Map<string, Link>();
  const dependencies = new Map<string, Link>();
  const add = (into: Map<string, Link>, source: string, target: string): void => {
    into.set(`${source}\u0000${target}`, { source, target });
  };
  // An object's node, built once: every edge into it asks for its id again.
  const nodeOf = new Map<JsonObject, TopologyNode>();
  const nodeFor = (module: Catalog["modules"][number], record: JsonObject): TopologyNode => {
    let node = nodeOf.get(record);
    if (!node) {
      node = module.node(record);
      nodeOf.set(record, node);
    }
    return node;
  };
  const relationId = (relation: string): string | undefined => {
    const located = catalog.relation(relation);
    return located && shownKinds.has(located.module.kind) ? nodeFor(located.module, located.record).id : undefined;
  };
  const usedId = (kind: string, name: string): string | undefined => {
    const module = shown.find((candidate) => candidate.kind === kind);
    const record = module ? catalog.get(kind, name) : undefined;
    return module && record ? nodeFor(module, record).id : undefined;
  };
  for (const module of shown) {
    for (const record of catalog.list(module.kind)) {
      if (!inDefaultDatabase(module.kind, record)) continue;
      const node = nodeFor(module, record);
      nodes.push(node);
      const links = module.links(record);
      for (const read of links.reads) {
        const id = relationId(read);
        if (id === undefined || id === node.id) continue;
        add(edges, id, node.id);
        add(dependencies, node.id, id);
      }
      for (const written of links.writes) {
        const id = relationId(written);
        if (id === undefined) continue;
        add(edges, node.id, id);
        add(dependencies, node.id, id);
      }
      for (const use of links.uses ?? []) {
        const id = usedId(use.kind, use.name);
        if (id === undefined) continue;
        add(edges, id, node.id);
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

/** `?extraResources=dashboard,schema,udf` (comma-separated, may repeat); an unknown value is a bad request. */
function readExtraResources(query: URLSearchParams, known: readonly string[]): Set<string> {
  const values = query
    .getAll("extraResources")
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value !== "");
  const unknown = values.filter((value) => !known.includes(value));
  if (unknown.length > 0) {
    throw invalidRequest(
      `invalid query parameter extraResources: unknown resource type ${unknown.map((value) => `"${value}"`).join(", ")}; supported: ${known.join(", ")}`,
    );
  }
  return new Set(values);
}

export const topologyRoute: Route = {
  method: "GET",
  path: "/topology",
  handle(context) {
    const catalog = context.read();
    const known = catalog.modules.flatMap((module) => (module.extraResource === undefined ? [] : [module.extraResource]));
    return { status: 200, body: buildTopology(catalog, readExtraResources(context.query, known)) };
  },
};
