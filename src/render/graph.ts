import type { Address, DependencyGraph, Kind } from "../model/index.js";
import { addressOf } from "../model/index.js";

interface Node {
  readonly kind: Kind;
  readonly name: string;
}
interface Edge {
  readonly from: Address;
  readonly to: Address;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Nodes and edges deduplicated and sorted by address (code-unit order, not locale), so output is stable. */
function normalizeGraph(graph: DependencyGraph): { nodes: Node[]; edges: Edge[] } {
  const nodes = new Map<string, Node>();
  for (const node of graph.nodes) nodes.set(addressOf(node.kind, node.name), { kind: node.kind, name: node.name });
  const edges = new Map<string, Edge>();
  for (const edge of graph.edges) edges.set(`${edge.from}\u0000${edge.to}`, { from: edge.from, to: edge.to });
  return {
    nodes: [...nodes.entries()].sort(([a], [b]) => compare(a, b)).map(([, node]) => node),
    edges: [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to)),
  };
}

/** Every address the graph mentions, nodes first, then edge ends the node list forgot. */
function addressesOf(nodes: readonly Node[], edges: readonly Edge[]): string[] {
  const all = new Set<string>(nodes.map((node) => addressOf(node.kind, node.name)));
  const extra = new Set<string>();
  for (const edge of edges) for (const end of [edge.to, edge.from]) if (!all.has(end)) extra.add(end);
  return [...all, ...[...extra].sort(compare)];
}

/**
 * Mermaid node ids for addresses: the address with every character outside [A-Za-z0-9_]
 * replaced by "_", and a numeric suffix on the rare clash, so ids are readable and unique.
 */
export function mermaidIds(addresses: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const address of addresses) {
    if (ids.has(address)) continue;
    const base = address.replace(/[^A-Za-z0-9_]/g, "_");
    let id = base;
    for (let n = 2; used.has(id); n += 1) id = `${base}_${n}`;
    used.add(id);
    ids.set(address, id);
  }
  return ids;
}

/** Text for a double-quoted Mermaid label, where quotes and HTML would break the diagram. */
export function mermaidLabel(text: string): string {
  return `"${text.replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;")}"`;
}

/**
 * The dependency graph as the contract's JSON: `{"nodes": [{"kind", "name"}], "edges": [{"from",
 * "to"}]}`, where an edge means `from` depends on `to`; nodes and edges sorted by address.
 *
 * @example renderGraphJson(buildDependencyGraph(desired))
 */
export function renderGraphJson(graph: DependencyGraph): string {
  const { nodes, edges } = normalizeGraph(graph);
  return `${JSON.stringify({ nodes, edges }, null, 2)}\n`;
}

/**
 * The dependency graph as a Mermaid flowchart. Arrows follow the data: they run from a resource
 * to the resources that depend on it (`to --> from` of each edge), the way a pipeline is drawn.
 */
export function renderGraphMermaid(graph: DependencyGraph): string {
  const { nodes, edges } = normalizeGraph(graph);
  const addresses = addressesOf(nodes, edges);
  const ids = mermaidIds(addresses);
  const lines = ["flowchart LR", "  %% arrows run from a resource to what depends on it"];
  for (const address of addresses) lines.push(`  ${ids.get(address)}[${mermaidLabel(address)}]`);
  for (const edge of edges) lines.push(`  ${ids.get(edge.to)} --> ${ids.get(edge.from)}`);
  return `${lines.join("\n")}\n`;
}

function dotId(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * The dependency graph in Graphviz DOT, nodes named by their quoted address. Arrows run the same
 * way as in the Mermaid form: from a resource to what depends on it.
 */
export function renderGraphDot(graph: DependencyGraph): string {
  const { nodes, edges } = normalizeGraph(graph);
  const lines = ["digraph tpctl {", "  // arrows run from a resource to what depends on it", "  rankdir=LR;", "  node [shape=box];"];
  for (const address of addressesOf(nodes, edges)) lines.push(`  ${dotId(address)};`);
  for (const edge of edges) lines.push(`  ${dotId(edge.to)} -> ${dotId(edge.from)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
