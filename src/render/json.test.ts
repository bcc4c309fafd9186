import { describe, expect, it } from "vitest";
import { renderPlanJson } from "./json.js";
import { createOf, deleteOf, field, planOf, replaceOf, samplePlan, sqlField, updateOf } from "./test-utils.js";

describe("renderPlanJson", () => {
  it("has exactly the contract's fields plus the documented additions, in a fixed order", () => {
    const document = JSON.parse(renderPlanJson(samplePlan())) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(["format_version", "changes", "summary", "unmanaged", "warnings"]);
    expect(document["format_version"]).toBe("1");
    expect(document["summary"]).toEqual({ create: 2, update: 1, replace: 2, delete: 1 });
    expect(Object.keys(document["summary"] as object)).toEqual(["create", "update", "replace", "delete"]);
    const changes = document["changes"] as Record<string, unknown>[];
    for (const change of changes) {
      const patch = change["action"] === "update" || change["action"] === "replace" ? ["patch"] : [];
      expect(Object.keys(change)).toEqual(["kind", "name", "action", "reason", "destructive", "address", "fields", ...patch]);
    }
    expect(changes.map(({ kind, name, action, destructive }) => [kind, name, action, destructive])).toEqual([
      ["materialized_view", "old_agg", "delete", true],
      ["stream", "car_live_data", "create", false],
      ["materialized_view", "fast_cars", "create", false],
      ["view", "slow_cars", "update", false],
      ["stream", "totals", "replace", true],
      ["view", "total_view", "replace", false],
    ]);
    expect(document["unmanaged"]).toEqual(["stream/manual", "view/adhoc"]);
  });

  it("pins the whole document for a small plan", () => {
    const plan = planOf([
      replaceOf(
        "stream",
        "car_live_data",
        [field("columns", [{ name: "a", type: "int8" }], [{ name: "a", type: "int16" }], { forcesReplace: true })],
        {
          destructive: true,
        },
      ),
      updateOf("view", "v", [sqlField("query", "SELECT 1", "SELECT 2")]),
    ]);
    expect(renderPlanJson(plan)).toMatchInlineSnapshot(`
      "{
        "format_version": "1",
        "changes": [
          {
            "kind": "stream",
            "name": "car_live_data",
            "action": "replace",
            "reason": "columns cannot be updated in place",
            "destructive": true,
            "address": "stream/car_live_data",
            "fields": [
              {
                "field": "columns",
                "before": [
                  {
                    "name": "a",
                    "type": "int8"
                  }
                ],
                "after": [
                  {
                    "name": "a",
                    "type": "int16"
                  }
                ],
                "forces_replace": true,
                "secret": false
              }
            ],
            "patch": [
              {
                "op": "replace",
                "path": "/columns/0/type",
                "value": "int16"
              }
            ]
          },
          {
            "kind": "view",
            "name": "v",
            "action": "update",
            "reason": "query can be updated in place",
            "destructive": false,
            "address": "view/v",
            "fields": [
              {
                "field": "query",
                "before": "SELECT 1",
                "after": "SELECT 2",
                "forces_replace": false,
                "secret": false
              }
            ],
            "patch": [
              {
                "op": "replace",
                "path": "/query",
                "value": "SELECT 2"
              }
            ]
          }
        ],
        "summary": {
          "create": 0,
          "update": 1,
          "replace": 1,
          "delete": 0
        },
        "unmanaged": [],
        "warnings": []
      }
      "
    `);
  });

  it("lists the desired fields of a create and none for a delete", () => {
    const plan = planOf([createOf("view", "v", { query: "SELECT 1" }), deleteOf("view", "w")]);
    const changes = (JSON.parse(renderPlanJson(plan)) as { changes: { fields: unknown[] }[] }).changes;
    expect(changes.map((change) => change.fields)).toEqual([
      [{ field: "query", after: "SELECT 1", forces_replace: false, secret: false }],
      [],
    ]);
  });

  it("is byte-identical for the same plan, two-space indented with a trailing newline", () => {
    const text = renderPlanJson(samplePlan());
    expect(renderPlanJson(samplePlan())).toBe(text);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toBe('  "format_version": "1",');
  });

  it("renders an empty plan", () => {
    expect(renderPlanJson(planOf([]))).toMatchInlineSnapshot(`
      "{
        "format_version": "1",
        "changes": [],
        "summary": {
          "create": 0,
          "update": 0,
          "replace": 0,
          "delete": 0
        },
        "unmanaged": [],
        "warnings": []
      }
      "
    `);
  });
});
