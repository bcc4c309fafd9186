import { afterEach, describe, expect, it } from "vitest";
import { CARS_STREAM, startTestServer, type TestServer } from "../test-utils.js";
import type { Profile } from "./profile.js";

/** In-process HTTP tests of `POST /exec` and of the engine's SQL interface at `/`, per profile. */
let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function serve(options: { profile?: Profile; username?: string; password?: string } = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

async function engine(server: TestServer, sql: string, init: { headers?: Record<string, string>; method?: string; query?: string } = {}) {
  const url = new URL(server.server.url);
  if (init.query !== undefined) url.searchParams.set("query", init.query);
  const response = await fetch(url, {
    method: init.method ?? "POST",
    headers: { "content-type": "text/plain; charset=utf-8", ...init.headers },
    ...((init.method ?? "POST") === "POST" ? { body: sql } : {}),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const exec = (server: TestServer, sql: string, type: "ddl" | "historical") => server.call("POST", "/exec", { sql, type });

describe("POST /exec", () => {
  it("runs DDL (204) and answers reads as {columns, data}", async () => {
    const server = await serve();
    expect((await exec(server, "CREATE STREAM cars(cid string, speed float32) COMMENT 'fast'", "ddl")).status).toBe(204);
    const read = await exec(server, "SELECT name, engine, comment FROM system.tables WHERE name = 'cars'", "historical");
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      columns: [
        { name: "name", type: "string" },
        { name: "engine", type: "string" },
        { name: "comment", type: "string" },
      ],
      data: [["cars", "Stream", "fast"]],
    });
  });

  it("answers engine refusals with the engine's code and system timeplusd", async () => {
    const server = await serve();
    await exec(server, "CREATE STREAM s(a int)", "ddl");
    const exists = await exec(server, "CREATE STREAM s(a int)", "ddl");
    expect(exists.status).toBe(400);
    expect(exists.body).toEqual({ code: 57, message: "Stream default.s already exists", system: "proton" });
    expect((await exec(server, "CREATE STREAM t(a int); DROP STREAM s", "ddl")).body).toMatchObject({
      code: 62,
      message: expect.stringContaining("Multi-statements are not allowed"),
    });
    expect((await server.call("POST", "/exec", { sql: "SELECT 1" })).status).toBe(400);
  });

  it("ignores fields of an /exec body it does not know, as the Go appserver does", async () => {
    const server = await serve();
    const answer = await server.call("POST", "/exec", { sql: "SELECT 1 AS one", type: "historical", database: "default", trace: true });
    expect(answer).toMatchObject({ status: 200, body: { data: [[1]] } });
  });

  it("shares the catalog with REST both ways", async () => {
    const server = await serve();
    expect((await server.call("POST", "/streams", CARS_STREAM)).status).toBe(201);
    const shown = await exec(server, "SHOW CREATE STREAM cars", "historical");
    expect((shown.body as { data: string[][] }).data[0]?.[0]).toContain(
      "CREATE STREAM default.cars\n(\n  `cid` string,\n  `speed_kmh` float32,",
    );
    await exec(
      server,
      "CREATE STREAM trips(id string, km float64 DEFAULT 0) SETTINGS logstore_retention_ms = 60000 COMMENT 'owner'",
      "ddl",
    );
    const got = await server.call("GET", "/streams/trips");
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name: "trips", description: "owner", engine: "Stream", mode: "append", logstore_retention_ms: 60000 });
    expect(got.body).not.toHaveProperty("sql");
    await exec(server, "CREATE MATERIALIZED VIEW mv INTO trips AS SELECT cid AS id, speed_kmh AS km FROM cars", "ddl");
    const topology = (await server.call("GET", "/topology")).body as { nodes: { name: string }[] };
    expect(topology.nodes.map((node) => node.name).sort()).toEqual(["cars", "mv", "trips"]);
    expect((await server.call("DELETE", "/streams/trips")).body).toMatchObject({ code: 630 });
    // A REST update of a DDL-created stream shows in SHOW CREATE.
    expect((await server.call("PATCH", "/streams/trips", { logstore_retention_ms: 120000, description: "patched" })).status).toBe(200);
    const after = ((await exec(server, "SHOW CREATE trips", "historical")).body as { data: string[][] }).data[0]?.[0];
    expect(after).toContain("SETTINGS logstore_retention_ms = 120000, index_granularity = 8192\nCOMMENT 'patched'");
  });
});

describe("the engine's SQL HTTP interface", () => {
  it("takes one statement in the POST body and answers reads in the format asked for", async () => {
    const server = await serve();
    expect(await engine(server, "CREATE STREAM s(a int)")).toMatchObject({ status: 200, text: "" });
    const tsv = await engine(server, "SHOW CREATE s");
    expect(tsv.text.startsWith("CREATE STREAM default.s\\n(\\n  `a` int32,")).toBe(true);
    const json = await engine(server, "SELECT name, engine FROM system.tables FORMAT JSON");
    expect(JSON.parse(json.text)).toMatchObject({
      meta: [
        { name: "name", type: "string" },
        { name: "engine", type: "string" },
      ],
      data: [{ name: "s", engine: "Stream" }],
      rows: 1,
    });
    const each = await engine(server, "", { query: "SELECT version()", headers: { "x-timeplus-format": "JSONEachRow" } });
    expect(each.text).toBe('{"version()":"3.0.0-tpctl"}\n');
  });

  it("refuses with the exception-code header and a Code: N. DB::Exception body", async () => {
    const server = await serve();
    await engine(server, "CREATE STREAM s(a int)");
    const exists = await engine(server, "CREATE STREAM s(a int)");
    expect(exists.status).toBe(500);
    expect(exists.headers.get("x-timeplus-exception-code")).toBe("57");
    expect(exists.text).toBe("Code: 57. DB::Exception: Stream default.s already exists. (STREAM_ALREADY_EXISTS) (version 3.0.0-tpctl)\n");
    const missing = await engine(server, "DROP STREAM nope");
    expect([missing.status, missing.headers.get("x-timeplus-exception-code")]).toEqual([404, "60"]);
    const syntax = await engine(server, "SELECT 1; SELECT 2");
    expect([syntax.status, syntax.headers.get("x-timeplus-exception-code")]).toEqual([400, "62"]);
    const unsupported = await engine(server, "ALTER STREAM s DROP COLUMN a");
    expect([unsupported.status, unsupported.headers.get("x-timeplus-exception-code")]).toEqual([501, "48"]);
    const readonly = await engine(server, "", { method: "GET", query: "DROP STREAM s" });
    expect(readonly.headers.get("x-timeplus-exception-code")).toBe("164");
  });

  it("checks x-timeplus-user/x-timeplus-key or Basic credentials, and refuses mixing them", async () => {
    const server = await serve({ username: "admin", password: "secret-pass" });
    expect((await engine(server, "SELECT 1")).headers.get("x-timeplus-exception-code")).toBe("516");
    expect((await engine(server, "SELECT 1", { headers: { "x-timeplus-user": "admin", "x-timeplus-key": "secret-pass" } })).status).toBe(
      200,
    );
    const basic = `Basic ${Buffer.from("admin:secret-pass").toString("base64")}`;
    expect((await engine(server, "SELECT 1", { headers: { authorization: basic } })).status).toBe(200);
    const mixed = await engine(server, "SELECT 1", { headers: { authorization: basic, "x-timeplus-user": "admin" } });
    expect([mixed.status, mixed.headers.get("x-timeplus-exception-code")]).toEqual([403, "516"]);
    const wrong = await engine(server, "SELECT 1", { headers: { "x-timeplus-user": "admin", "x-timeplus-key": "nope" } });
    expect(wrong.text).not.toContain("secret-pass");
  });
});

describe("profiles", () => {
  it("2024 serves the seed's REST API only", async () => {
    const server = await serve({ profile: "2024" });
    expect((await server.call("POST", "/streams", CARS_STREAM)).status).toBe(201);
    expect((await exec(server, "SELECT 1", "historical")).status).toBe(404);
    expect((await engine(server, "SELECT 1")).status).toBe(404);
  });

  it("2026 serves /exec and REST reads, and no REST create or update of engine objects", async () => {
    const server = await serve({ profile: "2026" });
    // The path stays (GET, DELETE), so the method is what is missing: 405, with the Allow header.
    const created = await server.call("POST", "/streams", CARS_STREAM);
    expect([created.status, created.headers.get("allow")]).toEqual([405, "GET"]);
    expect((await exec(server, "CREATE STREAM cars(cid string)", "ddl")).status).toBe(204);
    expect((await server.call("GET", "/streams")).body).toMatchObject([{ name: "cars" }]);
    expect((await server.call("PATCH", "/streams/cars", { description: "x" })).status).toBe(405);
    expect((await server.call("DELETE", "/streams/cars")).status).toBe(204);
    expect((await server.call("GET", "/dashboards")).status).toBe(200);
    expect((await engine(server, "SELECT 1")).status).toBe(404);
  });

  it("engine serves only the SQL interface", async () => {
    const server = await serve({ profile: "engine" });
    expect((await engine(server, "SELECT version()")).text).toBe("3.0.0-tpctl\n");
    expect((await server.call("GET", "/streams")).status).toBe(404);
    expect((await exec(server, "SELECT 1", "historical")).status).toBe(404);
    expect((await server.get("/timeplusd/ping")).body).toEqual({ status: "UP" });
  });
});

describe("one catalog for REST and SQL, every engine kind", () => {
  it("prints what REST created with SHOW CREATE", async () => {
    const server = await serve();
    const post = async (path: string, body: unknown) => expect((await server.call("POST", path, body)).status).toBe(201);
    await post("/streams", {
      name: "s",
      columns: [{ name: "id", type: "int", codec: "ZSTD(1)" }],
      mode: "versioned_kv",
      primary_key: "id",
      description: "d",
    });
    await post("/views", { name: "v", query: "SELECT id FROM s" });
    await post("/materialized_views", { name: "mv", query: "SELECT id FROM s", target_stream: "s" });
    await post("/external_streams", {
      name: "e",
      settings: [
        { key: "type", value: "kafka" },
        { key: "brokers", value: "b:9092" },
        { key: "topic", value: "t" },
      ],
      columns: [{ name: "raw", type: "string" }],
    });
    await post("/external_tables", {
      name: "ch",
      settings: [
        { key: "type", value: "clickhouse" },
        { key: "address", value: "c:9000" },
      ],
    });
    await post("/udfs", {
      name: "f",
      type: "javascript",
      arguments: [{ name: "x", type: "float32" }],
      return_type: "float32",
      source: "function f(x) { return x; }",
    });
    await post("/schemas", { name: "p", type: "Protobuf", content: 'syntax = "proto3";' });
    const show = async (what: string): Promise<string> =>
      ((await exec(server, `SHOW CREATE ${what}`, "historical")).body as { data: string[][] }).data[0]?.[0] ?? "";
    expect(await show("s")).toBe(
      "CREATE STREAM default.s\n(\n  `id` int32 CODEC(ZSTD(1)),\n  `_tp_time` datetime64(3, 'UTC') DEFAULT now64(3, 'UTC') CODEC(DoubleDelta, LZ4),\n" +
        "  INDEX _tp_time_index _tp_time TYPE minmax GRANULARITY 256\n)\nPARTITION BY to_YYYYMMDD(_tp_time)\nPRIMARY KEY id\nORDER BY id\n" +
        "SETTINGS mode = 'versioned_kv', index_granularity = 8192\nCOMMENT 'd'",
    );
    expect(await show("v")).toBe("CREATE VIEW default.v AS\nSELECT id FROM s");
    expect(await show("mv")).toBe("CREATE MATERIALIZED VIEW default.mv INTO default.s AS\nSELECT id FROM s");
    expect(await show("e")).toBe(
      "CREATE EXTERNAL STREAM default.e\n(\n  `raw` string\n)\nSETTINGS type = 'kafka', brokers = 'b:9092', topic = 't'",
    );
    expect(await show("ch")).toBe("CREATE EXTERNAL TABLE default.ch\nSETTINGS type = 'clickhouse', address = 'c:9000'");
    expect(await show("FUNCTION f")).toBe(
      "CREATE FUNCTION f(x float32) RETURNS float32 LANGUAGE JAVASCRIPT AS $$function f(x) { return x; }$$",
    );
    expect(await show("FORMAT SCHEMA p")).toBe("CREATE FORMAT SCHEMA p AS 'syntax = \"proto3\";' TYPE Protobuf");
    const tables = (await exec(server, "SELECT name, engine FROM system.tables ORDER BY name", "historical")).body as { data: string[][] };
    expect(tables.data).toEqual([
      ["ch", "ExternalTable"],
      ["e", "ExternalStream"],
      ["mv", "MaterializedView"],
      ["s", "Stream"],
      ["v", "View"],
    ]);
  });

  it("lists what DDL created on the REST endpoints, in their shapes", async () => {
    const server = await serve();
    for (const sql of [
      "CREATE FORMAT SCHEMA p AS 'syntax = \"proto3\";' TYPE Protobuf",
      "CREATE STREAM s (id int32, v string) COMMENT 'c'",
      "CREATE VIEW v AS SELECT id FROM s",
      "CREATE MATERIALIZED VIEW mv INTO s AS SELECT id, v FROM s",
      "CREATE EXTERNAL STREAM e (raw string) SETTINGS type = 'kafka', brokers = 'b:9092', topic = 't', password = 'hidden-pass'",
      "CREATE EXTERNAL TABLE ch SETTINGS type = 'clickhouse', address = 'c:9000'",
      "CREATE REMOTE FUNCTION g(ip string) RETURNS string URL 'https://x' AUTH_METHOD 'auth_header' AUTH_HEADER 'h' AUTH_KEY 'hidden-key'",
    ]) {
      expect([sql, (await exec(server, sql, "ddl")).status]).toEqual([sql, 204]);
    }
    expect((await server.call("GET", "/streams/s")).body).toMatchObject({
      name: "s",
      description: "c",
      columns: [{ name: "id", type: "int32" }, { name: "v", type: "string" }, { name: "_tp_time" }],
    });
    expect((await server.call("GET", "/views")).body).toMatchObject([
      { name: "mv", materialized: true, target_stream: "s" },
      { name: "v", materialized: false, query: "SELECT id FROM s" },
    ]);
    expect((await server.call("GET", "/materialized_views/mv")).body).toMatchObject({
      name: "mv",
      query: "SELECT id, v FROM s",
      target_stream: "s",
    });
    const external = await server.call("GET", "/external_streams/e");
    expect(external.body).toMatchObject({ name: "e", type: "kafka", columns: [{ name: "raw", type: "string" }] });
    expect(JSON.stringify(external.body)).not.toContain("hidden-pass");
    expect((await server.call("GET", "/external_tables/ch")).body).toMatchObject({ name: "ch", type: "clickhouse" });
    const udf = await server.call("GET", "/udfs/g");
    expect(udf.body).toMatchObject({
      name: "g",
      type: "remote",
      url: "https://x",
      auth_method: "auth_header",
      auth_context: { key_name: "h" },
      return_type: "string",
    });
    // The seed's UDF response documents auth_context.key_value, so REST returns it (docs/fidelity.md); tpctl drops it on read.
    expect(udf.body).toMatchObject({ auth_context: { key_value: "hidden-key" } });
    expect((await server.call("GET", "/schemas/p")).body).toMatchObject({ name: "p", type: "Protobuf", content: 'syntax = "proto3";' });
    // REST refuses what SQL objects depend on, too.
    expect((await server.call("DELETE", "/streams/s")).body).toMatchObject({ code: 630 });
  });
});
