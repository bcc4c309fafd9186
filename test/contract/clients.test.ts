import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import { credentialHeaders } from "../helpers/contract.js";

/**
 * What the clients Timeplus users already have send and decode, replayed: the request bodies of
 * the Terraform provider (timeplus-io/terraform-provider-timeplus, internal/timeplus/*.go, current
 * and older versions) and the calls of the Python SDK (timeplus-io/gluon, python/, whose generated
 * models raise when a required response field is missing). Run against the built-in server
 * always, and against a real deployment when TIMEPLUS_ADDRESS is set (objects named
 * tpctl_clients_<random>, removed afterwards).
 */
interface Target {
  readonly label: string;
  readonly builtIn: boolean;
  api(): string;
  headers(): Record<string, string>;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
}

function builtInTarget(): Target {
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let dataDir = "";
  return {
    label: "the built-in server",
    builtIn: true,
    api: () => `${server?.url}/default/api`,
    headers: () => ({}),
    async setUp() {
      dataDir = await mkdtemp(join(tmpdir(), "tpctl-clients-"));
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
  const headers = credentialHeaders(env);
  return {
    label: "TIMEPLUS_ADDRESS",
    builtIn: false,
    api: () => `${address.replace(/\/+$/, "")}/${env["TIMEPLUS_WORKSPACE"] || "default"}/api`,
    headers: () => headers,
    setUp: async () => undefined,
    tearDown: async () => undefined,
  };
}

const targets = [builtInTarget(), realTarget(process.env)].filter((target): target is Target => target !== undefined);

interface Answer {
  readonly status: number;
  readonly body: any;
}

/** A request sent as given: the provider's older versions set no Content-Type, which fetch() would add. */
function send(url: string, method: string, headers: Record<string, string>, text?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const all = {
      accept: "application/json",
      ...headers,
      ...(text !== undefined ? { "content-length": String(Buffer.byteLength(text)) } : {}),
    };
    const request = httpRequest(url, { method, headers: all }, (response) => {
      let data = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (data += chunk));
      response.on("end", () => {
        let body: unknown = data;
        try {
          body = data === "" ? undefined : JSON.parse(data);
        } catch {
          // leave as text
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    request.on("error", reject);
    request.end(text);
  });
}

/** Fields the Python SDK's generated models require (they raise ValueError when one is None). */
const SDK_REQUIRED: Record<string, readonly string[]> = {
  alert: ["action", "description", "id", "instance", "message", "name", "properties", "severity", "status", "trigger_sql"],
  sink: ["description", "id", "message", "name", "properties", "query", "status", "type"],
  source: ["description", "id", "message", "name", "properties", "start_time", "status", "stream", "type"],
  stream: [
    "columns",
    "description",
    "engine",
    "logstore_retention_bytes",
    "logstore_retention_ms",
    "mode",
    "name",
    "ttl",
    "ttl_expression",
  ],
  view: [
    "columns",
    "description",
    "logstore_retention_bytes",
    "logstore_retention_ms",
    "materialized",
    "name",
    "query",
    "target_stream",
    "ttl",
    "ttl_expression",
  ],
  udf: ["name", "type"],
  dashboard: ["description", "id", "name", "panels"],
  saved_query: ["description", "id", "name", "sql", "tags"],
  external_stream: ["description", "name"],
  external_table: ["description", "name"],
  incident: ["id", "status", "timeline"],
  info: ["axion", "neutron", "orbit", "product_name", "proton"],
  build: ["build_time", "commit", "version"],
};

function expectDecodable(kind: string, value: any): void {
  for (const field of SDK_REQUIRED[kind] ?? []) {
    expect(value, `${kind}.${field}`).toHaveProperty(field);
    expect(value[field], `${kind}.${field}`).not.toBeNull();
  }
}

describe.each(targets)("clients Timeplus users already have, against $label", (target) => {
  const prefix = `tpctl_clients_${randomBytes(4).toString("hex")}`;
  const stream = `${prefix}_cars`;
  const logs = `${prefix}_logs`;
  const view = `${prefix}_fast`;
  const mv = `${prefix}_totals`;
  const target_stream = `${prefix}_totals_out`;
  const ids: Record<string, string> = {};

  /** As the Terraform provider sends it: JSON with Content-Type application/json, or (older versions) no Content-Type. */
  const provider = (method: string, path: string, body: unknown, withContentType = true): Promise<Answer> =>
    send(
      `${target.api()}/v1beta2${path}`,
      method,
      { ...target.headers(), ...(withContentType ? { "content-type": "application/json" } : {}) },
      JSON.stringify(body),
    );
  const sdk = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Answer> =>
    send(
      `${target.api()}${path}`,
      method,
      { ...target.headers(), "content-type": "application/json", ...extra },
      body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    );

  beforeAll(async () => {
    await target.setUp();
  });
  afterAll(async () => {
    for (const kind of ["alerts", "sinks", "sources", "dashboards", "savedqueries"]) {
      for (const item of (await sdk("GET", `/v1beta2/${kind}`)).body ?? [])
        if (String(item.name).startsWith(prefix)) await sdk("DELETE", `/v1beta2/${kind}/${item.id}`);
    }
    for (const path of [
      `/udfs/${prefix}_geo`,
      `/views/${view}`,
      `/views/${mv}`,
      `/streams/${target_stream}`,
      `/streams/${stream}`,
      `/streams/${logs}`,
    ]) {
      await sdk("DELETE", `/v1beta2${path}`);
    }
    await target.tearDown();
  });

  describe("Terraform provider request bodies", () => {
    it("creates a stream with the provider's whole model, without a Content-Type (older versions)", async () => {
      const body = {
        name: stream,
        description: "cars",
        columns: [
          { name: "cid", type: "string", codec: "", compression_codec: "" },
          { name: "speed", type: "float32", codec: "" },
        ],
        event_time_timezone: "",
        ttl: "",
        mode: "",
      };
      expect((await provider("POST", "/streams", body, false)).status).toBe(201);
      expect(
        (
          await provider("POST", "/streams", {
            name: target_stream,
            description: "",
            columns: [{ name: "cid", type: "string", codec: "" }],
            event_time_timezone: "",
            ttl: "",
          })
        ).status,
      ).toBe(201);
    });

    it("updates a stream with the whole model (unchanged columns and mode beside a new description), and refuses a changed column", async () => {
      const model = {
        name: stream,
        description: "cars, updated",
        columns: [
          { name: "cid", type: "string", codec: "" },
          { name: "speed", type: "float32", codec: "" },
        ],
        event_time_timezone: "",
        ttl: "",
        mode: "append",
        logstore_retention_ms: 86400000,
      };
      const updated = await provider("PATCH", `/streams/${stream}`, model);
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ description: "cars, updated" });
      const changed = await provider("PATCH", `/streams/${stream}`, {
        ...model,
        columns: [...model.columns, { name: "extra", type: "int8", codec: "" }],
      });
      expect(changed.status).toBeGreaterThanOrEqual(400);
    });

    it("creates and updates a view and a materialized view through /views with name and materialized in the body", async () => {
      expect(
        (await provider("POST", "/views", { name: view, description: "", query: `SELECT cid FROM ${stream}`, materialized: false })).status,
      ).toBe(201);
      expect(
        (
          await provider("PATCH", `/views/${view}`, {
            name: view,
            description: "fast ones",
            query: `SELECT cid, speed FROM ${stream}`,
            materialized: false,
          })
        ).status,
      ).toBe(204);
      const mvQuery = `SELECT cid FROM ${stream}`;
      const mvBody = { name: mv, description: "", query: mvQuery, materialized: true, target_stream };
      expect((await provider("POST", "/views", mvBody)).status).toBe(201);
      expect((await provider("PATCH", `/views/${mv}`, { ...mvBody, description: "totals", ttl: "" })).status).toBe(204);
      expect(
        (await provider("PATCH", `/views/${mv}`, { ...mvBody, query: `SELECT cid FROM ${stream} WHERE speed > 1` })).status,
      ).toBeGreaterThanOrEqual(400);
    });

    it("creates sinks, sources, dashboards and alerts with an empty id, and updates them with the whole model", async () => {
      const sink = {
        id: "",
        name: `${prefix}_out`,
        description: "",
        query: `SELECT cid FROM ${stream}`,
        type: "http",
        properties: { url: "https://example.com/in" },
      };
      const createdSink = await provider("POST", "/sinks", sink);
      expect(createdSink.status).toBe(201);
      ids["sink"] = createdSink.body.id;
      expect((await provider("PUT", `/sinks/${ids["sink"]}`, { ...sink, id: ids["sink"], description: "out" })).status).toBe(200);

      const source = { id: "", name: `${prefix}_gen`, description: "", stream, type: "stream_generator", properties: { template: "iot" } };
      const createdSource = await provider("POST", "/sources", source);
      expect(createdSource.status).toBe(201);
      ids["source"] = createdSource.body.id;
      // The provider does not stop a source first: a running source's update is refused.
      expect(
        (await provider("PUT", `/sources/${ids["source"]}`, { ...source, id: ids["source"], description: "x" })).status,
      ).toBeGreaterThanOrEqual(400);
      await sdk("POST", `/v1beta2/sources/${ids["source"]}/stop`);
      expect((await provider("PUT", `/sources/${ids["source"]}`, { ...source, id: ids["source"], description: "x" })).status).toBe(200);

      const panel = {
        id: "p1",
        title: "speed",
        description: "",
        position: { x: 0, y: 0, w: 6, h: 4 },
        viz_type: "chart",
        viz_content: `SELECT cid FROM ${stream}`,
        viz_config: {},
      };
      const dashboard = { id: "", name: `${prefix}_board`, description: "", panels: [panel] };
      const createdDashboard = await provider("POST", "/dashboards", dashboard);
      expect(createdDashboard.status).toBe(201);
      expect(
        (await provider("PUT", `/dashboards/${createdDashboard.body.id}`, { ...dashboard, id: createdDashboard.body.id, description: "d" }))
          .status,
      ).toBe(200);

      const alert = {
        id: "",
        name: `${prefix}_fast`,
        description: "",
        severity: 1,
        action: "http",
        properties: { url: "https://example.com/alert" },
        trigger_sql: `SELECT cid FROM ${stream} WHERE speed > 100`,
        resolve_sql: "",
      };
      const createdAlert = await provider("POST", "/alerts", alert);
      expect(createdAlert.status).toBe(201);
      ids["alert"] = createdAlert.body.id;
      expect((await provider("PUT", `/alerts/${ids["alert"]}`, { ...alert, id: ids["alert"], severity: 2 })).status).toBe(200);
    });

    it("creates a remote UDF", async () => {
      const udf = {
        name: `${prefix}_geo`,
        description: "",
        type: "remote",
        arguments: [{ name: "ip", type: "string" }],
        return_type: "string",
        url: "https://udf.example.com/geo",
        auth_method: "none",
      };
      expect((await provider("POST", "/udfs", udf)).status).toBe(201);
      expect((await provider("PUT", `/udfs/${udf.name}`, { ...udf, description: "geo" })).status).toBe(200);
    });

    it.runIf(target.builtIn)("refuses a body sent as text/plain or as a form, which a web page could send", async () => {
      for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
        const refused = await send(
          `${target.api()}/v1beta2/streams`,
          "POST",
          { "content-type": type },
          JSON.stringify({ name: `${prefix}_csrf`, columns: [{ name: "a", type: "string" }] }),
        );
        expect(refused.status).toBe(415);
      }
    });
  });

  describe("Python SDK calls", () => {
    it("decodes /info", async () => {
      const info = await sdk("GET", "/info");
      expect(info.status).toBe(200);
      expectDecodable("info", info.body);
      expectDecodable("build", info.body.proton);
    });

    it("decodes alerts on create, list, get and update (each needs instance)", async () => {
      const body = {
        name: `${prefix}_sdk_alert`,
        description: "",
        severity: 1,
        action: "http",
        properties: { url: "https://example.com" },
        trigger_sql: `SELECT cid FROM ${stream}`,
      };
      const created = await sdk("POST", "/v1beta2/alerts", body);
      expect(created.status).toBe(201);
      expectDecodable("alert", created.body);
      expectDecodable("incident", created.body.instance);
      for (const item of (await sdk("GET", "/v1beta2/alerts")).body) expectDecodable("alert", item);
      expectDecodable("alert", (await sdk("GET", `/v1beta2/alerts/${created.body.id}`)).body);
      expectDecodable("alert", (await sdk("PUT", `/v1beta2/alerts/${created.body.id}`, { ...body, severity: 3 })).body);
    });

    it("decodes every kind it lists", async () => {
      await sdk("POST", "/v1beta2/savedqueries", { name: `${prefix}_q`, sql: "SELECT 1" });
      const lists: [string, string][] = [
        ["sink", "/sinks"],
        ["source", "/sources"],
        ["stream", "/streams"],
        ["view", "/views"],
        ["udf", "/udfs"],
        ["dashboard", "/dashboards"],
        ["saved_query", "/savedqueries"],
        ["external_stream", "/external_streams"],
        ["external_table", "/external_tables"],
      ];
      for (const [kind, path] of lists) {
        const list = await sdk("GET", `/v1beta2${path}`);
        expect(list.status, path).toBe(200);
        for (const item of list.body) expectDecodable(kind, item);
      }
    });

    it("ingests compact JSON and lines, and reads stream stats", async () => {
      expect(
        (
          await sdk("POST", `/v1beta2/streams/${stream}/ingest`, {
            columns: ["cid", "speed"],
            data: [
              ["c1", 1.5],
              ["c2", 2],
            ],
          })
        ).status,
      ).toBe(200);
      await sdk("POST", "/v1beta2/streams", { name: logs, columns: [{ name: "raw", type: "string" }] });
      // Stream.ingest(payload=..., format="lines"): the SDK keeps its JSON content type and sets ?format=.
      expect((await sdk("POST", `/v1beta2/streams/${logs}/ingest?format=lines`, '{"time":1}\n{"time":2}')).status).toBe(200);
      const stats = await sdk("GET", `/v1beta2/streams/${stream}/stats`);
      expect(stats.status).toBe(200);
      expect(typeof stats.body.row_count).toBe("number");
      if (target.builtIn) expect(stats.body.row_count).toBe(2);
    });

    it("reads view, source and sink stats", async () => {
      expect((await sdk("GET", `/v1beta2/views/${view}/stats`)).status).toBe(200);
      const ranges = "?error_log_time_range=1d&metrics_time_range=10m";
      const source = await sdk("GET", `/v1beta2/sources/${ids["source"]}/stats${ranges}`);
      expect(source.status).toBe(200);
      for (const field of ["errors", "failure_count", "success_count", "throughput"]) expect(source.body).toHaveProperty(field);
      const sink = await sdk("GET", `/v1beta2/sinks/${ids["sink"]}/stats${ranges}`);
      expect(sink.status).toBe(200);
      for (const field of ["errors", "failure_count", "success_count", "throughput"]) expect(sink.body).toHaveProperty(field);
    });

    it("analyses and formats SQL", async () => {
      const analysis = await sdk("POST", "/v1beta2/sqlanalyze", { sql: `SELECT cid, count() FROM ${stream} GROUP BY cid` });
      expect(analysis.status).toBe(200);
      expect(analysis.body).toMatchObject({ has_aggr: true, is_streaming: true });
      expect(analysis.body.required_columns).toEqual(expect.arrayContaining([expect.objectContaining({ column: "cid", table: stream })]));
      const formatted = await sdk("POST", "/v1beta2/format", { sql: `select cid from ${stream}` });
      expect(formatted.status).toBe(200);
      expect(typeof formatted.body.sql).toBe("string");
    });

    it.runIf(target.builtIn)("previews a generator source, and answers queries with 501 and a sentence", async () => {
      const preview = await sdk("POST", "/v1beta2/source/preview", { type: "stream_generator", properties: {}, size: 2, timeout: "1m" });
      expect(preview.status).toBe(200);
      expect(preview.body).toHaveLength(2);
      const query = await sdk("POST", "/v1beta2/queries", { sql: `SELECT * FROM ${stream}` });
      expect(query.status).toBe(501);
      expect(query.body.message).toMatch(/does not run queries/);
    });
  });
});
