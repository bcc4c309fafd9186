import { describe, expect, it } from "vitest";
import { AUDIT, CARS_STREAM, expectCreatedAndReadBack, serverPerTest } from "../test-utils.js";

const t = serverPerTest((server) => server.call("POST", "/streams", CARS_STREAM));

const REMOTE = {
  name: "geo",
  type: "remote",
  description: "ip to country",
  arguments: [{ name: "ip", type: "string" }],
  return_type: "string",
  url: "https://udf.example.com/geo",
  auth_method: "auth_header",
  auth_context: { key_name: "X-Key", key_value: "sekret" },
};
const JAVASCRIPT = {
  name: "to_mph",
  type: "javascript",
  arguments: [{ name: "kmh", type: "float32" }],
  return_type: "float32",
  source: "function to_mph(kmh) { return kmh.map((v) => v / 1.609); }",
};

describe("UDFs", () => {
  it("creates a remote UDF (201) and returns auth_context.key_value as the seed spec documents", async () => {
    const expected = {
      name: "geo",
      type: "remote",
      description: "ip to country",
      arguments: [{ name: "ip", type: "string" }],
      return_type: "string",
      url: "https://udf.example.com/geo",
      auth_method: "auth_header",
      auth_context: { key_name: "X-Key", key_value: "sekret" },
      source: "",
      is_aggregation: false,
      ...AUDIT,
    };
    await expectCreatedAndReadBack(t, "/udfs", "/udfs/geo", REMOTE, expected);
  });

  it("creates a javascript UDF, ignoring audit fields in the body", async () => {
    const created = await t.call("POST", "/udfs", { ...JAVASCRIPT, created_at: "1999-01-01 00:00:00", is_aggregation: false });
    expect(created).toMatchObject({
      status: 201,
      body: { name: "to_mph", type: "javascript", url: "", auth_method: "", source: JAVASCRIPT.source, created_at: "2025-01-02 03:04:05" },
    });
    expect(created.body).not.toHaveProperty("auth_context");
  });

  it("checks the fields each type needs, and refuses duplicates with 609", async () => {
    expect(await t.call("POST", "/udfs", { ...REMOTE, url: "" })).toMatchObject({
      status: 400,
      body: { code: 400, message: 'invalid request body: field "url" is required for a remote UDF' },
    });
    expect(await t.call("POST", "/udfs", { ...JAVASCRIPT, source: undefined })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "source" is required for a javascript UDF' },
    });
    expect(await t.call("POST", "/udfs", { ...JAVASCRIPT, url: "https://x" })).toMatchObject({
      status: 400,
      body: { message: "invalid request body: url applies only to a remote UDF" },
    });
    expect(await t.call("POST", "/udfs", { ...REMOTE, auth_context: { key_name: "X-Key" } })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: auth_method "auth_header" needs auth_context.key_name and auth_context.key_value' },
    });
    expect(await t.call("POST", "/udfs", { ...REMOTE, type: "python" })).toMatchObject({ status: 400, body: { code: 400 } });
    expect(await t.call("POST", "/udfs", { ...REMOTE, return_type: undefined })).toMatchObject({ status: 400 });
    expect(await t.call("POST", "/udfs", { ...REMOTE, arguments: [{ name: "ip" }] })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "arguments[0].type" is required' },
    });
    await t.call("POST", "/udfs", REMOTE);
    expect(await t.call("POST", "/udfs", REMOTE)).toMatchObject({
      status: 400,
      body: { code: 609, message: "User-defined function 'geo' already exists", system: "proton" },
    });
  });

  it("replaces with PUT (200) when the body names the path, keeping its type; 404 when missing", async () => {
    await t.call("POST", "/udfs", REMOTE);
    const put = await t.call("PUT", "/udfs/geo", { ...REMOTE, auth_method: "none", auth_context: undefined, url: "https://v2" });
    expect(put).toMatchObject({ status: 200, body: { url: "https://v2", auth_method: "none", created_at: "2025-01-02 03:04:05" } });
    expect(put.body).not.toHaveProperty("auth_context");
    expect(await t.call("PUT", "/udfs/geo", { ...REMOTE, name: "other" })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: name "other" does not match the path\'s "geo"' },
    });
    expect(await t.call("PUT", "/udfs/geo", { ...JAVASCRIPT, name: "geo" })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: the type of a UDF cannot be changed (from "remote" to "javascript")' },
    });
    expect(await t.call("PUT", "/udfs/nope", { ...REMOTE, name: "nope" })).toMatchObject({
      status: 404,
      body: { code: 46, message: "function 'nope' doesn't exist" },
    });
  });

  it("cannot be dropped while a view, MV, sink or alert calls it (630)", async () => {
    await t.call("POST", "/udfs", JAVASCRIPT);
    await t.call("POST", "/views", { name: "mph", query: "SELECT cid, to_mph(speed_kmh) AS mph FROM cars" });
    await t.call("POST", "/sinks", { name: "s", type: "http", query: "SELECT to_mph(speed_kmh) FROM cars", properties: {} });
    expect(await t.call("DELETE", "/udfs/to_mph")).toMatchObject({
      status: 400,
      body: {
        code: 630,
        message:
          "Cannot drop function 'to_mph' because other objects depend on it: view 'mph', sink 's' (id 00000000-0000-4000-8000-000000000001). Drop them first",
        system: "proton",
      },
    });
    await t.call("DELETE", "/views/mph");
    await t.call("DELETE", "/sinks/00000000-0000-4000-8000-000000000001");
    expect(await t.call("DELETE", "/udfs/to_mph")).toMatchObject({ status: 204 });
    expect(await t.call("DELETE", "/udfs/to_mph")).toMatchObject({ status: 404, body: { code: 46 } });
  });
});
