import type { JsonObject } from "../model/index.js";
import { type Catalog, linksOf } from "./catalog.js";
import { invalidRequest } from "./errors.js";
import { inDefaultDatabase } from "./kinds/routes.js";
import type { Route, TopologyNode } from "./kinds/kind.js";

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
  // source id -> target ids, each pair once.
  const edges = new Map<string, Set<string>>();
  const dependencies = new Map<string, Set<string>>();
  const add = (into: Map<string, Set<string>>, source: string, target: string): void => {
    let targets = into.get(source);
    if (!targets) {
      targets = new Set();
      into.set(source, targets);
    }
    targets.add(target);
  };
  const relationId = (relation: string): string | undefined => {
    const located = catalog.relation(relation);
    return located && shownKinds.has(located.module.kind) ? nodeOf(located.module, located.record).id : undefined;
  };
  const usedId = (kind: string, name: string): string | undefined => {
    const module = shown.find((candidate) => candidate.kind === kind);
    const record = module ? catalog.get(kind, name) : undefined;
    return module && record ? nodeOf(module, record).id : undefined;
  };
  for (const module of shown) {
    for (const record of catalog.list(module.kind)) {
      if (!inDefaultDatabase(module.kind, record)) continue;
      const node = nodeOf(module, record);
      nodes.push(node);
      const links = linksOf(module, record);
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
  return {
    nodes: nodes.sort((a, b) => compare(a.id, b.id)).map((node) => ({ ...node })),
    edges: sortedLinks(edges),
    dependencies: sortedLinks(dependencies),
  };
}

/** Links by source, then target, as `{source, target}` objects. */
function sortedLinks(links: ReadonlyMap<string, ReadonlySet<string>>): JsonObject[] {
  const out: JsonObject[] = [];
  for (const source of [...links.keys()].sort(compare)) {
    for (const target of [...(links.get(source) as ReadonlySet<string>)].sort(compare)) out.push({ source, target });
  }
  return out;
}

// A stored record never changes (the store freezes it and replaces it on update), and its node
// depends on it alone: built once per record, not on every topology request and edge.
const nodes = new WeakMap<JsonObject, TopologyNode>();

function nodeOf(module: Catalog["modules"][number], record: JsonObject): TopologyNode {
  let node = nodes.get(record);
  if (!node) {
    node = module.node(record);
    nodes.set(record, node);
  }
  return node;
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
