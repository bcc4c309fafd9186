import { describe, expect, it } from "vitest";
import { AUDIT, CARS_STREAM, expectCreatedAndReadBack, serverPerTest } from "../test-utils.js";

const t = serverPerTest(async (server) => {
  await server.call("POST", "/streams", CARS_STREAM);
  await server.call("POST", "/streams", {
    name: "totals",
    columns: [
      { name: "cid", type: "string" },
      { name: "n", type: "uint64" },
    ],
  });
});

const TOTALS_MV = {
  name: "totals_mv",
  target_stream: "totals",
  query: "SELECT cid, count() AS n FROM tumble(cars, 5s) GROUP BY window_start, cid",
};

describe("materialized views", () => {
  it("creates an MV with 201 in the MaterializedView shape", async () => {
    const expected = {
      name: "totals_mv",
      description: "",
      query: TOTALS_MV.query,
      target_stream: "totals",
      columns: [
        { name: "cid", type: "string", default: "", codec: "", nullable: false },
        { name: "n", type: "uint64", default: "", codec: "", nullable: false },
      ],
      logstore_retention_bytes: -1,
      logstore_retention_ms: -1,
      ttl_expression: "",
      ...AUDIT,
    };
    await expectCreatedAndReadBack(t, "/materialized_views", "/materialized_views/totals_mv", TOTALS_MV, expected);
  });

  it("keeps given retention and an MV without a target", async () => {
    const created = await t.call("POST", "/materialized_views", {
      name: "own",
      query: "SELECT cid FROM cars",
      logstore_retention_bytes: 100,
      logstore_retention_ms: 200,
    });
    expect(created.body).toMatchObject({ target_stream: "", logstore_retention_bytes: 100, logstore_retention_ms: 200 });
  });

  it("needs an existing stream as target: 60 when missing, 36 for a view", async () => {
    expect(await t.call("POST", "/materialized_views", { ...TOTALS_MV, target_stream: "gone" })).toMatchObject({
      status: 400,
      body: { code: 60, message: "target stream 'gone' doesn't exist", system: "proton" },
    });
    await t.call("POST", "/views", { name: "v", query: "SELECT 1" });
    expect(await t.call("POST", "/materialized_views", { ...TOTALS_MV, target_stream: "v" })).toMatchObject({
      status: 400,
      body: { code: 36, message: "target_stream 'v' is a view; a materialized view can only write into a stream" },
    });
  });

  it("patches description, retention and TTL with 204 through either endpoint", async () => {
    await t.call("POST", "/materialized_views", TOTALS_MV);
    expect(await t.call("PATCH", "/materialized_views/totals_mv", { description: "d", logstore_retention_ms: 5 })).toMatchObject({
      status: 204,
    });
    expect(await t.call("PATCH", "/views/totals_mv", { ttl_expression: "t", query: TOTALS_MV.query })).toMatchObject({ status: 204 });
    expect((await t.call("GET", "/materialized_views/totals_mv")).body).toMatchObject({
      description: "d",
      logstore_retention_ms: 5,
      logstore_retention_bytes: -1,
      ttl_expression: "t",
    });
  });

  it("refuses a query change through either endpoint", async () => {
    await t.call("POST", "/materialized_views", TOTALS_MV);
    const refused = {
      status: 400,
      body: { code: 48, message: "Updating the query of a materialized view is not allowed", system: "proton" },
    };
    expect(await t.call("PATCH", "/materialized_views/totals_mv", { query: "SELECT 1" })).toMatchObject(refused);
    expect(await t.call("PATCH", "/views/totals_mv", { query: "SELECT 1", description: "x" })).toMatchObject(refused);
    expect((await t.call("GET", "/materialized_views/totals_mv")).body).toMatchObject({ description: "", query: TOTALS_MV.query });
  });

  it("protects its target stream and what it reads (630) until it is dropped", async () => {
    await t.call("POST", "/materialized_views", TOTALS_MV);
    expect(await t.call("DELETE", "/streams/totals")).toMatchObject({
      status: 400,
      body: {
        code: 630,
        message: "Cannot drop stream 'totals' because other objects depend on it: materialized view 'totals_mv'. Drop them first",
      },
    });
    expect(await t.call("DELETE", "/streams/cars")).toMatchObject({ status: 400, body: { code: 630 } });
    expect(await t.call("DELETE", "/materialized_views/totals_mv")).toMatchObject({ status: 204 });
    expect(await t.call("DELETE", "/streams/totals")).toMatchObject({ status: 204 });
    expect(await t.call("DELETE", "/streams/cars")).toMatchObject({ status: 204 });
  });

  it("drops an MV through /views too, but /materialized_views does not serve plain views", async () => {
    await t.call("POST", "/materialized_views", TOTALS_MV);
    await t.call("POST", "/views", { name: "plain", query: "SELECT 1" });
    expect(await t.call("GET", "/materialized_views/plain")).toMatchObject({
      status: 404,
      body: { code: 60, message: "materialized view 'plain' doesn't exist" },
    });
    expect(await t.call("DELETE", "/materialized_views/plain")).toMatchObject({ status: 404 });
    expect(await t.call("DELETE", "/views/totals_mv")).toMatchObject({ status: 204 });
    expect((await t.call("GET", "/materialized_views")).body).toEqual([]);
  });

  it("refuses a name any stream or view holds, a missing query and a target change", async () => {
    expect(await t.call("POST", "/materialized_views", { ...TOTALS_MV, name: "cars" })).toMatchObject({
      status: 400,
      body: { code: 57, message: "stream 'cars' exists" },
    });
    expect(await t.call("POST", "/materialized_views", { name: "x" })).toMatchObject({
      status: 400,
      body: { code: 400, message: 'invalid request body: field "query" is required' },
    });
    await t.call("POST", "/materialized_views", { ...TOTALS_MV, materialized: true, status: "running", colour: "red" });
    expect(await t.call("PATCH", "/materialized_views/totals_mv", { target_stream: "cars" })).toMatchObject({
      status: 400,
      body: { code: 48, system: "proton" },
    });
  });
});
