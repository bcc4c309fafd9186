import { describe, expect, it } from "vitest";
import type { DriftReport } from "../model/index.js";
import { assembleDriftReport } from "../plan/drift.js";
import { desired, live } from "../plan/test-utils.js";
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from "./drift.js";

const SECRET = "hunter2-very-secret";
const columns = [{ name: "cid", type: "string" }];
const sinkSpec = { type: "kafka", query: "SELECT * FROM cars", properties: { brokers: "k:9092", password: SECRET } };

/** One of each: a changed view (SQL and a plain field), a changed secret, missing, orphaned, unmanaged. */
function sampleReport(): DriftReport {
  return assembleDriftReport(
    [
      desired("stream", "cars", { columns }),
      desired("view", "fast_cars", { query: "SELECT cid\nFROM cars\nWHERE speed > 100", description: "fast ones" }),
      desired("view", "slow_cars", { query: "SELECT cid FROM cars" }),
      desired("sink", "out", sinkSpec, { secretPaths: ["/properties/password"] }),
      desired("saved_query", "weird `name` | <b>", { sql: "SELECT 1" }),
    ],
    [
      live("stream", "cars", { columns, mode: "append", description: "" }, { owner: "fleet" }),
      live("view", "fast_cars", { query: "SELECT cid\nFROM cars\nWHERE speed > 150", description: "" }, { owner: "fleet" }),
      live("sink", "out", { ...sinkSpec, properties: { brokers: "other:9092" } }, { owner: "fleet", id: "s1" }),
      live("stream", "old_totals", { columns }, { owner: "fleet" }),
      live("stream", "hand_made", { columns }),
    ],
    { project: "fleet" },
  );
}

const noDrift = (): DriftReport =>
  assembleDriftReport(
    [desired("stream", "cars", { columns })],
    [live("stream", "cars", { columns, mode: "append", description: "" }, { owner: "fleet" })],
    { project: "fleet" },
  );

describe("renderDriftText", () => {
  it("names each drifted resource and field, with SQL as a line diff", () => {
    expect(renderDriftText(sampleReport(), { color: false })).toMatchInlineSnapshot(`
      "Drift from the manifests (- as declared in the manifests, + as live in the workspace):

        + stream/old_totals: orphaned: created by project "fleet" but no longer declared in the manifests

        ~ view/fast_cars: changed outside tpctl: description, query
            description: "fast ones" -> ""
            query:
                SELECT cid
                FROM cars
              - WHERE speed > 100
              + WHERE speed > 150

        - view/slow_cars: missing: declared in the manifests but not in the workspace

        ~ sink/out: changed outside tpctl: properties
            properties: (secret changed: password)

        - saved_query/weird \`name\` | <b>: missing: declared in the manifests but not in the workspace

      Unmanaged (not created by this project; not counted as drift):
        stream/hand_made

      Drift: 2 changed, 2 missing, 1 orphaned. 1 unmanaged, not counted as drift.
      "
    `);
  });

  it("says there is no drift, and counts unmanaged resources only with --fail-on-unmanaged", () => {
    expect(renderDriftText(noDrift(), { color: false })).toBe("No drift: the live workspace matches the manifests.\n");
    const withManual = assembleDriftReport([], [live("stream", "manual", { columns })], { project: "fleet" });
    expect(renderDriftText(withManual, { color: false, failOnUnmanaged: true })).toMatchInlineSnapshot(`
      "Unmanaged (not created by this project; counted as drift by --fail-on-unmanaged):
        stream/manual

      Drift: 0 changed, 0 missing, 0 orphaned. 1 unmanaged, counted as drift (--fail-on-unmanaged).
      "
    `);
  });

  it("colours only when asked", () => {
    expect(renderDriftText(sampleReport(), { color: false })).not.toContain("\u001b[");
    expect(renderDriftText(sampleReport(), { color: true })).toContain("\u001b[33m  ~\u001b[39m");
  });
});

describe("renderDriftJson", () => {
  it("prints the documented document, without secret values", () => {
    expect(JSON.parse(renderDriftJson(sampleReport()))).toEqual({
      format_version: "1",
      drift: [
        { kind: "stream", name: "old_totals", address: "stream/old_totals", status: "orphaned", fields: [] },
        {
          kind: "view",
          name: "fast_cars",
          address: "view/fast_cars",
          status: "changed",
          fields: [
            { field: "description", before: "fast ones", after: "", secret: false },
            {
              field: "query",
              before: "SELECT cid\nFROM cars\nWHERE speed > 100",
              after: "SELECT cid\nFROM cars\nWHERE speed > 150",
              secret: false,
            },
          ],
        },
        { kind: "view", name: "slow_cars", address: "view/slow_cars", status: "missing", fields: [] },
        {
          kind: "sink",
          name: "out",
          address: "sink/out",
          status: "changed",
          fields: [{ field: "properties", secret: true, changed_secrets: ["password"] }],
        },
        { kind: "saved_query", name: "weird `name` | <b>", address: "saved_query/weird `name` | <b>", status: "missing", fields: [] },
      ],
      unmanaged: ["stream/hand_made"],
      summary: { changed: 2, missing: 2, orphaned: 1, unmanaged: 1 },
    });
  });

  it("prints an empty report when nothing drifted", () => {
    expect(renderDriftJson(noDrift())).toMatchInlineSnapshot(`
      "{
        "format_version": "1",
        "drift": [],
        "unmanaged": [],
        "summary": {
          "changed": 0,
          "missing": 0,
          "orphaned": 0,
          "unmanaged": 0
        }
      }
      "
    `);
  });
});

describe("renderDriftMarkdown", () => {
  it("tabulates the counts and gives each drifted resource a section, SQL folded", () => {
    expect(renderDriftMarkdown(sampleReport())).toMatchInlineSnapshot(`
      "## tpctl drift

      **Drift: 2 changed, 2 missing, 1 orphaned. 1 unmanaged, not counted as drift.**

      | changed | missing | orphaned | unmanaged |
      | ---: | ---: | ---: | ---: |
      | 2 | 2 | 1 | 1 |

      _Diffs: - as declared in the manifests, + as live in the workspace._

      ### orphaned \`stream/old_totals\`

      Created by project \`fleet\` but no longer declared in the manifests.

      ### changed \`view/fast_cars\`

      - \`description\`: \`"fast ones"\` → \`""\`

      <details><summary><code>query</code></summary>

      \`\`\`diff
       SELECT cid
       FROM cars
      -WHERE speed > 100
      +WHERE speed > 150
      \`\`\`

      </details>

      ### missing \`view/slow_cars\`

      Declared in the manifests but not in the workspace.

      ### changed \`sink/out\`

      - \`properties\`: (secret changed: password)

      ### missing \`\`saved_query/weird \`name\` | <b>\`\`

      Declared in the manifests but not in the workspace.

      ### Unmanaged (not created by this project; not counted as drift): 1

      - \`stream/hand_made\`
      "
    `);
  });

  it("folds sections that do not fit and says how many are left out", () => {
    const text = renderDriftMarkdown(sampleReport(), { maxLength: 900 });
    expect(text.length).toBeLessThanOrEqual(900);
    expect(text).toContain("not shown here");
    expect(text).toContain("stream/hand_made");
  });
});

describe("secrets", () => {
  it("never appear in any format", () => {
    const report = sampleReport();
    for (const text of [
      renderDriftText(report, { color: false }),
      renderDriftText(report, { color: true }),
      renderDriftJson(report),
      renderDriftMarkdown(report),
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain("properties");
    }
  });
});
