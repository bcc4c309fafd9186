import { describe, expect, it } from "vitest";
import { AUDIT, serverPerTest } from "../test-utils.js";

const t = serverPerTest();

const CARS = {
  name: "cars",
  description: "live telemetry",
  columns: [
    { name: "cid", type: "string" },
    { name: "speed_kmh", type: "nullable(float32)", codec: "ZSTD(1)", default: "0" },
    { name: "note", type: "string", codec: "CODEC(LZ4)" },
  ],
  logstore_retention_ms: 86400000,
};

const TP_TIME = {
  name: "_tp_time",
  type: "datetime64(3, 'UTC')",
  default: "now64(3, 'UTC')",
  codec: "CODEC(DoubleDelta, LZ4)",
  nullable: false,
};

describe("streams", () => {
  it("creates a stream and reads it back normalised the way Timeplus does", async () => {
    const created = await t.call("POST", "/streams", CARS);
    const expected = {
      name: "cars",
      description: "live telemetry",
      engine: "Stream",
      is_external: false,
      mode: "append",
      primary_key: "",
      columns: [
        { name: "cid", type: "string", default: "", codec: "", nullable: false },
        { name: "speed_kmh", type: "nullable(float32)", default: "0", codec: "CODEC(ZSTD(1))", nullable: true },
        { name: "note", type: "string", default: "", codec: "CODEC(LZ4)", nullable: false },
        TP_TIME,
      ],
      logstore_retention_bytes: 0,
      logstore_retention_ms: 86400000,
      ttl: "",
      ttl_expression: "",
      ...AUDIT,
    };
    expect(created).toMatchObject({ status: 201, body: expected });
    expect(await t.call("GET", "/streams/cars")).toMatchObject({ status: 200, body: expected });
    expect((await t.call("GET", "/streams")).body).toEqual([expected]);
  });

  it("lists streams by name", async () => {
    for (const name of ["zeta", "alpha", "mid"]) await t.call("POST", "/streams", { name, columns: [{ name: "a", type: "int8" }] });
    const list = (await t.call("GET", "/streams")).body as { name: string }[];
    expect(list.map((stream) => stream.name)).toEqual(["alpha", "mid", "zeta"]);
  });

  it("keeps a declared _tp_time and applies event_time settings to the implicit one", async () => {
    const own = { name: "_tp_time", type: "datetime64(3)", default: "now64(3)" };
    const declared = await t.call("POST", "/streams", { name: "a", columns: [{ name: "x", type: "int8" }, own] });
    expect((declared.body as { columns: unknown[] }).columns).toEqual([
      { name: "x", type: "int8", default: "", codec: "", nullable: false },
      { ...own, codec: "", nullable: false },
    ]);
    const timed = await t.call("POST", "/streams", {
      name: "b",
      columns: [{ name: "ts", type: "datetime64(3)" }],
      event_time_column: "ts",
      event_time_timezone: "Europe/Berlin",
    });
    expect((timed.body as { columns: unknown[] }).columns).toContainEqual({
      ...TP_TIME,
      type: "datetime64(3, 'Europe/Berlin')",
      default: "ts",
    });
    expect(timed.body).not.toHaveProperty("event_time_column");
  });

  it("creates keyed and mutable streams with their primary key", async () => {
    const kv = await t.call("POST", "/streams", {
      name: "kv",
      mode: "versioned_kv",
      primary_key: "id",
      columns: [
        { name: "id", type: "string" },
        { name: "v", type: "int64" },
      ],
    });
    // Printed as the engine prints it: comma-separated, backtick-quoted.
    expect(kv.body).toMatchObject({ mode: "versioned_kv", primary_key: "`id`", engine: "Stream" });
    const mutable = await t.call("POST", "/streams", {
      name: "m",
      engine: "MutableStream",
      primary_key: "(id)",
      columns: [
        { name: "id", type: "string" },
        { name: "v", type: "int64" },
      ],
      column_families: [{ name: "f", columns: ["v"] }],
      secondary_indexes: [{ name: "by_v", columns: ["v"] }],
    });
    expect(mutable).toMatchObject({
      status: 201,
      body: {
        engine: "MutableStream",
        primary_key: "`id`",
        column_families: [{ name: "f", columns: ["v"] }],
        secondary_indexes: [{ name: "by_v", columns: ["v"], storing: [], unique: false }],
      },
    });
  });

  it("patches description, retention and TTL and answers 200 with the stream", async () => {
    await t.call("POST", "/streams", CARS);
    const patched = await t.call("PATCH", "/streams/cars", {
      description: "new",
      logstore_retention_bytes: 1024,
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 7 DAY",
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      description: "new",
      logstore_retention_bytes: 1024,
      logstore_retention_ms: 86400000,
      ttl: "to_datetime(_tp_time) + INTERVAL 7 DAY",
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 7 DAY",
    });
    expect((await t.call("GET", "/streams/cars")).body).toEqual(patched.body);
  });

  it("refuses to alter columns or mode with 48 NOT_IMPLEMENTED and changes nothing", async () => {
    await t.call("POST", "/streams", CARS);
    const refused = await t.call("PATCH", "/streams/cars", {
      description: "x",
      columns: [...CARS.columns, { name: "extra", type: "int8" }],
      mode: "changelog",
    });
    expect(refused).toMatchObject({
      status: 400,
      body: {
        code: 48,
        message:
          "Altering stream columns, mode is not supported: only description, logstore_retention_bytes, logstore_retention_ms, ttl_expression can be updated",
        system: "proton",
      },
    });
    expect((await t.call("GET", "/streams/cars")).body).toMatchObject({ description: "live telemetry" });
    for (const change of [
      { primary_key: "cid" },
      { shards: 3 },
      { event_time_timezone: "Asia/Tokyo" },
      { name: "trucks" },
      { engine: "MutableStream" },
    ]) {
      expect(await t.call("PATCH", "/streams/cars", { description: "x", ...change })).toMatchObject({ status: 400, body: { code: 48 } });
    }
  });

  it("accepts a full model on PATCH when the immutable fields are unchanged (Terraform provider, GET read back)", async () => {
    await t.call("POST", "/streams", { ...CARS, shards: 2, event_time_timezone: "", ttl: "" });
    // What the Terraform provider sends: the whole model, `ttl` and an empty timezone included.
    const provider = {
      name: "cars",
      description: "new",
      columns: CARS.columns.map((column) => ({ ...column, codec: column.codec ?? "", compression_codec: "" })),
      event_time_timezone: "",
      shards: 2,
      ttl: "",
      mode: "append",
      logstore_retention_ms: 1000,
    };
    const patched = await t.call("PATCH", "/streams/cars", provider);
    expect(patched).toMatchObject({ status: 200, body: { description: "new", logstore_retention_ms: 1000 } });
    expect(patched.body).not.toHaveProperty("_request");
    // Everything GET shows, sent back with one change.
    const current = (await t.call("GET", "/streams/cars")).body as Record<string, unknown>;
    const again = await t.call("PATCH", "/streams/cars", { ...current, description: "newer" });
    expect(again).toMatchObject({ status: 200, body: { description: "newer" } });
  });

  it("deletes with 204 and then reports 404 / 60", async () => {
    await t.call("POST", "/streams", CARS);
    expect(await t.call("DELETE", "/streams/cars")).toMatchObject({ status: 204, body: undefined });
    const missing = { status: 404, body: { code: 60, message: "stream 'cars' doesn't exist", system: "proton" } };
    expect(await t.call("GET", "/streams/cars")).toMatchObject(missing);
    expect(await t.call("DELETE", "/streams/cars")).toMatchObject(missing);
    expect(await t.call("PATCH", "/streams/cars", { description: "x" })).toMatchObject(missing);
  });

  it("refuses a duplicate name with 57, also when a view holds it", async () => {
    await t.call("POST", "/streams", CARS);
    expect(await t.call("POST", "/streams", CARS)).toMatchObject({
      status: 400,
      body: { code: 57, message: "stream 'cars' exists", system: "proton" },
    });
    await t.call("POST", "/views", { name: "v", query: "SELECT 1" });
    expect(await t.call("POST", "/streams", { ...CARS, name: "v" })).toMatchObject({
      status: 400,
      body: { code: 57, message: "view 'v' exists", system: "proton" },
    });
  });

  it.each([
    [{ columns: CARS.columns }, 'invalid request body: field "name" is required'],
    [
      { ...CARS, name: "9lives" },
      'invalid name "9lives": a name must have at most 64 letters, digits or _ and start with a letter (^[A-Za-z][A-Za-z0-9_]{0,63}$)',
    ],
    [{ ...CARS, name: "a".repeat(65) }, `invalid name "${"a".repeat(65)}"`],
    [{ ...CARS, columns: "cid string" }, 'invalid request body: field "columns" must be an array, not string "cid string"'],
    [{ ...CARS, columns: [{ name: "a", type: "" }] }, 'invalid request body: field "columns[0].type" must not be empty'],
    [{ ...CARS, columns: [{ name: "a" }] }, 'invalid request body: field "columns[0].type" is required'],
    [{ ...CARS, logstore_retention_ms: "1d" }, 'invalid request body: field "logstore_retention_ms" must be an integer, not string "1d"'],
    [{ ...CARS, logstore_retention_ms: 1.5 }, 'invalid request body: field "logstore_retention_ms" must be an integer, not number 1.5'],
    [
      { ...CARS, mode: "upsert" },
      'invalid request body: field "mode" must be one of append, changelog, changelog_kv, versioned_kv, not "upsert"',
    ],
    [{ ...CARS, engine: "Log" }, 'invalid request body: field "engine" must be one of Stream, MutableStream, not "Log"'],
  ])("refuses an invalid body with an appserver 400 (%#)", async (body, message) => {
    const response = await t.call("POST", "/streams", body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 400, system: "neutron" });
    expect((response.body as { message: string }).message.startsWith(message)).toBe(true);
  });

  it.each([
    [{ ...CARS, mode: "changelog_kv" }, 36, "primary_key is required for a changelog_kv stream"],
    [{ ...CARS, columns: [] }, 36, "a stream needs at least one column"],
    [
      {
        ...CARS,
        columns: [
          { name: "a", type: "int8" },
          { name: "a", type: "int8" },
        ],
      },
      36,
      "column 'a' is declared more than once",
    ],
    [
      { ...CARS, column_families: [{ name: "f", columns: ["cid"] }] },
      36,
      'column_families and secondary_indexes need engine "MutableStream"',
    ],
    [{ ...CARS, mode: "versioned_kv", primary_key: "(cid, nope)" }, 47, "Missing columns: 'nope' in primary_key '(cid, nope)'"],
    [{ ...CARS, shards: -1 }, 36, "shards must not be negative, got -1"],
  ])("refuses invalid values with an engine error (%#)", async (body, code, message) => {
    expect(await t.call("POST", "/streams", body)).toMatchObject({ status: 400, body: { code, message, system: "proton" } });
  });

  it("refuses bodies that are not JSON objects", async () => {
    expect(await t.call("POST", "/streams", undefined, { raw: "{not json" })).toMatchObject({
      status: 400,
      body: { code: 400, system: "neutron" },
    });
    expect(await t.call("POST", "/streams", [CARS])).toMatchObject({
      status: 400,
      body: { code: 400, message: "invalid request body: expected a JSON object", system: "neutron" },
    });
    expect(await t.call("POST", "/streams")).toMatchObject({
      status: 400,
      body: { code: 400, message: "invalid request body: a JSON object is required", system: "neutron" },
    });
  });

  it("ignores unknown and response-only fields, as the Go appserver's decoder does", async () => {
    const body = {
      ...CARS,
      colour: "red",
      ttl: "",
      is_external: false,
      engine: "Stream",
      created_at: "2020-01-01 00:00:00",
      columns: [{ name: "a", type: "int8", nullable: true, compression_codec: "" }],
    };
    const created = await t.call("POST", "/streams", body);
    expect(created).toMatchObject({ status: 201, body: { engine: "Stream", columns: [{ name: "a", nullable: false }, TP_TIME] } });
    expect(created.body).not.toHaveProperty("colour");
    expect((created.body as { created_at: string }).created_at).not.toBe("2020-01-01 00:00:00");
  });

  it("accepts unchanged event-time settings, shards and keys in a full-model PATCH", async () => {
    const body = {
      name: "kv",
      mode: "versioned_kv",
      primary_key: "(cid, ts)",
      columns: [
        { name: "cid", type: "string" },
        { name: "ts", type: "datetime64(3)" },
      ],
      event_time_column: "ts",
      event_time_timezone: "Asia/Tokyo",
      replication_factor: 3,
      order_by_expression: "cid",
    };
    expect((await t.call("POST", "/streams", body)).status).toBe(201);
    expect(await t.call("PATCH", "/streams/kv", { ...body, primary_key: "`cid`, `ts`", description: "d" })).toMatchObject({
      status: 200,
      body: { description: "d" },
    });
    for (const change of [
      { event_time_column: "now()" },
      { replication_factor: 1 },
      { order_by_expression: "ts" },
      { primary_key: "cid" },
    ]) {
      expect(await t.call("PATCH", "/streams/kv", { ...body, ...change })).toMatchObject({ status: 400, body: { code: 48 } });
    }
  });

  it("reads column types back in the engine's spelling (int as int32)", async () => {
    const created = await t.call("POST", "/streams", {
      name: "n",
      columns: [
        { name: "a", type: "int" },
        { name: "b", type: "Nullable(Float32)" },
      ],
    });
    expect(created.body).toMatchObject({
      columns: [{ type: "int32", nullable: false }, { type: "nullable(float32)", nullable: true }, TP_TIME],
    });
  });

  it("treats null and an empty mode as omitted, as the Go appserver's decoder does", async () => {
    const created = await t.call("POST", "/streams", { ...CARS, mode: "", description: null, primary_key: null });
    expect(created.body).toMatchObject({ mode: "append", description: "", primary_key: "" });
  });
});
