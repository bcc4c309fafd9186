import { describe, expect, it } from "vitest";
import { ApiError, LiveStateError } from "../../errors.js";
import type { ApiCall, ApiResponse } from "../http.js";
import { readWorkspace, rejectAmbiguousNames } from "./read-workspace.js";

/** A client that answers from a table of paths, and records what it was asked. */
function fakeClient(answers: Record<string, unknown>) {
  const asked: string[] = [];
  return {
    asked,
    async request<T>(call: ApiCall): Promise<ApiResponse<T>> {
      asked.push(`${call.method} ${call.path}`);
      if (!(call.path in answers)) throw new ApiError({ method: call.method, path: call.path, status: 404 });
      return { status: 200, body: answers[call.path] as T };
    },
  };
}

const stream = { name: "cars", columns: [{ name: "cid", type: "string" }], description: "[tpctl:fleet]" };

describe("readWorkspace", () => {
  it("reads every kind with one list call each, plus the topology", async () => {
    const client = fakeClient({ "/streams": [stream], "/topology": { nodes: [], edges: [] } });
    const live = await readWorkspace(client, ["stream", "view", "sink"]);
    expect(live.map((resource) => [resource.address, resource.owner])).toEqual([["stream/cars", "fleet"]]);
    expect([...client.asked].sort()).toEqual(["GET /sinks", "GET /streams", "GET /topology", "GET /views"]);
  });

  it("refuses to guess between two live objects of an id kind with one name", async () => {
    const client = fakeClient({
      "/sinks": [
        { id: "a1", name: "out", type: "http", query: "SELECT 1" },
        { id: "b2", name: "out", type: "http", query: "SELECT 2" },
      ],
      "/topology": { nodes: [], edges: [] },
    });
    // Reading keeps both: only a plan that declares the name refuses it (plan/plan.ts); export refuses here.
    const live = await readWorkspace(client, ["sink"]);
    expect(live.map((resource) => resource.id)).toEqual(["a1", "b2"]);
    expect(() => rejectAmbiguousNames(live)).toThrow(LiveStateError);
    expect(() => rejectAmbiguousNames(live)).toThrow('the workspace holds two sinks named "out" (ids a1 and b2)');
  });

  it("finds materialized views through /views on a server older than /materialized_views", async () => {
    const client = fakeClient({
      "/views": [
        { name: "v", query: "SELECT * FROM cars", materialized: false },
        { name: "mv", query: "SELECT * FROM cars", materialized: true },
      ],
      "/streams": [stream],
    });
    const live = await readWorkspace(client, ["stream", "view", "materialized_view"]);
    expect(live.map((resource) => resource.address).sort()).toEqual(["materialized_view/mv", "stream/cars", "view/v"]);
  });
});
