import { afterEach, describe, expect, it, vi } from "vitest";
import { request as httpRequest } from "node:http";
import { startTestServer, type TestServer } from "./test-utils.js";

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

describe("routing and error bodies", () => {
  it("answers 404 with an appserver body for unknown paths and 405 for a wrong method", async () => {
    t = await startTestServer();
    expect(await t.call("GET", "/nothing")).toMatchObject({
      status: 404,
      body: { code: 404, message: "no route for GET /default/api/v1beta2/nothing", system: "neutron" },
    });
    expect(await t.get("/default/api/v1/streams")).toMatchObject({ status: 404, body: { system: "neutron" } });
    expect(await t.get("/bad%2Fworkspace/api/v1beta2/streams")).toMatchObject({ status: 404 });
    const wrong = await t.call("PUT", "/streams/cars", {});
    expect(wrong).toMatchObject({
      status: 405,
      body: {
        code: 405,
        message: "method PUT is not allowed on /default/api/v1beta2/streams/cars; allowed: GET, PATCH, DELETE",
        system: "neutron",
      },
    });
    expect(wrong.headers.get("allow")).toBe("GET, PATCH, DELETE");
  });

  it("answers 400, not 500, to JSON nested 5,000 levels deep", async () => {
    t = await startTestServer();
    const deep = `{"name":"s","columns":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    expect(await t.call("POST", "/streams", undefined, { raw: deep })).toMatchObject({
      status: 400,
      body: { code: 400, message: "invalid request body: JSON nested deeper than 256 levels", system: "neutron" },
    });
    // Brackets inside strings are text, not nesting.
    const description = "[".repeat(5000);
    expect(await t.call("POST", "/streams", { name: "s", description, columns: [{ name: "x", type: "int8" }] })).toMatchObject({
      status: 201,
    });
  });

  it("knows only the default database", async () => {
    t = await startTestServer();
    expect(await t.call("GET", "/streams?db=default")).toMatchObject({ status: 200, body: [] });
    expect(await t.call("GET", "/streams?db=other")).toMatchObject({
      status: 400,
      body: { code: 81, message: "Database other doesn't exist", system: "proton" },
    });
  });

  it("serves the seed's Info document at /info and /{workspace}/api/info", async () => {
    t = await startTestServer();
    const build = { version: "0.1.0", commit: "", build_time: "" };
    const body = {
      product_name: "tpctl built-in server",
      proton: build,
      neutron: build,
      orbit: build,
      axion: build,
      version: "0.1.0",
      api_version: "v1beta2",
    };
    const expected = { status: 200, body };
    expect(await t.get("/info")).toMatchObject(expected);
    expect(await t.get("/default/api/info")).toMatchObject(expected);
  });

  it("keeps each workspace's objects apart", async () => {
    t = await startTestServer();
    const stream = { name: "s", columns: [{ name: "a", type: "int8" }] };
    expect((await t.call("POST", "/streams", stream, { workspace: "t5abcd1e" })).status).toBe(201);
    expect((await t.call("POST", "/streams", stream)).status).toBe(201);
    expect((await t.call("GET", "/streams", undefined, { workspace: "other" })).body).toEqual([]);
    expect(((await t.call("GET", "/streams", undefined, { workspace: "t5abcd1e" })).body as unknown[]).length).toBe(1);
  });
});

describe("authentication", () => {
  it("requires Basic credentials when a user is configured, and records the user as owner", async () => {
    t = await startTestServer({ username: "admin", password: "s3cret!" });
    const none = await t.call("GET", "/streams");
    expect(none).toMatchObject({ status: 401, body: { code: 401, message: "authentication required", system: "neutron" } });
    expect(none.headers.get("www-authenticate")).toBe('Basic realm="timeplus"');
    const wrong = await t.call("GET", "/streams", undefined, { headers: basic("admin", "guess") });
    expect(wrong).toMatchObject({ status: 401, body: { code: 401, message: "invalid credentials", system: "neutron" } });
    expect(JSON.stringify(wrong.body)).not.toContain("guess");
    expect(await t.call("GET", "/streams", undefined, { headers: basic("admin", "s3cret!") })).toMatchObject({ status: 200, body: [] });
    const created = await t.call(
      "POST",
      "/streams",
      { name: "s", columns: [{ name: "a", type: "int8" }] },
      { headers: basic("admin", "s3cret!") },
    );
    expect(created.body).toMatchObject({ created_by: { id: "admin", name: "admin" }, last_updated_by: { id: "admin", name: "admin" } });
  });

  it("accepts an API key as X-Api-Key or Authorization: ApiKey", async () => {
    t = await startTestServer({ apiKey: "k-123" });
    const none = await t.call("GET", "/streams");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('ApiKey realm="timeplus"');
    expect((await t.call("GET", "/streams", undefined, { headers: { "x-api-key": "k-999" } })).status).toBe(401);
    expect((await t.call("GET", "/streams", undefined, { headers: { "x-api-key": "k-123" } })).status).toBe(200);
    const created = await t.call(
      "POST",
      "/streams",
      { name: "s", columns: [{ name: "a", type: "int8" }] },
      { headers: { authorization: "ApiKey k-123" } },
    );
    expect(created).toMatchObject({ status: 201, body: { created_by: { id: "api-key", name: "api-key" } } });
  });

  it("leaves /_server/requests open", async () => {
    t = await startTestServer({ username: "admin", password: "pw" });
    expect((await t.get("/_server/requests")).status).toBe(200);
  });
});

describe("GET /_server/requests", () => {
  it("counts API requests by method and literal path, never itself", async () => {
    t = await startTestServer();
    await t.call("GET", "/streams");
    await t.call("GET", "/streams");
    await t.call("POST", "/streams", { name: "s", columns: [{ name: "a", type: "int8" }] });
    await t.call("DELETE", "/streams/s");
    await t.call("GET", "/nowhere");
    await t.get("/_server/requests");
    expect((await t.get("/_server/requests")).body).toEqual({
      total: 5,
      by_route: {
        "DELETE /default/api/v1beta2/streams/s": 1,
        "GET /default/api/v1beta2/nowhere": 1,
        "GET /default/api/v1beta2/streams": 2,
        "POST /default/api/v1beta2/streams": 1,
      },
      faults: {},
    });
  });
});

describe("latency", () => {
  it("delays every API response by latencyMs", async () => {
    t = await startTestServer({ latencyMs: 120 });
    const started = performance.now();
    await t.call("GET", "/streams");
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it("turns the answer into JSON while it waits, not after the wait", async () => {
    t = await startTestServer({ latencyMs: 400 });
    const stringify = JSON.stringify.bind(JSON);
    const listed: number[] = [];
    // Only the server's answer to a list is an array here: the client sends no body with a GET.
    const spy = vi.spyOn(JSON, "stringify").mockImplementation((value: unknown, ...rest: unknown[]) => {
      if (Array.isArray(value)) listed.push(performance.now());
      return stringify(value, ...(rest as [undefined, undefined]));
    });
    try {
      const started = performance.now();
      await t.call("GET", "/streams");
      expect(listed).toHaveLength(1);
      expect((listed[0] as number) - started).toBeLessThan(200);
    } finally {
      spy.mockRestore();
    }
  });
});

/** A request exactly as given: fetch() would add a Content-Type of its own. */
function rawRequest(url: string, method: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

describe("content types", () => {
  it("takes a JSON body sent without a Content-Type (older Terraform providers) or with a +json type", async () => {
    t = await startTestServer();
    const base = `${t.server.url}/default/api/v1beta2`;
    const body = JSON.stringify({ name: "cars", columns: [{ name: "cid", type: "string" }] });
    expect((await rawRequest(`${base}/streams`, "POST", body, {})).status).toBe(201);
    const vendor = JSON.stringify({ name: "v", query: "SELECT 1" });
    expect((await rawRequest(`${base}/views`, "POST", vendor, { "content-type": "application/vnd.timeplus+json" })).status).toBe(201);
  });

  it("refuses text/plain and form bodies (415), which a web page may send cross-origin without asking", async () => {
    t = await startTestServer();
    const base = `${t.server.url}/default/api/v1beta2`;
    const body = JSON.stringify({ name: "cars", columns: [{ name: "cid", type: "string" }] });
    for (const type of ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const refused = await rawRequest(`${base}/streams`, "POST", body, { "content-type": type });
      expect(refused.status).toBe(415);
      expect(JSON.parse(refused.body)).toMatchObject({ code: 415, system: "neutron" });
    }
    expect((await t.call("GET", "/streams")).body).toEqual([]);
  });
});
