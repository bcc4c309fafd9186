import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REST_KINDS } from "../kinds/index.js";
import { normalizeWorkspace, type ListedKind } from "../drivers/rest/normalize.js";
import type { JsonObject, Kind, LiveResource } from "../model/index.js";
import { LiveResource as LiveResourceFactory, readOwnershipMarker, readSchemaOwnershipMarker } from "../model/index.js";
import { assemblePlan } from "../plan/plan.js";
import { callsForStep } from "../drivers/rest/calls.js";
import { renderExportReport } from "../render/export.js";
import { adoptionFor, type Adoption } from "./adopt.js";
import { assembleExport, type ExportBundle } from "./assemble.js";
import { readSchemas } from "../manifest/load.js";
import { assembleManifests } from "../manifest/assemble.js";

/** What the list endpoints return for a workspace holding every REST kind (shapes as server/kinds/*.ts render them). */
const API: Partial<Record<Kind, JsonObject[]>> = {
  schema: [
    { name: "car", type: "Protobuf", content: 'syntax = "proto3";\nmessage Car { string cid = 1; }\n', created_at: "2026-01-01 00:00:00" },
  ],
  udf: [
    {
      name: "js_add",
      type: "javascript",
      description: "",
      arguments: [{ name: "a", type: "float64" }],
      return_type: "float64",
      url: "",
      auth_method: "",
      source: "function js_add(a) {\n  return a.map(x => x + 1);\n}\n",
      is_aggregation: false,
    },
    {
      name: "remote_f",
      type: "remote",
      description: "",
      arguments: [{ name: "a", type: "string" }],
      return_type: "string",
      url: "http://x/y",
      auth_method: "auth_header",
      auth_context: { key_name: "X-Key" },
      source: "",
      is_aggregation: false,
    },
  ],
  stream: [
    {
      name: "car_live_data",
      description: "live",
      engine: "Stream",
      is_external: false,
      mode: "append",
      primary_key: "",
      columns: [
        { name: "cid", type: "string", default: "", codec: "CODEC(ZSTD(1))", nullable: false },
        { name: "speed_kmh", type: "float32", default: "", codec: "", nullable: false },
        { name: "_tp_time", type: "datetime64(3, 'UTC')", default: "now64(3, 'UTC')", codec: "CODEC(DoubleDelta, LZ4)", nullable: false },
      ],
      logstore_retention_bytes: 0,
      logstore_retention_ms: 86400000,
      ttl: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      created_at: "2026-01-01 00:00:00",
    },
    {
      name: "events",
      description: "[tpctl:billing]",
      engine: "Stream",
      mode: "versioned_kv",
      primary_key: "id",
      columns: [
        { name: "id", type: "string", default: "", codec: "", nullable: false, comment: "key" },
        { name: "ts", type: "datetime64(3)", default: "", codec: "", nullable: false },
        { name: "_tp_time", type: "datetime64(3, 'UTC')", default: "ts", codec: "CODEC(DoubleDelta, LZ4)", nullable: false },
        { name: "_tp_sn", type: "int64", default: "", codec: "", nullable: false },
      ],
      logstore_retention_bytes: 0,
      logstore_retention_ms: 0,
      ttl_expression: "",
    },
  ],
  external_stream: [
    {
      name: "ext_k",
      description: "",
      type: "kafka",
      settings: [
        { key: "type", value: "kafka" },
        { key: "brokers", value: "k:9092" },
        { key: "sasl_password", value: "******" },
      ],
      columns: [{ name: "raw", type: "string", default: "", codec: "", nullable: false }],
    },
  ],
  external_table: [
    {
      name: "ext_t",
      description: "",
      type: "clickhouse",
      settings: [
        { key: "type", value: "clickhouse" },
        { key: "address", value: "ch:9000" },
      ],
    },
  ],
  source: [
    {
      id: "src-1",
      name: "gen",
      description: "",
      type: "stream_generator",
      stream: "car_live_data",
      properties: { template: "iot", interval: 1000, token: "" },
      status: "running",
    },
  ],
  view: [
    {
      id: "fast_cars",
      name: "fast_cars",
      description: "",
      query: "SELECT cid, speed_kmh\nFROM car_live_data\nWHERE speed_kmh > 100",
      materialized: false,
      target_stream: "",
      columns: [],
    },
    { name: "templated", description: "", query: "SELECT '${not_a_reference}' AS t FROM car_live_data", materialized: false },
  ],
  materialized_view: [
    {
      name: "totals_mv",
      description: "",
      query: "SELECT cid, count() AS n FROM car_live_data GROUP BY cid",
      target_stream: "events",
      logstore_retention_bytes: -1,
      logstore_retention_ms: -1,
      ttl_expression: "",
    },
  ],
  sink: [
    {
      id: "sink-1",
      name: "alerts_out",
      description: "",
      type: "http",
      query: "SELECT * FROM fast_cars",
      properties: { url: "http://h", oauth2: { enabled: true } },
      status: "running",
    },
    {
      id: "sink-2",
      name: "slack_out",
      description: "",
      type: "slack",
      query: "SELECT * FROM fast_cars",
      properties: { template: "hi" },
      status: "running",
    },
  ],
  alert: [
    {
      id: "alert-1",
      name: "too_fast",
      description: "",
      severity: 1,
      action: "slack",
      trigger_sql: "SELECT * FROM car_live_data WHERE speed_kmh > 200",
      resolve_sql: "",
      properties: {},
      status: "running",
    },
  ],
  dashboard: [
    {
      id: "dash-1",
      name: "Fleet",
      description: "d",
      panels: [
        {
          id: "p1",
          title: "Speed",
          description: "",
          position: { x: 0, y: 0, w: 6, h: 4 },
          viz_type: "chart",
          viz_content: "SELECT avg(speed_kmh)\nFROM car_live_data",
          viz_config: { chartType: "line" },
        },
      ],
    },
    { id: "dash-2", name: "Ops/fleet", description: "", panels: [] },
  ],
  saved_query: [{ id: "q-1", name: "q1", description: "", sql: "SELECT 1", tags: ["a", "b"] }],
};

const SECRETS = {
  TPCTL_SOURCE_GEN_TOKEN: "t0k",
  TPCTL_SINK_ALERTS_OUT_OAUTH2_CLIENT_KEY: "ck",
  TPCTL_SINK_ALERTS_OUT_OAUTH2_CLIENT_SECRET: "cs",
  TPCTL_SINK_SLACK_OUT_URL: "https://hooks.slack.com/services/x",
  TPCTL_ALERT_TOO_FAST_URL: "https://hooks.slack.com/services/y",
  TPCTL_UDF_REMOTE_F_AUTH_CONTEXT_KEY_VALUE: "k3y",
  TPCTL_EXTERNAL_STREAM_EXT_K_SASL_PASSWORD: "pw",
};

function liveWorkspace(): LiveResource[] {
  const lists: ListedKind[] = REST_KINDS.map((kind) => ({ kind, items: API[kind] ?? [] }));
  return normalizeWorkspace(lists, undefined);
}

function fileOf(bundle: ExportBundle, path: string): string {
  const file = bundle.files.find((candidate) => candidate.path === path);
  if (!file) throw new Error(`no ${path} in ${bundle.files.map((candidate) => candidate.path).join(", ")}`);
  return file.content;
}

async function planOf(bundle: ExportBundle, live: readonly LiveResource[], environment: Record<string, string>) {
  const [projectFile, ...files] = bundle.files.map((file) => ({ file: file.path, text: file.content }));
  const assembled = assembleManifests({ files, ...(projectFile ? { projectFile } : {}), environment, schemas: await readSchemas() });
  expect(assembled.issues).toEqual([]);
  return { plan: assemblePlan(assembled.resources, live, { project: assembled.project }), assembled };
}

describe("assembleExport", () => {
  it("writes one file per resource, grouped by kind, and a tpctl.yaml", () => {
    const bundle = assembleExport(liveWorkspace(), { project: "fleet" });
    expect(bundle.files.map((file) => file.path)).toEqual([
      "tpctl.yaml",
      "schemas/car.yaml",
      "udfs/js_add.yaml",
      "udfs/remote_f.yaml",
      "streams/car_live_data.yaml",
      "streams/events.yaml",
      "external_streams/ext_k.yaml",
      "external_tables/ext_t.yaml",
      "sources/gen.yaml",
      "views/fast_cars.yaml",
      "views/templated.yaml",
      "materialized_views/totals_mv.yaml",
      "sinks/alerts_out.yaml",
      "sinks/slack_out.yaml",
      "alerts/too_fast.yaml",
      "dashboards/Fleet.yaml",
      "saved_queries/q1.yaml",
    ]);
    expect(fileOf(bundle, "tpctl.yaml")).toBe("project: fleet\n");
    expect(bundle.skipped).toEqual([
      {
        address: "dashboard/Ops/fleet",
        reason:
          'a manifest cannot declare the name "Ops/fleet" (a name has 1 to 256 characters and no slash or line break); rename it in Timeplus to manage it with tpctl',
      },
    ]);
  });

  it("leaves out defaults and implicit columns, unwraps codecs and keeps SQL readable", () => {
    const bundle = assembleExport(liveWorkspace(), { project: "fleet" });
    expect(fileOf(bundle, "streams/car_live_data.yaml")).toMatchInlineSnapshot(`
      "kind: stream
      name: car_live_data
      description: live
      columns:
        - { name: cid, type: string, codec: ZSTD(1) }
        - { name: speed_kmh, type: float32 }
      logstore_retention_ms: 86400000
      ttl_expression: to_datetime(_tp_time) + INTERVAL 1 DAY
      "
    `);
    // A `_tp_time` with its own default is the user's; other `_tp_*` internals are not.
    expect(fileOf(bundle, "streams/events.yaml")).toMatchInlineSnapshot(`
      "kind: stream
      name: events
      columns:
        - { name: id, type: string, comment: key }
        - { name: ts, type: datetime64(3) }
        - { name: _tp_time, type: "datetime64(3, 'UTC')", default: ts, codec: "DoubleDelta, LZ4" }
      mode: versioned_kv
      primary_key: id
      "
    `);
    expect(fileOf(bundle, "views/fast_cars.yaml")).toMatchInlineSnapshot(`
      "kind: view
      name: fast_cars
      query: |-
        SELECT cid, speed_kmh
        FROM car_live_data
        WHERE speed_kmh > 100
      "
    `);
    expect(fileOf(bundle, "views/templated.yaml")).toContain("query: SELECT '$${not_a_reference}' AS t FROM car_live_data\n");
    expect(fileOf(bundle, "materialized_views/totals_mv.yaml")).toMatchInlineSnapshot(`
      "kind: materialized_view
      name: totals_mv
      query: SELECT cid, count() AS n FROM car_live_data GROUP BY cid
      target_stream: events
      "
    `);
    expect(fileOf(bundle, "udfs/js_add.yaml")).toMatchInlineSnapshot(`
      "kind: udf
      name: js_add
      type: javascript
      arguments:
        - { name: a, type: float64 }
      return_type: float64
      source: |
        function js_add(a) {
          return a.map(x => x + 1);
        }
      "
    `);
    expect(fileOf(bundle, "saved_queries/q1.yaml")).toMatchInlineSnapshot(`
      "kind: saved_query
      name: q1
      sql: SELECT 1
      tags: [ a, b ]
      "
    `);
  });

  it("writes secrets as environment references, lists them, and never writes a value", () => {
    const bundle = assembleExport(liveWorkspace(), { project: "fleet" });
    expect(fileOf(bundle, "sinks/alerts_out.yaml")).toMatchInlineSnapshot(`
      "# The Timeplus API does not return secrets, so this manifest reads them from the environment.
      # Set these variables before tpctl plan or apply:
      #   TPCTL_SINK_ALERTS_OUT_OAUTH2_CLIENT_KEY     properties.oauth2.client_key
      #   TPCTL_SINK_ALERTS_OUT_OAUTH2_CLIENT_SECRET  properties.oauth2.client_secret
      kind: sink
      name: alerts_out
      type: http
      query: SELECT * FROM fast_cars
      properties:
        url: http://h
        oauth2:
          enabled: true
          client_key: \${secret:TPCTL_SINK_ALERTS_OUT_OAUTH2_CLIENT_KEY}
          client_secret: \${secret:TPCTL_SINK_ALERTS_OUT_OAUTH2_CLIENT_SECRET}
      "
    `);
    expect(fileOf(bundle, "external_streams/ext_k.yaml")).toContain(
      '  - { key: sasl_password, value: "${secret:TPCTL_EXTERNAL_STREAM_EXT_K_SASL_PASSWORD}" }\n',
    );
    expect(bundle.secrets.map((secret) => `${secret.address} ${secret.pointer} ${secret.envVar}`)).toEqual([
      "udf/remote_f /auth_context/key_value TPCTL_UDF_REMOTE_F_AUTH_CONTEXT_KEY_VALUE",
      "external_stream/ext_k /settings/2/value TPCTL_EXTERNAL_STREAM_EXT_K_SASL_PASSWORD",
      "source/gen /properties/token TPCTL_SOURCE_GEN_TOKEN",
      "sink/alerts_out /properties/oauth2/client_key TPCTL_SINK_ALERTS_OUT_OAUTH2_CLIENT_KEY",
      "sink/alerts_out /properties/oauth2/client_secret TPCTL_SINK_ALERTS_OUT_OAUTH2_CLIENT_SECRET",
      "sink/slack_out /properties/url TPCTL_SINK_SLACK_OUT_URL",
      "alert/too_fast /properties/url TPCTL_ALERT_TOO_FAST_URL",
    ]);
    const everything = bundle.files.map((file) => file.content).join("\n");
    expect(everything).not.toContain("******");
    // Each file parses back to plain data with the reference where the secret was.
    expect(parse(fileOf(bundle, "udfs/remote_f.yaml")).auth_context).toEqual({
      key_name: "X-Key",
      key_value: "${secret:TPCTL_UDF_REMOTE_F_AUTH_CONTEXT_KEY_VALUE}",
    });
  });

  it("gives two names that differ only in case distinct files and variables", () => {
    const resource = (name: string): LiveResource =>
      LiveResourceFactory.create({ kind: "sink", name, id: name, spec: { name, type: "slack", query: "SELECT 1", properties: {} } });
    const bundle = assembleExport([resource("a_b"), resource("A_B")], { project: "p" });
    expect(bundle.files.map((file) => file.path)).toEqual(["tpctl.yaml", "sinks/A_B.yaml", "sinks/a_b-2.yaml"]);
    expect(bundle.secrets.map((secret) => secret.envVar)).toEqual(["TPCTL_SINK_A_B_URL", "TPCTL_SINK_A_B_URL_2"]);
  });

  it("round-trips: the exported manifests plan no changes against the workspace they came from", async () => {
    const live = liveWorkspace();
    const bundle = assembleExport(live, { project: "fleet" });
    const { plan, assembled } = await planOf(bundle, live, SECRETS);
    expect(plan.changes).toEqual([]);
    expect(plan.unmanaged).toEqual(["dashboard/Ops/fleet"]);
    expect(assembled.resources).toHaveLength(live.length - 1);
  });

  it("exports a dashboard named freely, as the Timeplus UI allows", async () => {
    const dashboard = LiveResourceFactory.create({
      kind: "dashboard",
      name: "Fleet overview",
      id: "d9",
      spec: { name: "Fleet overview", description: "", panels: [] },
    });
    const bundle = assembleExport([dashboard], { project: "fleet" });
    expect(bundle.files.map((file) => file.path)).toEqual(["tpctl.yaml", "dashboards/Fleet_overview.yaml"]);
    expect(bundle.skipped).toEqual([]);
    const { plan, assembled } = await planOf(bundle, [dashboard], {});
    expect(assembled.resources.map((resource) => resource.address)).toEqual(["dashboard/Fleet overview"]);
    expect(plan.changes).toEqual([]);
  });

  it("keeps a numeric project name a string", () => {
    expect(assembleExport([], { project: "2024" }).files).toEqual([{ path: "tpctl.yaml", content: 'project: "2024"\n' }]);
  });

  it("is byte-for-byte stable", () => {
    expect(assembleExport(liveWorkspace(), { project: "fleet" })).toEqual(assembleExport(liveWorkspace().reverse(), { project: "fleet" }));
  });
});

/** An adoption with the REST calls its step makes (drivers/rest/calls.ts), as the REST driver sends them. */
function restCalls(adoption: Adoption) {
  if (adoption.action === "skip") return adoption;
  const { address, action, step, change, unfingerprinted } = adoption;
  return { address, action, calls: callsForStep(step, change, "fleet"), unfingerprinted };
}

describe("adoptionFor", () => {
  const bundle = assembleExport(liveWorkspace(), { project: "fleet" });
  const adopt = (address: string, environment: Record<string, string> = SECRETS) => {
    const exported = bundle.resources.find((resource) => resource.resource.address === address);
    if (!exported) throw new Error(`no ${address}`);
    return restCalls(adoptionFor(exported, { project: "fleet", environment }));
  };

  it("patches the description of streams, views and MVs, and of sinks and sources with their name", () => {
    expect(adopt("stream/car_live_data")).toEqual({
      address: "stream/car_live_data",
      action: "adopt",
      calls: [{ method: "PATCH", path: "/streams/car_live_data", body: { description: "live [tpctl:fleet]" } }],
      unfingerprinted: [],
    });
    expect(adopt("materialized_view/totals_mv")).toMatchObject({
      calls: [{ method: "PATCH", path: "/materialized_views/totals_mv", body: { description: "[tpctl:fleet]" } }],
    });
    const sink = adopt("sink/slack_out");
    expect(sink).toMatchObject({ calls: [{ method: "PATCH", path: "/sinks/sink-2", body: { name: "slack_out" } }], unfingerprinted: [] });
    // The marker carries the fingerprint of the secret from the environment, as apply would write it.
    expect(sink.action === "adopt" && readOwnershipMarker(String((sink.calls[0]?.body as JsonObject)["description"]))).toEqual({
      description: "",
      owner: "fleet",
      secretsFingerprint: expect.stringMatching(/^[0-9a-f]{4}$/),
    });
  });

  it("stops a running source around its update", () => {
    const source = adopt("source/gen");
    expect(source.action === "adopt" && source.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      "POST /sources/src-1/stop",
      "PATCH /sources/src-1",
      "POST /sources/src-1/start",
    ]);
  });

  it("puts the whole body of alerts, dashboards, UDFs, saved queries and schemas, secrets from the environment", () => {
    expect(adopt("saved_query/q1")).toMatchObject({
      calls: [
        { method: "PUT", path: "/savedqueries/q-1", body: { name: "q1", sql: "SELECT 1", tags: ["a", "b"], description: "[tpctl:fleet]" } },
      ],
    });
    const udf = adopt("udf/remote_f");
    expect(udf.action === "adopt" && udf.calls[0]?.body).toMatchObject({ auth_context: { key_name: "X-Key", key_value: "k3y" } });
    const schema = adopt("schema/car");
    expect(schema.action === "adopt" && schema.calls).toEqual([
      {
        method: "PUT",
        path: "/schemas/car",
        body: { name: "car", type: "Protobuf", content: 'syntax = "proto3";\nmessage Car { string cid = 1; }\n// [tpctl:fleet]\n' },
      },
    ]);
    expect(schema.action === "adopt" && readSchemaOwnershipMarker(String((schema.calls[0]?.body as JsonObject)["content"])).owner).toBe(
      "fleet",
    );
    expect(adopt("alert/too_fast")).toMatchObject({
      calls: [{ method: "PUT", path: "/alerts/alert-1", body: { properties: { url: SECRETS.TPCTL_ALERT_TOO_FAST_URL } } }],
    });
  });

  it("refuses what cannot be adopted, and says why", () => {
    expect(adopt("external_stream/ext_k")).toEqual({
      address: "external_stream/ext_k",
      action: "skip",
      reason:
        "external streams cannot be updated through the API, so no ownership marker can be written; delete it by hand when its manifest goes",
    });
    expect(adopt("stream/events")).toEqual({ address: "stream/events", action: "skip", reason: 'owned by project "billing"; left to it' });
    expect(adopt("alert/too_fast", {})).toEqual({
      address: "alert/too_fast",
      action: "skip",
      reason: "updating it means sending its whole body, secrets included, and TPCTL_ALERT_TOO_FAST_URL is not set",
    });
    // A PATCH leaves secrets alone: adopted, but without a fingerprint the next apply rewrites them.
    expect(adopt("sink/slack_out", {})).toMatchObject({ action: "adopt", unfingerprinted: [{ envVar: "TPCTL_SINK_SLACK_OUT_URL" }] });
  });

  it("leaves a plan of the export with no changes once adopted, and then deletes what loses its manifest", async () => {
    const live = liveWorkspace();
    const exportBundle = assembleExport(live, { project: "fleet" });
    const adopted = live.map((resource) => {
      const exported = exportBundle.resources.find((candidate) => candidate.resource.address === resource.address);
      const adoption = exported && restCalls(adoptionFor(exported, { project: "fleet", environment: SECRETS }));
      if (!adoption || adoption.action === "skip") return resource;
      const body = adoption.calls.find((call) => call.method !== "POST")?.body as JsonObject;
      const marker =
        resource.kind === "schema" ? readSchemaOwnershipMarker(String(body["content"])) : readOwnershipMarker(String(body["description"]));
      return LiveResourceFactory.create({
        ...resource,
        ...(marker.owner !== undefined ? { owner: marker.owner } : {}),
        ...(marker.secretsFingerprint !== undefined ? { secretsFingerprint: marker.secretsFingerprint } : {}),
      });
    });
    expect(adopted.filter((resource) => resource.owner !== "fleet").map((resource) => resource.address)).toEqual([
      "stream/events",
      "external_stream/ext_k",
      "external_table/ext_t",
      "dashboard/Ops/fleet",
    ]);
    expect((await planOf(exportBundle, adopted, SECRETS)).plan.changes).toEqual([]);

    const without = { ...exportBundle, files: exportBundle.files.filter((file) => file.path !== "saved_queries/q1.yaml") };
    const { plan } = await planOf(without, adopted, SECRETS);
    expect(plan.changes.map((change) => `${change.action} ${change.address}`)).toEqual(["delete saved_query/q1"]);
  });
});

describe("renderExportReport", () => {
  it("lists the files, the variables to set and what was adopted", () => {
    const bundle = assembleExport(liveWorkspace(), { project: "fleet" });
    const text = renderExportReport({
      source: "http://127.0.0.1:8000 (workspace default)",
      folder: "exported",
      project: "fleet",
      resourceCount: 2,
      files: [
        { path: "exported/tpctl.yaml", unchanged: true },
        { path: "exported/sinks/slack_out.yaml", unchanged: false },
      ],
      secrets: bundle.secrets.filter((secret) => secret.address === "sink/slack_out"),
      skipped: bundle.skipped,
      adoption: [
        { address: "sink/slack_out", status: "adopted", unfingerprinted: [] },
        { address: "external_stream/ext_k", status: "skipped", reason: "external streams cannot be updated through the API" },
        { address: "view/v", status: "failed", error: "PATCH /views/v failed with HTTP 500" },
      ],
    });
    expect(text).toMatchInlineSnapshot(`
      "Exported 2 resources from http://127.0.0.1:8000 (workspace default) into exported/:
        exported/tpctl.yaml (unchanged)
        exported/sinks/slack_out.yaml

      Not exported:
        dashboard/Ops/fleet: a manifest cannot declare the name "Ops/fleet" (a name has 1 to 256 characters and no slash or line break); rename it in Timeplus to manage it with tpctl

      The API does not return secrets, so the manifests read them from these environment variables;
      set them before tpctl plan or apply:
        TPCTL_SINK_SLACK_OUT_URL  sink/slack_out properties.url

      Adopted into project "fleet" (removing a manifest now deletes its resource):
        sink/slack_out
      Not adopted:
        external_stream/ext_k: external streams cannot be updated through the API
      Failed to adopt:
        view/v: PATCH /views/v failed with HTTP 500

      A plan of them should show no changes: tpctl plan exported
      "
    `);
  });

  it("tells how to adopt when --adopt was not given", () => {
    const text = renderExportReport({
      source: "s",
      folder: "out",
      project: "fleet",
      resourceCount: 1,
      files: [],
      secrets: [],
      skipped: [],
    });
    expect(text).toContain("adopt them: tpctl export --out out --adopt --project fleet\n");
  });
});

describe("export of credentials the API returns or hides", () => {
  const sink = (properties: JsonObject, extra: JsonObject = {}) =>
    LiveResourceFactory.create({ kind: "sink", name: "out", spec: { name: "out", type: "http", query: "SELECT 1", properties, ...extra } });

  it("writes a ${secret:…} reference for a credential in a returned field, never the value", () => {
    const bundle = assembleExport(
      [
        sink(
          { url: "https://hooks.example/in?token=abc123secret", http_header: "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9" },
          { description: "password=hunter2" },
        ),
      ],
      { project: "p" },
    );
    const file = fileOf(bundle, "sinks/out.yaml");
    for (const value of ["abc123secret", "eyJhbGciOiJIUzI1NiJ9", "hunter2"]) expect(file).not.toContain(value);
    expect(parse(file)).toMatchObject({
      description: "${secret:TPCTL_SINK_OUT_DESCRIPTION}",
      properties: { url: "${secret:TPCTL_SINK_OUT_URL}", http_header: "${secret:TPCTL_SINK_OUT_HTTP_HEADER}" },
    });
    expect(bundle.secrets.map((secret) => secret.envVar).sort()).toEqual([
      "TPCTL_SINK_OUT_DESCRIPTION",
      "TPCTL_SINK_OUT_HTTP_HEADER",
      "TPCTL_SINK_OUT_URL",
    ]);
  });

  it("writes the password the API hides when a user name implies it, so the export never wipes it", () => {
    const bundle = assembleExport([sink({ brokers: "k:9092", topic: "t", sasl_username: "svc", username: "svc" }, { type: "kafka" })], {
      project: "p",
    });
    expect(parse(fileOf(bundle, "sinks/out.yaml")).properties).toMatchObject({
      password: "${secret:TPCTL_SINK_OUT_PASSWORD}",
      sasl_password: "${secret:TPCTL_SINK_OUT_SASL_PASSWORD}",
    });
    expect(
      renderExportReport({
        source: "s",
        folder: "exported",
        project: "p",
        resourceCount: 1,
        files: [],
        skipped: [],
        secrets: bundle.secrets,
      }),
    ).toContain("TPCTL_SINK_OUT_PASSWORD");
  });

  it("leaves SQL and ordinary text alone", () => {
    const bundle = assembleExport(
      [
        sink(
          { url: "https://example.com/ingest?batch=1" },
          { query: "SELECT * FROM t WHERE token = 'x'", description: "sends tokens onward" },
        ),
      ],
      {
        project: "p",
      },
    );
    expect(bundle.secrets).toEqual([]);
  });
});
