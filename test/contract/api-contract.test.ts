import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import { credentialHeaders } from "../helpers/contract.js";

/**
 * What tpctl relies on from the Timeplus REST API (docs/timeplus-api.md), checked
 * against the built-in server always, and against a real deployment when TIMEPLUS_ADDRESS is set
 * (with TIMEPLUS_USERNAME/TIMEPLUS_PASSWORD or TIMEPLUS_API_KEY), the way one suite runs over
 * every dialect. Against a real workspace it only touches objects named tpctl_contract_<random>
 * and removes them afterwards.
 */
interface Target {
  readonly label: string;
  base(): string;
  headers(): Record<string, string>;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
}

function builtInTarget(): Target {
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let dataDir = "";
  return {
    label: "built-in server",
    base: () => `${server?.url}/default/api/v1beta2`,
    headers: () => ({}),
    async setUp() {
      dataDir = await mkdtemp(join(tmpdir(), "tpctl-contract-"));
      server = await startServer({ port: 0, host: "127.0.0.1", dataDir });
    },
    async tearDown() {
      await server?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function realTarget(env: NodeJS.ProcessEnv): Target | undefined {
  const address = env["TIMEPLUS_ADDRESS"];
  if (!address) return undefined;
  const workspace = env["TIMEPLUS_WORKSPACE"] || "default";
  const headers = credentialHeaders(env);
  return {
    label: "TIMEPLUS_ADDRESS",
    base: () => `${address.replace(/\/+$/, "")}/${workspace}/api/v1beta2`,
    headers: () => headers,
    setUp: async () => undefined,
    tearDown: async () => undefined,
  };
}

const targets = [builtInTarget(), realTarget(process.env)].filter((target): target is Target => target !== undefined);

describe.each(targets)("Timeplus API contract against $label", (target) => {
  const prefix = `tpctl_contract_${randomBytes(4).toString("hex")}`;
  const stream = `${prefix}_s`;
  const view = `${prefix}_v`;
  const mv = `${prefix}_mv`;

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${target.base()}${path}`, {
      method,
      headers: { "content-type": "application/json", accept: "application/json", ...target.headers() },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // leave as text
    }
    return { status: response.status, body: parsed };
  };

  beforeAll(async () => {
    await target.setUp();
  });
  afterAll(async () => {
    for (const item of (await call("GET", "/sinks")).body ?? [])
      if (String(item.name).startsWith(prefix)) await call("DELETE", `/sinks/${item.id}`);
    for (const item of (await call("GET", "/sources")).body ?? [])
      if (String(item.name).startsWith(prefix)) await call("DELETE", `/sources/${item.id}`);
    for (const path of [`/materialized_views/${mv}`, `/views/${view}`, `/streams/${stream}`]) await call("DELETE", path);
    await target.tearDown();
  });

  it("creates a stream (201) and reads it back with the implicit _tp_time column", async () => {
    const created = await call("POST", "/streams", {
      name: stream,
      columns: [
        { name: "cid", type: "string" },
        { name: "speed", type: "float32", codec: "ZSTD(1)" },
      ],
    });
    expect(created.status).toBe(201);
    const read = await call("GET", `/streams/${stream}`);
    expect(read.status).toBe(200);
    const names = read.body.columns.map((column: { name: string }) => column.name);
    expect(names).toEqual(expect.arrayContaining(["cid", "speed", "_tp_time"]));
    expect(read.body.columns.find((column: { name: string }) => column.name === "speed").codec).toBe("CODEC(ZSTD(1))");
    expect(["append", ""]).toContain(read.body.mode);
  });

  it("lists streams as an array", async () => {
    const list = await call("GET", "/streams");
    expect(list.status).toBe(200);
    expect(list.body.some((item: { name: string }) => item.name === stream)).toBe(true);
  });

  it("refuses a duplicate with engine code 57 and the error body shape", async () => {
    const duplicate = await call("POST", "/streams", { name: stream, columns: [{ name: "x", type: "int8" }] });
    expect(duplicate.status).toBeGreaterThanOrEqual(400);
    expect(duplicate.body).toEqual({ code: 57, message: expect.any(String), system: expect.any(String) });
  });

  it("refuses a view over a stream that does not exist with code 60", async () => {
    const refused = await call("POST", "/views", { name: `${prefix}_nope`, query: `SELECT * FROM ${prefix}_missing` });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.code).toBe(60);
  });

  it("refuses bad SQL with code 62", async () => {
    const refused = await call("POST", "/views", { name: `${prefix}_bad`, query: `SELECT 'unterminated FROM ${stream}` });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.code).toBe(62);
  });

  it("creates a view and a materialized view, and updates the view's query with PATCH (204)", async () => {
    expect((await call("POST", "/views", { name: view, query: `SELECT cid FROM ${stream}` })).status).toBe(201);
    expect((await call("POST", "/materialized_views", { name: mv, query: `SELECT cid, speed FROM ${stream}` })).status).toBe(201);
    expect((await call("PATCH", `/views/${view}`, { query: `SELECT cid, speed FROM ${stream}` })).status).toBe(204);
    expect((await call("GET", `/views/${view}`)).body.query).toBe(`SELECT cid, speed FROM ${stream}`);
  });

  it("refuses to change a materialized view's query", async () => {
    const refused = await call("PATCH", `/materialized_views/${mv}`, { query: `SELECT cid FROM ${stream}` });
    expect(refused.status).toBeGreaterThanOrEqual(400);
  });

  it("updates a stream's retention with PATCH (200) and refuses to change its columns", async () => {
    const patched = await call("PATCH", `/streams/${stream}`, { logstore_retention_ms: 3600000 });
    expect(patched.status).toBe(200);
    expect(patched.body.logstore_retention_ms).toBe(3600000);
    const refused = await call("PATCH", `/streams/${stream}`, { columns: [{ name: "x", type: "int8" }] });
    expect(refused.status).toBeGreaterThanOrEqual(400);
  });

  it("reports dependencies in the topology", async () => {
    const topology = await call("GET", "/topology");
    expect(topology.status).toBe(200);
    const node = (name: string) => topology.body.nodes.find((item: { name: string }) => item.name === name);
    expect(node(stream)).toBeDefined();
    expect(node(view)).toBeDefined();
    const edges = [...(topology.body.edges ?? [])];
    expect(edges).toContainEqual({ source: node(stream).id, target: node(view).id });
  });

  describe("kinds with server ids", () => {
    let sinkId = "";
    let sourceId = "";

    it("creates a sink (201) with a server id, and never returns its credentials", async () => {
      const created = await call("POST", "/sinks", {
        name: `${prefix}_sink`,
        type: "http",
        query: `SELECT cid FROM ${stream}`,
        properties: { url: "https://example.com/hook", password: "contract-secret-1" },
      });
      expect(created.status).toBe(201);
      sinkId = created.body.id;
      expect(typeof sinkId).toBe("string");
      const read = await call("GET", `/sinks/${sinkId}`);
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain("contract-secret-1");
    });

    it("renames a sink in place with PATCH (200), keeping its id", async () => {
      const patched = await call("PATCH", `/sinks/${sinkId}`, { name: `${prefix}_sink2`, description: "renamed" });
      expect(patched.status).toBe(200);
      const listed = (await call("GET", "/sinks")).body.filter((item: { id: string }) => item.id === sinkId);
      expect(listed).toEqual([expect.objectContaining({ name: `${prefix}_sink2` })]);
    });

    it("updates a source only while it is stopped", async () => {
      const created = await call("POST", "/sources", {
        name: `${prefix}_src`,
        type: "stream_generator",
        stream,
        properties: { template: "iot" },
      });
      expect(created.status).toBe(201);
      sourceId = created.body.id;
      const refused = await call("PATCH", `/sources/${sourceId}`, { description: "while running" });
      if ((await call("GET", `/sources/${sourceId}`)).body.status === "running") {
        expect(refused.status).toBeGreaterThanOrEqual(400);
      }
      expect([202, 204]).toContain((await call("POST", `/sources/${sourceId}/stop`)).status);
      expect((await call("PATCH", `/sources/${sourceId}`, { description: "while stopped" })).status).toBe(200);
      expect([202, 204]).toContain((await call("POST", `/sources/${sourceId}/start`)).status);
    });

    it("deletes them with 204 and answers 404 for an unknown id", async () => {
      expect((await call("DELETE", `/sinks/${sinkId}`)).status).toBe(204);
      expect((await call("DELETE", `/sources/${sourceId}`)).status).toBe(204);
      expect((await call("GET", `/sinks/${sinkId}`)).status).toBe(404);
    });
  });

  it("refuses to drop a stream that a view reads, with code 630, and keeps it", async () => {
    const refused = await call("DELETE", `/streams/${stream}`);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.code).toBe(630);
    expect((await call("GET", `/streams/${stream}`)).status).toBe(200);
  });

  it("deletes with 204, dependents first, and answers 404 for what is gone", async () => {
    expect((await call("DELETE", `/materialized_views/${mv}`)).status).toBe(204);
    expect((await call("DELETE", `/views/${view}`)).status).toBe(204);
    expect((await call("DELETE", `/streams/${stream}`)).status).toBe(204);
    expect((await call("GET", `/streams/${stream}`)).status).toBe(404);
  });
});
