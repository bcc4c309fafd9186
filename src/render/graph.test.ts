import { describe, expect, it } from "vitest";
import type { DependencyGraph } from "../model/index.js";
import { mermaidIds, renderGraphDot, renderGraphJson, renderGraphMermaid } from "./graph.js";

const graph: DependencyGraph = {
  nodes: [
    { kind: "view", name: "fast_cars" },
    { kind: "stream", name: "car_live_data" },
    { kind: "materialized_view", name: "totals" },
    { kind: "view", name: "fast_cars" },
  ],
  edges: [
    { from: "materialized_view/totals", to: "view/fast_cars" },
    { from: "view/fast_cars", to: "stream/car_live_data" },
    { from: "view/fast_cars", to: "stream/car_live_data" },
  ],
};

describe("graph renderers", () => {
  it("prints the contract's JSON, sorted and deduplicated", () => {
    expect(renderGraphJson(graph)).toMatchInlineSnapshot(`
      "{
        "nodes": [
          {
            "kind": "materialized_view",
            "name": "totals"
          },
          {
            "kind": "stream",
            "name": "car_live_data"
          },
          {
            "kind": "view",
            "name": "fast_cars"
          }
        ],
        "edges": [
          {
            "from": "materialized_view/totals",
            "to": "view/fast_cars"
          },
          {
            "from": "view/fast_cars",
            "to": "stream/car_live_data"
          }
        ]
      }
      "
    `);
    expect(Object.keys(JSON.parse(renderGraphJson(graph)) as object)).toEqual(["nodes", "edges"]);
  });

  it("draws Mermaid with arrows from a resource to what depends on it", () => {
    expect(renderGraphMermaid(graph)).toMatchInlineSnapshot(`
      "flowchart LR
        %% arrows run from a resource to what depends on it
        materialized_view_totals["materialized_view/totals"]
        stream_car_live_data["stream/car_live_data"]
        view_fast_cars["view/fast_cars"]
        view_fast_cars --> materialized_view_totals
        stream_car_live_data --> view_fast_cars
      "
    `);
  });

  it("draws DOT with quoted ids in the same direction", () => {
    expect(renderGraphDot(graph)).toMatchInlineSnapshot(`
      "digraph tpctl {
        // arrows run from a resource to what depends on it
        rankdir=LR;
        node [shape=box];
        "materialized_view/totals";
        "stream/car_live_data";
        "view/fast_cars";
        "view/fast_cars" -> "materialized_view/totals";
        "stream/car_live_data" -> "view/fast_cars";
      }
      "
    `);
  });

  it("keeps output the same whatever order the graph arrives in", () => {
    const shuffled: DependencyGraph = { nodes: [...graph.nodes].reverse(), edges: [...graph.edges].reverse() };
    expect(renderGraphJson(shuffled)).toBe(renderGraphJson(graph));
    expect(renderGraphMermaid(shuffled)).toBe(renderGraphMermaid(graph));
    expect(renderGraphDot(shuffled)).toBe(renderGraphDot(graph));
  });

  it("gives clashing addresses distinct Mermaid ids and escapes awkward text", () => {
    expect([...mermaidIds(["view/a-b", "view/a_b", "view/a.b"]).values()]).toEqual(["view_a_b", "view_a_b_2", "view_a_b_3"]);
    const odd: DependencyGraph = { nodes: [{ kind: "view", name: 'say "hi" <b>' }], edges: [] };
    expect(renderGraphMermaid(odd)).toContain('view_say__hi___b_["view/say #quot;hi#quot; #lt;b#gt;"]');
    expect(renderGraphDot(odd)).toContain('  "view/say \\"hi\\" <b>";');
  });

  it("draws edge ends the node list lacks", () => {
    const partial: DependencyGraph = { nodes: [{ kind: "view", name: "v" }], edges: [{ from: "view/v", to: "stream/s" }] };
    expect(renderGraphDot(partial)).toContain('  "stream/s";\n  "stream/s" -> "view/v";');
  });
});
