import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testId } from "./test-utils.js";

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
    await t.call(
      "POST",
      "/materialized_views",
      { name: "mv", query: "SELECT cid FROM tumble(fast, 5s)", target_stream: "totals" },
      { headers },
    );

    const topology = await t.call("GET", "/topology?db=default");
    expect(topology.body).toEqual({
      nodes: [
        {
          id: "default.cars",
          name: "cars",
          type: "stream",
          db: "default",
          properties: { description: "raw", mode: "append" },
          ownership: owner,
        },
        {
          id: "default.fast",
          name: "fast",
          type: "view",
          db: "default",
          properties: { description: "", query: "SELECT cid FROM cars" },
          ownership: owner,
        },
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
        {
          id: "default.totals",
          name: "totals",
          type: "stream",
          db: "default",
          properties: { description: "", mode: "append" },
          ownership: owner,
        },
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

  it("adds sources, sinks, alerts and external objects, and extra resources only on request", async () => {
    const owner = { id: "anonymous", name: "anonymous" };
    await t.call("POST", "/streams", { name: "cars", columns: [{ name: "cid", type: "string" }] });
    await t.call("POST", "/schemas", { name: "proto", type: "Protobuf", content: "message Car { string cid = 1; }" });
    const kafka = [
      { key: "type", value: "kafka" },
      { key: "brokers", value: "b:9092" },
      { key: "topic", value: "t" },
      { key: "format_schema", value: "proto:Car" },
    ];
    await t.call("POST", "/external_streams", { name: "ext", settings: kafka, columns: [{ name: "cid", type: "string" }] });
    await t.call("POST", "/external_tables", {
      name: "ch",
      settings: [
        { key: "type", value: "clickhouse" },
        { key: "address", value: "a" },
      ],
    });
    await t.call("POST", "/udfs", {
      name: "up",
      type: "javascript",
      return_type: "string",
      arguments: [{ name: "s", type: "string" }],
      source: "x",
    });
    await t.call("POST", "/sources", { name: "gen", stream: "cars", type: "stream_generator", properties: { template: "iot" } });
    await t.call("POST", "/sinks", { name: "out", type: "kafka", query: "SELECT up(cid) FROM cars JOIN ch USING (cid)", properties: {} });
    await t.call("POST", "/alerts", { name: "a", severity: 1, action: "http", trigger_sql: "SELECT cid FROM ext" });
    await t.call("POST", "/dashboards", { name: "d", panels: [{ id: "p", viz_type: "chart", viz_content: "SELECT * FROM cars" }] });
    await t.call("POST", "/savedqueries", { name: "q", sql: "SELECT * FROM ext" });

    const plain = await t.call("GET", "/topology");
    expect(plain.body).toEqual({
      nodes: [
        {
          id: testId(1),
          name: "gen",
          type: "source",
          db: "default",
          properties: { description: "", type: "stream_generator", stream: "cars", status: "running" },
          ownership: owner,
        },
        {
          id: testId(2),
          name: "out",
          type: "sink",
          db: "default",
          properties: { description: "", type: "kafka", query: "SELECT up(cid) FROM cars JOIN ch USING (cid)", status: "running" },
          ownership: owner,
        },
        {
          id: testId(3),
          name: "a",
          type: "alert",
          db: "default",
          properties: { description: "", action: "http", severity: 1, status: "running" },
          ownership: owner,
        },
        {
          id: "default.cars",
          name: "cars",
          type: "stream",
          db: "default",
          properties: { description: "", mode: "append" },
          ownership: owner,
        },
        {
          id: "default.ch",
          name: "ch",
          type: "external_table",
          db: "default",
          properties: { description: "", type: "clickhouse" },
          ownership: owner,
        },
        {
          id: "default.ext",
          name: "ext",
          type: "external_stream",
          db: "default",
          properties: { description: "", type: "kafka" },
          ownership: owner,
        },
      ],
      edges: [
        { source: testId(1), target: "default.cars" },
        { source: "default.cars", target: testId(2) },
        { source: "default.ch", target: testId(2) },
        { source: "default.ext", target: testId(3) },
      ],
      dependencies: [
        { source: testId(1), target: "default.cars" },
        { source: testId(2), target: "default.cars" },
        { source: testId(2), target: "default.ch" },
        { source: testId(3), target: "default.ext" },
      ],
    });

    const extra = (await t.call("GET", "/topology?extraResources=dashboard,schema&extraResources=udf,saved_query")).body as {
      nodes: { id: string; type: string }[];
      edges: unknown[];
      dependencies: unknown[];
    };
    expect(extra.nodes.map((node) => [node.id, node.type])).toEqual([
      [testId(1), "source"],
      [testId(2), "sink"],
      [testId(3), "alert"],
      [testId(4), "dashboard"],
      [testId(5), "saved_query"],
      ["default.cars", "stream"],
      ["default.ch", "external_table"],
      ["default.ext", "external_stream"],
      ["schema:proto", "schema"],
      ["udf:up", "udf"],
    ]);
    expect(extra.edges).toEqual(
      expect.arrayContaining([
        { source: "default.cars", target: testId(4) },
        { source: "default.ext", target: testId(5) },
        { source: "schema:proto", target: "default.ext" },
        { source: "udf:up", target: testId(2) },
      ]),
    );
    expect(extra.edges).toHaveLength(8);
    expect(extra.dependencies).toEqual(
      expect.arrayContaining([
        { source: "default.ext", target: "schema:proto" },
        { source: testId(2), target: "udf:up" },
      ]),
    );
    expect(extra.dependencies).toHaveLength(8);

    expect(await t.call("GET", "/topology?extraResources=dictionary")).toMatchObject({
      status: 400,
      body: {
        code: 400,
        message:
          'invalid query parameter extraResources: unknown resource type "dictionary"; supported: dashboard, udf, saved_query, schema',
        system: "neutron",
      },
    });
  });
});
