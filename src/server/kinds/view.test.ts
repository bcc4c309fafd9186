import { describe, expect, it } from "vitest";
import { AUDIT, CARS_STREAM, serverPerTest } from "../test-utils.js";

const t = serverPerTest((server) => server.call("POST", "/streams", CARS_STREAM));

const FAST_QUERY = "select cid, speed_kmh   FROM cars WHERE speed_kmh > 100 -- fast";

describe("views", () => {
  it("creates a view and reads it back with derived columns and the query exactly as sent", async () => {
    const expected = {
      id: "fast",
      name: "fast",
      description: "",
      query: FAST_QUERY,
      materialized: false,
      target_stream: "",
      columns: [
        { name: "cid", type: "string", default: "", codec: "", nullable: false },
        { name: "speed_kmh", type: "float32", default: "", codec: "", nullable: false },
      ],
      logstore_retention_bytes: -1,
      logstore_retention_ms: -1,
      ttl: "",
      ttl_expression: "",
      ...AUDIT,
    };
    expect(await t.call("POST", "/views", { name: "fast", query: FAST_QUERY })).toEqual(
      expect.objectContaining({ status: 201, body: expected }),
    );
    expect((await t.call("GET", "/views/fast")).body).toEqual(expected);
    expect((await t.call("GET", "/views")).body).toEqual([expected]);
  });

  it("lists plain views and materialized views together, by name", async () => {
    await t.call("POST", "/views", { name: "b_view", query: "SELECT * FROM cars" });
    await t.call("POST", "/views", { name: "a_mv", query: "SELECT cid FROM cars", materialized: true });
    await t.call("POST", "/materialized_views", { name: "c_mv", query: "SELECT cid FROM cars" });
    const list = (await t.call("GET", "/views")).body as { name: string; materialized: boolean }[];
    expect(list.map(({ name, materialized }) => [name, materialized])).toEqual([
      ["a_mv", true],
      ["b_view", false],
      ["c_mv", true],
    ]);
    const mvs = (await t.call("GET", "/materialized_views")).body as { name: string }[];
    expect(mvs.map(({ name }) => name)).toEqual(["a_mv", "c_mv"]);
  });

  it("creates an MV through /views with materialized: true and shows it in the View shape", async () => {
    await t.call("POST", "/streams", { name: "fast_cars", columns: [{ name: "cid", type: "string" }] });
    const created = await t.call("POST", "/views", {
      name: "mv",
      query: "SELECT cid FROM cars",
      materialized: true,
      target_stream: "fast_cars",
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        id: "mv",
        materialized: true,
        target_stream: "fast_cars",
        logstore_retention_bytes: -1,
        logstore_retention_ms: -1,
        ttl: "to_datetime(_tp_time) + INTERVAL 1 DAY",
        ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      },
    });
    expect((await t.call("GET", "/materialized_views/mv")).status).toBe(200);
  });

  it("patches description and query with 204 and re-derives the columns", async () => {
    await t.call("POST", "/views", { name: "fast", query: FAST_QUERY });
    const patched = await t.call("PATCH", "/views/fast", { description: "quick", query: "SELECT count() AS n FROM cars" });
    expect(patched).toMatchObject({ status: 204, body: undefined });
    expect((await t.call("GET", "/views/fast")).body).toMatchObject({
      description: "quick",
      query: "SELECT count() AS n FROM cars",
      columns: [{ name: "n", type: "uint64", default: "", codec: "", nullable: false }],
    });
  });

  it("refuses retention, TTL and target_stream on a plain view with 36", async () => {
    expect(await t.call("POST", "/views", { name: "v", query: "SELECT 1", target_stream: "cars" })).toMatchObject({
      status: 400,
      body: { code: 36, message: "target_stream is only applicable to a materialized view (materialized: true)", system: "proton" },
    });
    expect(await t.call("POST", "/views", { name: "v", query: "SELECT 1", logstore_retention_ms: 5 })).toMatchObject({
      status: 400,
      body: { code: 36, message: "logstore_retention_ms only apply to a materialized view" },
    });
    await t.call("POST", "/views", { name: "v", query: "SELECT 1" });
    expect(await t.call("PATCH", "/views/v", { ttl_expression: "x" })).toMatchObject({ status: 400, body: { code: 36 } });
  });

  it("refuses a query that reads a stream that does not exist with 400 / 60", async () => {
    expect(await t.call("POST", "/views", { name: "v", query: "SELECT * FROM cars JOIN nowhere USING (cid)" })).toMatchObject({
      status: 400,
      body: { code: 60, message: "stream 'nowhere' doesn't exist", system: "proton" },
    });
    await t.call("POST", "/views", { name: "v", query: "SELECT 1" });
    expect(await t.call("PATCH", "/views/v", { query: "SELECT * FROM nowhere" })).toMatchObject({ status: 400, body: { code: 60 } });
    expect((await t.call("GET", "/views/v")).body).toMatchObject({ query: "SELECT 1" });
  });

  it("refuses malformed SQL with 62", async () => {
    for (const query of ["SELECT 'oops FROM cars", "SELECT count( FROM cars", "cars"]) {
      expect(await t.call("POST", "/views", { name: "v", query })).toMatchObject({ status: 400, body: { code: 62, system: "proton" } });
    }
    expect((await t.call("GET", "/views")).body).toEqual([]);
  });

  it("refuses a view that would read itself", async () => {
    await t.call("POST", "/views", { name: "a", query: "SELECT * FROM cars" });
    await t.call("POST", "/views", { name: "b", query: "SELECT * FROM a" });
    expect(await t.call("PATCH", "/views/a", { query: "SELECT * FROM b" })).toMatchObject({
      status: 400,
      body: { code: 36, message: "view 'a' would read itself through its query" },
    });
  });

  it("refuses to drop a view another view reads (630) and drops it once the reader is gone", async () => {
    await t.call("POST", "/views", { name: "a", query: "SELECT * FROM cars" });
    await t.call("POST", "/views", { name: "b", query: "SELECT * FROM a" });
    expect(await t.call("DELETE", "/views/a")).toMatchObject({
      status: 400,
      body: { code: 630, message: "Cannot drop view 'a' because other objects depend on it: view 'b'. Drop them first", system: "proton" },
    });
    expect(await t.call("DELETE", "/streams/cars")).toMatchObject({ status: 400, body: { code: 630 } });
    expect((await t.call("GET", "/streams/cars")).status).toBe(200);
    expect((await t.call("DELETE", "/views/b")).status).toBe(204);
    expect((await t.call("DELETE", "/views/a")).status).toBe(204);
    expect((await t.call("DELETE", "/streams/cars")).status).toBe(204);
  });

  it("answers 404 / 60 for a view that does not exist, and for a stream's name", async () => {
    const missing = (name: string) => ({ status: 404, body: { code: 60, message: `view '${name}' doesn't exist`, system: "proton" } });
    expect(await t.call("GET", "/views/nope")).toMatchObject(missing("nope"));
    expect(await t.call("PATCH", "/views/nope", { description: "x" })).toMatchObject(missing("nope"));
    expect(await t.call("DELETE", "/views/cars")).toMatchObject(missing("cars"));
  });

  it("ignores unknown fields, refuses a missing query and a rename", async () => {
    expect(
      await t.call("POST", "/views", { name: "u", query: "SELECT 1", columns: [], materialized: false, target_stream: "" }),
    ).toMatchObject({
      status: 201,
    });
    expect(await t.call("POST", "/views", { name: "v" })).toMatchObject({
      status: 400,
      body: { code: 400, message: 'invalid request body: field "query" is required', system: "neutron" },
    });
    await t.call("POST", "/views", { name: "v", query: "SELECT 1" });
    expect(await t.call("PATCH", "/views/v", { name: "w" })).toMatchObject({ status: 400, body: { code: 400, system: "neutron" } });
    expect(await t.call("PATCH", "/views/v", { materialized: true })).toMatchObject({
      status: 400,
      body: { code: 400, system: "neutron" },
    });
    // The Terraform provider's view update: name and materialized beside the new description.
    expect(await t.call("PATCH", "/views/v", { name: "v", description: "d", query: "SELECT 1", materialized: false })).toMatchObject({
      status: 204,
    });
    expect((await t.call("GET", "/views/v")).body).toMatchObject({ description: "d" });
  });
});
