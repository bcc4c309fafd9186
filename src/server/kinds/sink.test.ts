import { describe, expect, it } from "vitest";
import { AUDIT, CARS_STREAM, expectCreatedAndReadBack, serverPerTest, testId } from "../test-utils.js";

const t = serverPerTest((server) => server.call("POST", "/streams", CARS_STREAM));

const HTTP_SINK = {
  name: "write_to_http",
  description: "write data to http endpoint",
  type: "http",
  query: "select * from cars where speed_kmh > 100",
  properties: {
    url: "https://example.com/in",
    http_method: "POST",
    "oauth2.client_secret": "s3cret",
    password: "pw",
    sasl: { mechanism: "plain" },
    api_token: "tok",
  },
};
const PATH = `/sinks/${testId(1)}`;

describe("sinks", () => {
  it("creates a running sink (201) and reads it back without secrets", async () => {
    const expected = {
      id: testId(1),
      name: "write_to_http",
      description: "write data to http endpoint",
      type: "http",
      query: HTTP_SINK.query,
      properties: { url: "https://example.com/in", http_method: "POST" },
      status: "running",
      message: "",
      plan: expect.objectContaining({
        original_query: HTTP_SINK.query,
        is_streaming: true,
        has_table_join: false,
        required_columns: expect.arrayContaining([expect.objectContaining({ table: "cars", database: "default" })]),
      }),
      ...AUDIT,
    };
    await expectCreatedAndReadBack(t, "/sinks", PATH, HTTP_SINK, expected);
  });

  it("hides a Slack sink's webhook url", async () => {
    const created = await t.call("POST", "/sinks", {
      name: "notify",
      type: "slack",
      query: "SELECT cid FROM cars",
      properties: { url: "https://hooks.slack.com/services/T/B/X", template: "{{ .cid }}" },
    });
    expect((created.body as { properties: unknown }).properties).toEqual({ template: "{{ .cid }}" });
  });

  it("validates the query like a view's (62, 60) and the body like the appserver (400)", async () => {
    expect(await t.call("POST", "/sinks", { ...HTTP_SINK, query: "SELECT 'open FROM cars" })).toMatchObject({
      status: 400,
      body: { code: 62 },
    });
    expect(await t.call("POST", "/sinks", { ...HTTP_SINK, query: "SELECT * FROM trucks" })).toMatchObject({
      status: 400,
      body: { code: 60, message: "stream 'trucks' doesn't exist", system: "proton" },
    });
    expect(await t.call("POST", "/sinks", { ...HTTP_SINK, type: "email" })).toMatchObject({
      status: 400,
      body: { code: 400, system: "neutron" },
    });
    expect(await t.call("POST", "/sinks", { ...HTTP_SINK, name: "1st" })).toMatchObject({ status: 400, body: { code: 400 } });
    expect(await t.call("POST", "/sinks", { name: "s", type: "http" })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "query" is required' },
    });
    expect((await t.call("GET", "/sinks")).body).toEqual([]);
  });

  it("patches name, description and properties (200), but refuses query and type in a PATCH", async () => {
    await t.call("POST", "/sinks", HTTP_SINK);
    const patched = await t.call("PATCH", PATH, { name: "renamed", properties: { url: "https://example.com/v2" } });
    expect(patched).toMatchObject({
      status: 200,
      body: { name: "renamed", description: HTTP_SINK.description, properties: { url: "https://example.com/v2" } },
    });
    expect(await t.call("PATCH", PATH, { query: "SELECT cid FROM cars" })).toMatchObject({
      status: 400,
      body: {
        code: 400,
        message: "invalid request body: PATCH cannot change the query of a sink; only name, description and properties can be patched",
        system: "neutron",
      },
    });
    expect(await t.call("PATCH", PATH, { type: "slack", description: "x" })).toMatchObject({ status: 400 });
    expect(await t.call("PATCH", "/sinks/nope", { description: "x" })).toMatchObject({
      status: 404,
      body: { code: 404, system: "neutron" },
    });
    expect((await t.call("GET", PATH)).body).toMatchObject({ name: "renamed", query: HTTP_SINK.query, type: "http" });
  });

  it("replaces the whole body with the deprecated PUT (200), but not the type", async () => {
    await t.call("POST", "/sinks", HTTP_SINK);
    const put = await t.call("PUT", PATH, { name: "w", type: "http", query: "SELECT cid FROM cars" });
    expect(put).toMatchObject({
      status: 200,
      body: { id: testId(1), name: "w", description: "", query: "SELECT cid FROM cars", properties: {} },
    });
    expect(await t.call("PUT", PATH, { name: "w", type: "kafka", query: "SELECT cid FROM cars" })).toMatchObject({
      status: 400,
      body: { code: 400, message: 'invalid request body: the type of a sink cannot be changed (from "http" to "kafka")' },
    });
    expect(await t.call("PUT", PATH, { name: "w", type: "http", query: "SELECT * FROM gone" })).toMatchObject({
      status: 400,
      body: { code: 60 },
    });
  });

  it("starts and stops with 204, takes ?sync=true|false, and toggles status", async () => {
    await t.call("POST", "/sinks", HTTP_SINK);
    const status = async () => ((await t.call("GET", PATH)).body as { status: string }).status;
    expect(await t.call("POST", `${PATH}/stop?sync=false`)).toMatchObject({ status: 204 });
    expect(await status()).toBe("stopped");
    expect(await t.call("POST", `${PATH}/start?sync=true`)).toMatchObject({ status: 204 });
    expect(await t.call("POST", `${PATH}/start`)).toMatchObject({ status: 204 });
    expect(await status()).toBe("running");
    expect(await t.call("POST", `${PATH}/stop?sync=maybe`)).toMatchObject({
      status: 400,
      body: { message: 'invalid query parameter sync="maybe": expected true or false' },
    });
    expect(await status()).toBe("running");
  });

  it("protects what its query reads (630), running or stopped, until it is deleted (204)", async () => {
    await t.call("POST", "/views", { name: "fast", query: "SELECT * FROM cars" });
    await t.call("POST", "/sinks", { ...HTTP_SINK, query: "SELECT * FROM fast" });
    await t.call("POST", `/sinks/${testId(1)}/stop`);
    expect(await t.call("DELETE", "/views/fast")).toMatchObject({
      status: 400,
      body: {
        code: 630,
        message: `Cannot drop view 'fast' because other objects depend on it: sink 'write_to_http' (id ${testId(1)}). Drop them first`,
        system: "proton",
      },
    });
    expect(await t.call("DELETE", PATH)).toMatchObject({ status: 204 });
    expect(await t.call("DELETE", PATH)).toMatchObject({ status: 404 });
    expect(await t.call("DELETE", "/views/fast")).toMatchObject({ status: 204 });
  });
});
