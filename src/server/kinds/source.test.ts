import { describe, expect, it } from "vitest";
import { AUDIT, FIXED_UNIX, serverPerTest, testId } from "../test-utils.js";

const t = serverPerTest(async (server) => {
  await server.call("POST", "/streams", { name: "cars", columns: [{ name: "cid", type: "string" }] });
  await server.call("POST", "/streams", { name: "trucks", columns: [{ name: "cid", type: "string" }] });
});

const GENERATOR = {
  name: "gen",
  stream: "cars",
  type: "stream_generator",
  description: "fake cars",
  properties: { template: "iot", interval: 200, sasl_password: "hunter2", auth: { token: "t0k", user: "u" } },
};

describe("sources", () => {
  it("creates a running source (201) with a server id, and reads it back without secrets", async () => {
    const expected = {
      id: testId(1),
      name: "gen",
      description: "fake cars",
      type: "stream_generator",
      stream: "cars",
      properties: { template: "iot", interval: 200, auth: { user: "u" } },
      status: "running",
      message: "",
      start_time: FIXED_UNIX,
      ...AUDIT,
    };
    const created = await t.call("POST", "/sources", GENERATOR);
    expect(created).toMatchObject({ status: 201, body: expected });
    expect(created.body).toEqual(expected);
    expect(await t.call("GET", `/sources/${testId(1)}`)).toMatchObject({ status: 200, body: expected });
    expect((await t.call("GET", "/sources")).body).toEqual([expected]);
    expect(JSON.stringify((await t.call("GET", "/sources")).body)).not.toContain("hunter2");
  });

  it("allows two sources with one name and lists them by name, then id", async () => {
    await t.call("POST", "/sources", { ...GENERATOR, name: "b" });
    await t.call("POST", "/sources", { ...GENERATOR, name: "a" });
    await t.call("POST", "/sources", { ...GENERATOR, name: "b" });
    const list = (await t.call("GET", "/sources")).body as { id: string; name: string }[];
    expect(list.map(({ id, name }) => [name, id])).toEqual([
      ["a", testId(2)],
      ["b", testId(1)],
      ["b", testId(3)],
    ]);
  });

  it("refuses what the appserver and the engine refuse on create", async () => {
    expect(await t.call("POST", "/sources", { ...GENERATOR, stream: "gone" })).toMatchObject({
      status: 400,
      body: { code: 60, message: "stream 'gone' doesn't exist", system: "proton" },
    });
    await t.call("POST", "/views", { name: "v", query: "SELECT cid FROM cars" });
    expect(await t.call("POST", "/sources", { ...GENERATOR, stream: "v" })).toMatchObject({
      status: 400,
      body: { code: 36, message: "'v' is a view; a source can only write into a stream" },
    });
    expect(await t.call("POST", "/sources", { ...GENERATOR, type: "ftp" })).toMatchObject({
      status: 400,
      body: { code: 400, system: "neutron", message: expect.stringContaining('field "type" must be one of stream_generator, websocket') },
    });
    expect(await t.call("POST", "/sources", { name: "x", stream: "cars" })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "type" is required' },
    });
    expect(await t.call("POST", "/sources", { ...GENERATOR, properties: [1] })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "properties" must be an object, not an array' },
    });
    expect((await t.call("GET", "/sources")).body).toEqual([]);
  });

  it("refuses updates while running (400, appserver), and applies PATCH and PUT once stopped", async () => {
    await t.call("POST", "/sources", GENERATOR);
    const path = `/sources/${testId(1)}`;
    const running = {
      status: 400,
      body: {
        code: 400,
        message: `source 'gen' is running: only stopped sources can be updated; stop it first (POST /sources/${testId(1)}/stop)`,
        system: "neutron",
      },
    };
    expect(await t.call("PATCH", path, { description: "d" })).toMatchObject(running);
    expect(await t.call("PUT", path, { description: "d" })).toMatchObject(running);

    expect(await t.call("POST", `${path}/stop`)).toMatchObject({ status: 204 });
    const patched = await t.call("PATCH", path, { name: "gen2", stream: "trucks", properties: { template: "devops" } });
    expect(patched).toMatchObject({
      status: 200,
      body: {
        id: testId(1),
        name: "gen2",
        stream: "trucks",
        description: "fake cars",
        properties: { template: "devops" },
        status: "stopped",
      },
    });
    expect((await t.call("PUT", path, { description: "put" })).body).toMatchObject({ name: "gen2", description: "put" });
    expect(await t.call("PATCH", path, { stream: "gone" })).toMatchObject({ status: 400, body: { code: 60 } });
    expect(await t.call("PATCH", path, { type: "websocket" })).toMatchObject({
      status: 400,
      body: {
        code: 400,
        message: 'invalid request body: the type of a source cannot be updated (from "stream_generator" to "websocket")',
        system: "neutron",
      },
    });
    // The Terraform provider's update: the whole model, unchanged type and the id included.
    const provider = { id: testId(1), name: "gen2", description: "tf", stream: "trucks", type: "stream_generator", properties: {} };
    expect(await t.call("PUT", path, provider)).toMatchObject({ status: 200, body: { description: "tf" } });
  });

  it("starts and stops idempotently with 204, toggling status", async () => {
    await t.call("POST", "/sources", GENERATOR);
    const path = `/sources/${testId(1)}`;
    const status = async () => ((await t.call("GET", path)).body as { status: string }).status;
    expect(await t.call("POST", `${path}/start`)).toMatchObject({ status: 204 });
    expect(await status()).toBe("running");
    expect(await t.call("POST", `${path}/stop`)).toMatchObject({ status: 204 });
    expect(await t.call("POST", `${path}/stop`)).toMatchObject({ status: 204 });
    expect(await status()).toBe("stopped");
    expect(await t.call("POST", `${path}/start`)).toMatchObject({ status: 204 });
    expect(await status()).toBe("running");
    expect(await t.call("POST", "/sources/nope/start")).toMatchObject({ status: 404 });
  });

  it("protects its stream (630) until it is deleted (204), then answers 404 with an appserver body", async () => {
    await t.call("POST", "/sources", GENERATOR);
    expect(await t.call("DELETE", "/streams/cars")).toMatchObject({
      status: 400,
      body: {
        code: 630,
        message: `Cannot drop stream 'cars' because other objects depend on it: source 'gen' (id ${testId(1)}). Drop them first`,
      },
    });
    expect(await t.call("DELETE", `/sources/${testId(1)}`)).toMatchObject({ status: 204 });
    expect(await t.call("GET", `/sources/${testId(1)}`)).toMatchObject({
      status: 404,
      body: { code: 404, message: `source with id '${testId(1)}' not found`, system: "neutron" },
    });
    expect(await t.call("DELETE", `/sources/${testId(1)}`)).toMatchObject({ status: 404 });
    expect(await t.call("DELETE", "/streams/cars")).toMatchObject({ status: 204 });
  });

  it("keeps sources, their secrets and their state across a restart", async () => {
    await t.call("POST", "/sources", GENERATOR);
    await t.call("POST", `/sources/${testId(1)}/stop`);
    await t.restart();
    expect((await t.call("GET", `/sources/${testId(1)}`)).body).toMatchObject({ status: "stopped", properties: { template: "iot" } });
    expect((await t.call("POST", "/sources", GENERATOR)).body).toMatchObject({ id: testId(2) });
  });
});
