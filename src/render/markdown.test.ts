import { describe, expect, it } from "vitest";
import type { Change } from "../model/index.js";
import { escapeMarkdown, renderPlanMarkdown } from "./markdown.js";
import { createOf, deleteOf, planOf, samplePlan, sqlField, updateOf } from "./test-utils.js";

describe("renderPlanMarkdown", () => {
  it("calls out destructive changes and replacements, draws the changes and details each resource", () => {
    expect(renderPlanMarkdown(samplePlan())).toMatchInlineSnapshot(`
      "## tpctl plan

      **Plan: 2 to create, 1 to update, 2 to replace, 1 to delete.**

      | create | update | replace | delete |
      | ---: | ---: | ---: | ---: |
      | 2 | 1 | 2 | 1 |

      > [!CAUTION]
      > **2 destructive changes**: data or a running pipeline would be lost.
      >
      > - **delete** \`materialized_view/old_agg\`: created by project "fleet" and no longer declared
      > - **replace** \`stream/totals\`: columns cannot be updated in place

      **Replaced** (dropped and created again): 1

      - **replace** \`view/total_view\`: reads stream/totals, which is replaced

      > [!WARNING]
      > - view/slow\\_cars reads "gone", which is neither declared in the manifests nor live

      ### Order of changes

      \`\`\`mermaid
      flowchart LR
        materialized_view_old_agg["delete materialized_view/old_agg"]
        stream_car_live_data["create stream/car_live_data"]
        materialized_view_fast_cars["create materialized_view/fast_cars"]
        view_slow_cars["update view/slow_cars"]
        stream_totals["replace stream/totals"]
        view_total_view["replace view/total_view"]
        stream_car_live_data --> materialized_view_fast_cars
        stream_totals --> view_total_view
        classDef create fill:#dafbe1,stroke:#1a7f37,color:#0d1117
        class stream_car_live_data,materialized_view_fast_cars create
        classDef update fill:#fff8c5,stroke:#9a6700,color:#0d1117
        class view_slow_cars update
        classDef replace fill:#ffebe9,stroke:#cf222e,color:#0d1117
        class stream_totals,view_total_view replace
        classDef delete fill:#ffebe9,stroke:#cf222e,color:#0d1117,stroke-dasharray:4 3
        class materialized_view_old_agg delete
      \`\`\`

      _An arrow runs from a resource to a changed resource that depends on it._

      ### Changes

      <p><b>delete</b> <code>materialized_view/old_agg</code> (destructive): created by project &quot;fleet&quot; and no longer declared</p>

      <details><summary><b>create</b> <code>stream/car_live_data</code>: declared in the manifests but not in the workspace</summary>

      \`\`\`diff
      @@ description @@
      +"live telemetry"
      @@ columns @@
      +[{"name":"cid","type":"string"},{"name":"speed_kmh","type":"float32"},{"name":"latitude","type":"float64"}]
      @@ logstore_retention_ms @@
      +86400000
      \`\`\`

      </details>

      <details><summary><b>create</b> <code>materialized_view/fast_cars</code>: declared in the manifests but not in the workspace</summary>

      \`\`\`diff
      @@ query @@
      +SELECT cid, speed_kmh
      +FROM car_live_data
      +WHERE speed_kmh > 100
      \`\`\`

      </details>

      <details><summary><b>update</b> <code>view/slow_cars</code>: description, query can be updated in place</summary>

      \`\`\`diff
      @@ description @@
      -"slow"
      +"slow ones"
      @@ query @@
       SELECT cid
       FROM car_live_data
      -WHERE speed_kmh < 10
      +WHERE speed_kmh < 20
      \`\`\`

      </details>

      <details><summary><b>replace</b> <code>stream/totals</code> (destructive): columns cannot be updated in place</summary>

      \`\`\`diff
      @@ columns (forces replacement) @@
      -[{"name":"n","type":"int32"}]
      +[{"name":"n","type":"int64"}]
      \`\`\`

      </details>

      <p><b>replace</b> <code>view/total_view</code>: reads stream/totals, which is replaced</p>

      ### Left alone (not managed by this project): 2

      - \`stream/manual\`
      - \`view/adhoc\`
      "
    `);
  });

  it("says so when nothing changes", () => {
    expect(renderPlanMarkdown(planOf([]), { title: "tpctl drift" })).toMatchInlineSnapshot(`
      "## tpctl drift

      **No changes. The live workspace matches the manifests.**
      "
    `);
  });

  it("stays under the size limit for 2,000 changes and says how many it left out", () => {
    const query = Array.from({ length: 20 }, (_, index) => `SELECT ${index} AS column_number_${index}`).join("\nUNION ALL\n");
    const changes: Change[] = Array.from({ length: 2000 }, (_, index) =>
      index % 2 === 0
        ? updateOf("view", `view_${index}`, [sqlField("query", query, query.replace("SELECT 0", `SELECT ${index}`))])
        : deleteOf("stream", `stream_${index}`, { destructive: true }),
    );
    const unmanaged = Array.from({ length: 500 }, (_, index) => `stream/manual_${index}` as const);
    const warnings = Array.from({ length: 200 }, (_, index) => `warning number ${index} `.repeat(40));
    const text = renderPlanMarkdown(planOf(changes, { unmanaged, warnings }));
    expect(text.length).toBeLessThanOrEqual(60_000);
    const shown = text.split("\n").filter((line) => line.startsWith("<details>") || line.startsWith("<p>")).length;
    expect(shown).toBeGreaterThan(20);
    expect(text).toContain(`_${2000 - shown} more changes are not shown here`);
    expect(text).toContain("> - and 970 more\n");
    expect(text).toContain("- and 400 more\n");
    expect(text).toContain("> - and 170 more warnings\n");
    expect(text).toContain("The diagram of changes is left out: 2000 changed resources");
  });

  it("honours a smaller limit", () => {
    const changes = Array.from({ length: 50 }, (_, index) => createOf("view", `v${index}`, { query: `SELECT ${index}` }));
    const text = renderPlanMarkdown(planOf(changes), { maxLength: 5_000 });
    expect(text.length).toBeLessThanOrEqual(5_000);
    const shown = text.split("\n").filter((line) => line.startsWith("<details>")).length;
    expect(shown).toBeGreaterThan(5);
    expect(text).toContain(`_${50 - shown} more changes are not shown here`);
  });

  it("escapes Markdown and HTML in free text and fences values that hold backticks", () => {
    const change = { ...createOf("view", "v", { query: "SELECT '```' AS fence" }), reason: "why <script>*not*</script> | pipe" };
    const text = renderPlanMarkdown(planOf([change], { warnings: ["[link](http://x) _under_ @someone"] }));
    expect(text).toContain("<summary><b>create</b> <code>view/v</code>: why &lt;script&gt;*not*&lt;/script&gt; | pipe</summary>");
    expect(text).toContain("````diff\n@@ query @@\n+SELECT '```' AS fence\n````");
    expect(text).toContain("> - \\[link\\]\\(http\\://x\\) \\_under\\_ \\@someone");
    expect(escapeMarkdown("a|b*c\nd")).toBe("a\\|b\\*c d");
  });
});
