import { describe, expect, it } from "vitest";
import { renderPlanText } from "./text.js";
import { createOf, planOf, samplePlan, updateOf, field } from "./test-utils.js";

describe("renderPlanText", () => {
  it("shows every change in plan order, destructive ones summarised first", () => {
    expect(renderPlanText(samplePlan(), { color: false })).toMatchInlineSnapshot(`
      "Destructive changes (data or a running pipeline would be lost):
        -   materialized_view/old_agg: created by project "fleet" and no longer declared
        -/+ stream/totals: columns cannot be updated in place

      tpctl will perform the following actions:

        - materialized_view/old_agg (destructive): created by project "fleet" and no longer declared

        + stream/car_live_data: declared in the manifests but not in the workspace
            description: live telemetry
            columns:
              - { name: cid, type: string }
              - { name: speed_kmh, type: float32 }
              - { name: latitude, type: float64 }
            logstore_retention_ms: 86400000

        + materialized_view/fast_cars: declared in the manifests but not in the workspace
            query: |-
              SELECT cid, speed_kmh
              FROM car_live_data
              WHERE speed_kmh > 100

        ~ view/slow_cars: description, query can be updated in place
            description: "slow" -> "slow ones"
            query:
                SELECT cid
                FROM car_live_data
              - WHERE speed_kmh < 10
              + WHERE speed_kmh < 20

      -/+ stream/totals (destructive): columns cannot be updated in place
            columns: [{"name":"n","type":"int32"}] -> [{"name":"n","type":"int64"}] (forces replacement)

      -/+ view/total_view: reads stream/totals, which is replaced

      Left alone (not managed by this project):
        stream/manual
        view/adhoc

      Warning: view/slow_cars reads "gone", which is neither declared in the manifests nor live

      Plan: 2 to create, 1 to update, 2 to replace, 1 to delete.
      "
    `);
  });

  it("says so when nothing changes", () => {
    expect(renderPlanText(planOf([]), { color: false })).toMatchInlineSnapshot(`
      "No changes. The live workspace matches the manifests.
      "
    `);
  });

  it("shows a create in full, laid out as the YAML of a manifest", () => {
    const plan = planOf([
      createOf("schema", "cars", {
        type: "protobuf",
        content: 'syntax = "proto3";\nmessage Car { string cid = 1; }',
        tags: ["a-rather-long-tag-number-one", "a-rather-long-tag-number-two", "a-rather-long-tag-number-three"],
      }),
    ]);
    expect(renderPlanText(plan, { color: false })).toMatchInlineSnapshot(`
      "tpctl will perform the following actions:

        + schema/cars: declared in the manifests but not in the workspace
            type: protobuf
            content: |-
              syntax = "proto3";
              message Car { string cid = 1; }
            tags: [ a-rather-long-tag-number-one, a-rather-long-tag-number-two, a-rather-long-tag-number-three ]

      Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.
      "
    `);
  });

  it("diffs long structured values line by line and marks absent sides", () => {
    const before = { brokers: "kafka-1:9092", topic: "cars", consumer_group: "tpctl", data_format: "JSONEachRow" };
    const plan = planOf([
      updateOf("source", "cars_in", [
        field("properties", before, { ...before, topic: "cars_v2" }),
        field("description", undefined, "from Kafka"),
      ]),
    ]);
    expect(renderPlanText(plan, { color: false })).toMatchInlineSnapshot(`
      "tpctl will perform the following actions:

        ~ source/cars_in: properties, description can be updated in place
            properties:
                {
                  "brokers": "kafka-1:9092",
              -   "topic": "cars",
              +   "topic": "cars_v2",
                  "consumer_group": "tpctl",
                  "data_format": "JSONEachRow"
                }
            description: (unset) -> "from Kafka"

      Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.
      "
    `);
  });

  it("folds long unchanged stretches of a query", () => {
    const lines = Array.from({ length: 12 }, (_, index) => `  col_${index},`);
    const before = ["SELECT", ...lines, "  last", "FROM cars"].join("\n");
    const after = ["SELECT", ...lines, "  last", "FROM cars_v2"].join("\n");
    const plan = planOf([updateOf("view", "v", [field("query", before, after, { isSql: true })])]);
    expect(renderPlanText(plan, { color: false })).toMatchInlineSnapshot(`
      "tpctl will perform the following actions:

        ~ view/v: query can be updated in place
            query:
                ... 11 unchanged lines
                  col_10,
                  col_11,
                  last
              - FROM cars
              + FROM cars_v2

      Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.
      "
    `);
  });

  it("colours when asked, and only then", () => {
    const colored = renderPlanText(samplePlan(), { color: true });
    const plain = renderPlanText(samplePlan(), { color: false });
    expect(colored).toContain("\u001b[32m  +\u001b[39m");
    expect(colored).toContain("\u001b[31m- WHERE speed_kmh < 10\u001b[39m");
    expect(plain).not.toContain("\u001b[");
    expect(colored.replace(/\u001b\[\d+m/g, "")).toBe(plain);
  });
});
