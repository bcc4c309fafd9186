import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-utils.js";

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

describe("GET /topology", () => {
  it("is empty for an empty workspace", async () => {
    expect(await t.call("GET", "/topology")).toMatchObject({ status: 200, body: { nodes: [], edges: [], dependencies: [] } });
  });

  it("shows data flow as edges and who-depends-on-whom as dependencies", async () => {
    const owner = { id: "alice", name: "alice" };
    const headers = { authorization: `Basic ${Buffer.from("alice:secret").toString("base64")}` };
    const columns = [{ name: "cid", type: "string" }];
    await t.call("POST", "/streams", { name: "cars", columns, description: "raw" }, { headers });
    await t.call("POST", "/streams", { name: "totals", columns }, { headers });
    await t.call("POST", "/views", { name: "fast", query: "SELECT cid FROM cars" }, { headers });
    await t.call("POST", "/views", { name: "faster", query: "SELECT f.cid FROM fast AS f JOIN cars USING (cid)" }, { headers });
    await t.call("POST", "/materialized_views", { name: "mv", query: "SELECT cid FROM tumble(fast, 5s)", target_stream: "totals" }, { headers });

    const topology = await t.call("GET", "/topology?db=default");
    expect(topology.body).toEqual({
      nodes: [
        { id: "default.cars", name: "cars", type: "stream", db: "default", properties: { description: "raw", mode: "append" }, ownership: owner },
        { id: "default.fast", name: "fast", type: "view", db: "default", properties: { description: "", query: "SELECT cid FROM cars" }, ownership: owner },
        {
          id: "default.faster",
          name: "faster",
          type: "view",
          db: "default",
          properties: { description: "", query: "SELECT f.cid FROM fast AS f JOIN cars USING (cid)" },
          ownership: owner,
        },
        {
          id: "default.mv",
          name: "mv",
          type: "materialized_view",
          db: "default",
          properties: { description: "", query: "SELECT cid FROM tumble(fast, 5s)", target_stream: "totals" },
          ownership: owner,
        },
        { id: "default.totals", name: "totals", type: "stream", db: "default", properties: { description: "", mode: "append" }, ownership: owner },
      ],
      edges: [
        { source: "default.cars", target: "default.fast" },
        { source: "default.cars", target: "default.faster" },
        { source: "default.fast", target: "default.faster" },
        { source: "default.fast", target: "default.mv" },
        { source: "default.mv", target: "default.totals" },
      ],
      dependencies: [
        { source: "default.fast", target: "default.cars" },
        { source: "default.faster", target: "default.cars" },
        { source: "default.faster", target: "default.fast" },
        { source: "default.mv", target: "default.fast" },
        { source: "default.mv", target: "default.totals" },
      ],
    });
  });
});
