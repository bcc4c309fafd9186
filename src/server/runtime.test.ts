import { describe, expect, it } from "vitest";
import { CARS_STREAM, serverPerTest, testId } from "./test-utils.js";

const t = serverPerTest(async (server) => {
  await server.call("POST", "/streams", CARS_STREAM);
  await server.call("POST", "/streams", { name: "logs", columns: [{ name: "raw", type: "string" }] });
});

const TEXT = { headers: { "content-type": "application/json" } };

describe("ingest", () => {
  it("takes every documented format and counts rows and bytes per stream", async () => {
    const compact = JSON.stringify({
      columns: ["cid", "speed_kmh"],
      data: [
        ["c1", 1],
        ["c2", 2],
      ],
    });
    expect(await t.call("POST", "/streams/cars/ingest", undefined, { raw: compact })).toMatchObject({ status: 200 });
    const ndjson = '{"cid":"c3","speed_kmh":3}\n{"cid":"c4","speed_kmh":4}\n';
    expect(await t.call("POST", "/streams/cars/ingest?format=streaming", undefined, { raw: ndjson, ...TEXT })).toMatchObject({
      status: 200,
    });
    const nd = { headers: { "content-type": "application/json;format=streaming" }, raw: '{"cid":"c5"}' };
    expect(await t.call("POST", "/streams/cars/ingest", undefined, nd)).toMatchObject({ status: 200 });
    const stats = await t.call("GET", "/streams/cars/stats");
    expect(stats).toMatchObject({ status: 200, body: { row_count: 5, read_bps: 0, history: [] } });
    const bytes = Buffer.byteLength(compact) + Buffer.byteLength(ndjson) + Buffer.byteLength('{"cid":"c5"}');
    expect(stats.body).toMatchObject({
      streaming_data_bytes: bytes,
      historical_data_bytes: bytes,
      earliest_event: expect.stringMatching(/^\d{4}-/),
    });

    const lines = { headers: { "content-type": "text/plain;format=lines" }, raw: "a\nb\nc" };
    expect(await t.call("POST", "/streams/logs/ingest", undefined, lines)).toMatchObject({ status: 200 });
    expect(
      await t.call("POST", "/streams/logs/ingest", undefined, { headers: { "content-type": "text/plain" }, raw: "one blob\nof text" }),
    ).toMatchObject({ status: 200 });
    // The Python SDK sends a lines payload with ?format=lines and a JSON content type.
    expect(await t.call("POST", "/streams/logs/ingest?format=lines", undefined, { raw: "x\ny", ...TEXT })).toMatchObject({ status: 200 });
    expect((await t.call("GET", "/streams/logs/stats")).body).toMatchObject({ row_count: 6 });
    // Counts are not configuration: GET of the stream does not show them.
    expect((await t.call("GET", "/streams/cars")).body).not.toHaveProperty("_ingest");
  });

  it("refuses what the engine refuses, counting nothing", async () => {
    expect(await t.call("POST", "/streams/nope/ingest", { columns: ["a"], data: [] })).toMatchObject({ status: 404, body: { code: 60 } });
    expect(await t.call("POST", "/streams/cars/ingest", { columns: ["colour"], data: [["red"]] })).toMatchObject({
      status: 400,
      body: { code: 47 },
    });
    expect(await t.call("POST", "/streams/cars/ingest", { columns: ["cid"], data: [["a", "b"]] })).toMatchObject({
      status: 400,
      body: { code: 400 },
    });
    expect(await t.call("POST", "/streams/cars/ingest?format=streaming", undefined, { raw: "not json", ...TEXT })).toMatchObject({
      status: 400,
    });
    expect(await t.call("POST", "/streams/cars/ingest?format=lines", undefined, { raw: "a", ...TEXT })).toMatchObject({
      status: 400,
      body: { code: 47 },
    });
    expect(await t.call("POST", "/streams/cars/ingest?format=csv", { columns: ["cid"], data: [] })).toMatchObject({ status: 400 });
    expect((await t.call("GET", "/streams/cars/stats")).body).toMatchObject({ row_count: 0, earliest_event: "" });
  });
});

describe("stats", () => {
  it("answers for streams, views, MVs, sources and sinks in the seed's shapes", async () => {
    await t.call("POST", "/views", { name: "v", query: "SELECT cid FROM cars" });
    await t.call("POST", "/sources", { name: "gen", type: "stream_generator", stream: "cars", properties: {} });
    await t.call("POST", "/sinks", { name: "out", type: "http", query: "SELECT cid FROM cars", properties: { url: "u" } });
    expect((await t.call("GET", "/views/v/stats?historyDays=1")).body).toMatchObject({ row_count: 0, nodes: [] });
    expect(await t.call("GET", "/streams/cars/stats?historyDays=9")).toMatchObject({ status: 400 });
    expect(await t.call("GET", "/views/nope/stats")).toMatchObject({ status: 404, body: { code: 60 } });
    const ranges = "?error_log_time_range=1d&metrics_time_range=10m";
    expect((await t.call("GET", `/sources/${testId(1)}/stats${ranges}`)).body).toEqual({
      errors: [],
      failure_count: 0,
      success_count: 0,
      throughput: [],
    });
    expect((await t.call("GET", `/sinks/${testId(2)}/stats${ranges}`)).body).toMatchObject({
      failure_count: 0,
      success_count: 0,
      row_count: 0,
      nodes: [],
    });
    expect(await t.call("GET", `/sinks/${testId(2)}/stats`)).toMatchObject({ status: 400 });
    expect(await t.call("GET", `/sinks/nope/stats${ranges}`)).toMatchObject({ status: 404 });
  });
});

describe("SQL helpers", () => {
  it("analyses a query against the workspace (sqlanalyze)", async () => {
    const analysis = await t.call("POST", "/sqlanalyze", { sql: "SELECT cid, count() FROM cars GROUP BY cid" });
    expect(analysis).toMatchObject({
      status: 200,
      body: {
        has_aggr: true,
        is_streaming: true,
        group_by_columns: ["cid"],
        required_columns: [{ column: "cid", column_type: "string", database: "default", is_view: false, table: "cars" }],
        result_columns: [
          { column: "cid", column_type: "string" },
          { column: "count()", column_type: "uint64" },
        ],
      },
    });
    expect(await t.call("POST", "/sqlanalyze", { sql: "SELECT * FROM nope" })).toMatchObject({ status: 400, body: { code: 60 } });
    expect(await t.call("POST", "/sqlanalyze", { sql: "SELECT (" })).toMatchObject({ status: 400, body: { code: 62 } });
  });

  it("formats a query (format)", async () => {
    expect(await t.call("POST", "/format", { sql: "select cid from cars where speed_kmh > 1" })).toEqual(
      expect.objectContaining({ status: 200, body: { sql: "SELECT cid\nFROM cars\nWHERE speed_kmh > 1" } }),
    );
    expect(await t.call("POST", "/format", { sql: "select 'x" })).toMatchObject({ status: 400, body: { code: 62 } });
  });

  it("previews a stream_generator source, and says why it cannot preview others (501)", async () => {
    const preview = await t.call("POST", "/source/preview", { type: "stream_generator", properties: {}, size: 3, timeout: "1m" });
    expect(preview.status).toBe(200);
    expect(preview.body).toHaveLength(3);
    expect(await t.call("POST", "/source/preview", { type: "kafka", properties: {} })).toMatchObject({ status: 501, body: { code: 501 } });
    expect(await t.call("POST", "/source/preview", { type: "ftp" })).toMatchObject({ status: 400 });
  });

  it("answers the query endpoints with 501 and a sentence, not an unknown route", async () => {
    for (const [method, path] of [
      ["POST", "/queries"],
      ["GET", "/queries"],
      ["GET", "/queries/q1"],
      ["POST", "/queries/q1/cancel"],
    ] as const) {
      const response = await t.call(method, path, method === "POST" ? { sql: "SELECT 1" } : undefined);
      expect(response).toMatchObject({
        status: 501,
        body: { code: 501, system: "neutron", message: expect.stringContaining("does not run queries") },
      });
    }
  });
});
