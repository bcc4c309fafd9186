import { describe, expect, it } from "vitest";
import { createNameResolver, dependenciesOf } from "./dependencies.js";
import { desired, live } from "../plan/test-utils.js";

describe("dependencies across databases", () => {
  it("resolves analytics.x to the object in analytics, and a bare or default.x name to default's", () => {
    const resources = [
      desired("database", "analytics"),
      desired("stream", "events"),
      desired("stream", "analytics.events", { name: "events" }),
      desired("view", "analytics.v", {
        name: "v",
        query: "SELECT * FROM analytics.events JOIN events USING (id) JOIN default.events USING (id)",
      }),
      desired("view", "w", { query: "SELECT * FROM analytics.missing" }),
    ];
    const deps = dependenciesOf(resources, createNameResolver(resources));
    expect(deps.get("view/analytics.v")).toEqual({
      dependsOn: ["database/analytics", "stream/analytics.events", "stream/events"],
      unresolved: [],
    });
    expect(deps.get("stream/analytics.events")?.dependsOn).toEqual(["database/analytics"]);
    expect(deps.get("stream/events")?.dependsOn).toEqual([]);
    expect(deps.get("view/w")?.unresolved).toEqual(["analytics.missing"]);
  });

  it("depends on a live database when the manifests do not declare it, and on none when there is no such resource", () => {
    const resources = [desired("stream", "analytics.events", { name: "events" }), desired("stream", "other.events", { name: "events" })];
    const deps = dependenciesOf(resources, createNameResolver(resources, [live("database", "analytics")]));
    expect(deps.get("stream/analytics.events")?.dependsOn).toEqual(["database/analytics"]);
    expect(deps.get("stream/other.events")?.dependsOn).toEqual([]);
  });
});
