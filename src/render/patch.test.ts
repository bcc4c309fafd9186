import fastJsonPatch, { type Operation } from "fast-json-patch";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../model/index.js";
import { assemblePlan } from "../plan/plan.js";
import { desired, live } from "../plan/test-utils.js";
import { renderPlanJson } from "./json.js";

const liveSink: JsonObject = {
  type: "http",
  description: "old",
  properties: { url: "https://hooks.example.com/a", content_type: "application/json", http_method: "POST" },
  query: "SELECT * FROM cars",
};
const liveView: JsonObject = { description: "v", query: "SELECT cid FROM cars WHERE speed_kmh > 100" };
const liveStream: JsonObject = {
  description: "cars",
  columns: [
    { name: "cid", type: "string" },
    { name: "speed_kmh", type: "float32" },
  ],
  ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
};

function planOfUpdates() {
  return assemblePlan(
    [
      desired("sink", "hook", {
        ...liveSink,
        description: "new",
        properties: { ...(liveSink["properties"] as JsonObject), http_method: "PUT" },
      }),
      desired("view", "fast", { ...liveView, query: "SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 120" }),
      desired("stream", "cars", { ...liveStream, description: "all cars", ttl_expression: "to_datetime(_tp_time) + INTERVAL 7 DAY" }),
    ],
    [
      live("sink", "hook", liveSink, { owner: "fleet", id: "s1" }),
      live("view", "fast", liveView, { owner: "fleet", dependsOn: ["stream/cars"] }),
      live("stream", "cars", liveStream, { owner: "fleet" }),
    ],
    { project: "fleet" },
  );
}

describe("the JSON plan's RFC 6902 patch", () => {
  it("applied to the live object gives the desired one, for every update", () => {
    const plan = planOfUpdates();
    const document = JSON.parse(renderPlanJson(plan)) as { changes: { address: string; action: string; patch?: Operation[] }[] };
    expect(document.changes.map((change) => change.action)).toEqual(["update", "update", "update"]);
    for (const change of plan.changes) {
      if (change.action !== "update") throw new Error("expected updates only");
      const patch = document.changes.find((entry) => entry.address === change.address)?.patch ?? [];
      expect(patch.length).toBeGreaterThan(0);
      const patched = fastJsonPatch.applyPatch(structuredClone(change.live.spec), patch, true, false).newDocument;
      expect(patched).toEqual(change.desired.spec);
    }
  });

  it("names exactly the paths that change", () => {
    const sink = (JSON.parse(renderPlanJson(planOfUpdates())) as { changes: { address: string; patch: Operation[] }[] }).changes.find(
      (change) => change.address === "sink/hook",
    );
    expect(sink?.patch).toEqual([
      { op: "replace", path: "/properties/http_method", value: "PUT" },
      { op: "replace", path: "/description", value: "new" },
    ]);
  });

  it("never carries a secret: a changed secret is the placeholder", () => {
    const plan = assemblePlan(
      [
        desired(
          "source",
          "kin",
          { type: "kafka", properties: { brokers: "k:9092", password: "hunter2-very-secret" } },
          { secretPaths: ["/properties/password"] },
        ),
      ],
      [live("source", "kin", { type: "kafka", properties: { brokers: "k2:9092" } }, { owner: "fleet", id: "x" })],
      { project: "fleet" },
    );
    const text = renderPlanJson(plan);
    expect(text).not.toContain("hunter2");
    const change = (JSON.parse(text) as { changes: { patch: Operation[] }[] }).changes[0];
    expect(change?.patch).toContainEqual({ op: "replace", path: "/properties/password", value: "(secret)" });
    // A field whose secret changed has all its values scrubbed from free text, as in every rendering.
    expect(change?.patch.map((operation) => operation.path)).toEqual(["/properties/brokers", "/properties/password"]);
  });
});
