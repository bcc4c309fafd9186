import { describe, expect, it } from "vitest";
import { AUDIT, expectCreatedAndReadBack, serverPerTest } from "../test-utils.js";

const t = serverPerTest();

const KAFKA = {
  name: "ext_cars",
  description: "cars in kafka",
  settings: [
    { key: "type", value: "kafka" },
    { key: "brokers", value: "redpanda:9092" },
    { key: "topic", value: "cars" },
    { key: "sasl_mechanism", value: "PLAIN" },
    { key: "password", value: "hunter2" },
  ],
  columns: [{ name: "raw", type: "string", codec: "ZSTD(1)" }],
};

describe("external streams", () => {
  it("creates one (201) and reads it back with its type and without secret settings", async () => {
    const expected = {
      name: "ext_cars",
      description: "cars in kafka",
      type: "kafka",
      settings: [
        { key: "type", value: "kafka" },
        { key: "brokers", value: "redpanda:9092" },
        { key: "topic", value: "cars" },
      ],
      columns: [{ name: "raw", type: "string", default: "", codec: "CODEC(ZSTD(1))", nullable: false }],
      ...AUDIT,
    };
    await expectCreatedAndReadBack(t, "/external_streams", "/external_streams/ext_cars", KAFKA, expected);
  });

  it("has no update endpoint: PATCH and PUT get 405", async () => {
    await t.call("POST", "/external_streams", KAFKA);
    const patched = await t.call("PATCH", "/external_streams/ext_cars", { description: "x" });
    expect(patched).toMatchObject({ status: 405, body: { code: 405, system: "neutron" } });
    expect(patched.headers.get("allow")).toBe("GET, DELETE");
    expect(await t.call("PUT", "/external_streams/ext_cars", KAFKA)).toMatchObject({ status: 405 });
  });

  it("needs settings with a type, and brokers, topic and columns for kafka", async () => {
    const { settings: _settings, ...noSettings } = KAFKA;
    expect(await t.call("POST", "/external_streams", noSettings)).toMatchObject({
      status: 400,
      body: { code: 400, message: 'invalid request body: field "settings" is required', system: "neutron" },
    });
    expect(await t.call("POST", "/external_streams", { ...KAFKA, settings: [{ key: "topic", value: "t" }] })).toMatchObject({
      status: 400,
      body: { code: 36, message: "an external stream needs the setting 'type' (for example kafka)", system: "proton" },
    });
    expect(await t.call("POST", "/external_streams", { ...KAFKA, settings: [{ key: "type", value: "kafka" }] })).toMatchObject({
      status: 400,
      body: { code: 36, message: "a kafka external stream needs the settings 'brokers', 'topic'" },
    });
    expect(await t.call("POST", "/external_streams", { ...KAFKA, columns: [] })).toMatchObject({
      status: 400,
      body: { code: 400, message: 'invalid request body: field "columns" is required for a kafka external stream' },
    });
    expect(await t.call("POST", "/external_streams", { ...KAFKA, settings: [{ key: "type", value: 1 }] })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "settings[0].value" must be a string, not number 1' },
    });
    expect(
      await t.call("POST", "/external_streams", { ...KAFKA, settings: [...KAFKA.settings, { key: "topic", value: "b" }] }),
    ).toMatchObject({
      status: 400,
      body: { code: 36, message: "setting 'topic' is given more than once" },
    });
    expect((await t.call("GET", "/external_streams")).body).toEqual([]);
  });

  it("shares the relation namespace: 57 on conflicts, views read it, 630 while read", async () => {
    await t.call("POST", "/streams", { name: "cars", columns: [{ name: "cid", type: "string" }] });
    expect(await t.call("POST", "/external_streams", { ...KAFKA, name: "cars" })).toMatchObject({
      status: 400,
      body: { code: 57, message: "stream 'cars' exists" },
    });
    await t.call("POST", "/external_streams", KAFKA);
    expect(await t.call("POST", "/streams", { name: "ext_cars", columns: [{ name: "a", type: "int8" }] })).toMatchObject({
      status: 400,
      body: { code: 57, message: "external stream 'ext_cars' exists" },
    });
    expect(await t.call("POST", "/views", { name: "v", query: "SELECT raw FROM ext_cars" })).toMatchObject({
      status: 201,
      body: { columns: [{ name: "raw", type: "string", default: "", codec: "", nullable: false }] },
    });
    expect(await t.call("DELETE", "/external_streams/ext_cars")).toMatchObject({
      status: 400,
      body: { code: 630, message: "Cannot drop external stream 'ext_cars' because other objects depend on it: view 'v'. Drop them first" },
    });
    expect(await t.call("DELETE", "/views/v")).toMatchObject({ status: 204 });
    expect(await t.call("DELETE", "/external_streams/ext_cars")).toMatchObject({ status: 204 });
    expect(await t.call("GET", "/external_streams/ext_cars")).toMatchObject({ status: 404, body: { code: 60 } });
  });

  it("accepts an MV writing into it", async () => {
    await t.call("POST", "/streams", { name: "cars", columns: [{ name: "raw", type: "string" }] });
    await t.call("POST", "/external_streams", KAFKA);
    expect(
      await t.call("POST", "/materialized_views", { name: "out", query: "SELECT raw FROM cars", target_stream: "ext_cars" }),
    ).toMatchObject({
      status: 201,
    });
    expect(await t.call("DELETE", "/external_streams/ext_cars")).toMatchObject({ status: 400, body: { code: 630 } });
  });

  it("needs the schema its format_schema names, and keeps that schema from being dropped (630)", async () => {
    const protobuf = {
      ...KAFKA,
      settings: [
        ...KAFKA.settings.slice(0, 3),
        { key: "data_format", value: "ProtobufSingle" },
        { key: "format_schema", value: "cars:Car" },
      ],
    };
    expect(await t.call("POST", "/external_streams", protobuf)).toMatchObject({
      status: 400,
      body: { code: 36, message: "format schema 'cars' doesn't exist" },
    });
    await t.call("POST", "/schemas", { name: "cars", type: "Protobuf", content: 'syntax = "proto3"; message Car { string cid = 1; }' });
    const noMessage = { ...protobuf, settings: [...protobuf.settings.slice(0, 4), { key: "format_schema", value: "cars" }] };
    expect(await t.call("POST", "/external_streams", noMessage)).toMatchObject({
      status: 400,
      body: { code: 36, message: "setting 'format_schema' must be 'schema_name:MessageName', not 'cars'" },
    });
    expect(await t.call("POST", "/external_streams", protobuf)).toMatchObject({ status: 201 });
    expect(await t.call("DELETE", "/schemas/cars")).toMatchObject({
      status: 400,
      body: {
        code: 630,
        message: "Cannot drop schema 'cars' because other objects depend on it: external stream 'ext_cars'. Drop them first",
      },
    });
    expect(await t.call("DELETE", "/external_streams/ext_cars")).toMatchObject({ status: 204 });
    expect(await t.call("DELETE", "/schemas/cars")).toMatchObject({ status: 204 });
  });
});

describe("external tables", () => {
  const CLICKHOUSE = {
    name: "ch_cars",
    description: "cars in ClickHouse",
    settings: [
      { key: "type", value: "clickhouse" },
      { key: "address", value: "clickhouse:9000" },
      { key: "user", value: "default" },
      { key: "password", value: "pw" },
      { key: "table", value: "cars" },
    ],
  };

  it("creates (201), reads without secrets, refuses updates (405), deletes (204)", async () => {
    const expected = {
      name: "ch_cars",
      description: "cars in ClickHouse",
      type: "clickhouse",
      settings: [
        { key: "type", value: "clickhouse" },
        { key: "address", value: "clickhouse:9000" },
        { key: "user", value: "default" },
        { key: "table", value: "cars" },
      ],
      ...AUDIT,
    };
    await expectCreatedAndReadBack(t, "/external_tables", "/external_tables/ch_cars", CLICKHOUSE, expected);
    expect(await t.call("PATCH", "/external_tables/ch_cars", { description: "x" })).toMatchObject({ status: 405 });
    expect(await t.call("DELETE", "/external_tables/ch_cars")).toMatchObject({ status: 204 });
    expect(await t.call("DELETE", "/external_tables/ch_cars")).toMatchObject({ status: 404, body: { code: 60 } });
  });

  it("needs an address for clickhouse, ignores columns, and shares the relation namespace", async () => {
    expect(await t.call("POST", "/external_tables", { ...CLICKHOUSE, settings: [{ key: "type", value: "clickhouse" }] })).toMatchObject({
      status: 400,
      body: { code: 36, message: "a clickhouse external table needs the setting 'address'" },
    });
    // Not in the ExternalTable request: ignored, as the Go appserver's decoder does.
    const created = await t.call("POST", "/external_tables", { ...CLICKHOUSE, columns: [] });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty("columns");
    expect(await t.call("POST", "/views", { name: "ch_cars", query: "SELECT 1" })).toMatchObject({
      status: 400,
      body: { code: 57, message: "external table 'ch_cars' exists" },
    });
    await t.call("POST", "/views", { name: "v", query: "SELECT * FROM ch_cars" });
    expect(await t.call("DELETE", "/external_tables/ch_cars")).toMatchObject({ status: 400, body: { code: 630 } });
  });
});
