import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv } from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import type { ManifestIssue } from "../errors.js";
import { isJsonObject, KINDS, type JsonObject } from "../model/index.js";
import { DEFAULT_SCHEMA_DIR, readSchemas } from "./load.js";
import { parseManifestText } from "./parse.js";
import { closest, editDistance } from "../model/index.js";
import type { SchemaSet } from "./schemas.js";
import { validateDocuments, type ResolvedDocument } from "./validate.js";

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await readSchemas();
});

function validate(...files: [string, string][]) {
  const documents = files.flatMap(([file, text]) => parseManifestText(text, file).documents);
  return validateDocuments(documents, schemas);
}

function lines(issues: readonly ManifestIssue[]): string[] {
  return issues.map((issue) => `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
}

const yaml = (...rows: string[]): string => `${rows.join("\n")}\n`;

describe("schemas/", () => {
  it("has one schema per kind, plus manifest.json and tpctl.json, and nothing else", async () => {
    const files = (await readdir(DEFAULT_SCHEMA_DIR)).filter((file) => file.endsWith(".json")).sort();
    expect(files).toEqual([...KINDS.map((kind) => `${kind}.json`), "manifest.json", "tpctl.json"].sort());
  });

  it("compiles every schema in strict mode, manifest.json with its references to the kinds", async () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
    for (const kind of KINDS) ajv.addSchema(schemas.kinds[kind], `${kind}.json`);
    for (const kind of KINDS) expect(() => ajv.getSchema(`${kind}.json`)).not.toThrow();
    expect(() => ajv.compile(schemas.project)).not.toThrow();
    const manifest = JSON.parse(await readFile(join(DEFAULT_SCHEMA_DIR, "manifest.json"), "utf8")) as JsonObject;
    const check = ajv.compile(manifest);
    expect(check({ kind: "stream", name: "s", columns: [{ name: "a", type: "string" }] })).toBe(true);
    expect(check({ kind: "stream", name: "s", query: "SELECT 1" })).toBe(false);
    expect(check({ kind: "view", name: "v", query: "SELECT 1" })).toBe(true);
    expect(check({ kind: "nope", name: "v" })).toBe(false);
  });

  it("accepts ${var.NAME} where a number or boolean is expected, as an editor reads the manifest before tpctl resolves it", async () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
    const check = ajv.compile(schemas.kinds.stream);
    const stream = (fields: Record<string, unknown>) => ({
      kind: "stream",
      name: "s",
      columns: [{ name: "a", type: "string" }],
      ...fields,
    });
    expect(check(stream({ logstore_retention_ms: "${var.retention_ms}", lifecycle: { prevent_destroy: "${var.protect}" } }))).toBe(true);
    expect(check(stream({ logstore_retention_ms: 3600000 }))).toBe(true);
    expect(check(stream({ logstore_retention_ms: "soon" }))).toBe(false);
    expect(check(stream({ logstore_retention_ms: "${env:X}" }))).toBe(false);
  });

  it("lets lifecycle.ignore_changes name exactly the API fields of the kind", () => {
    for (const kind of KINDS) {
      const properties = schemas.kinds[kind]["properties"] as Record<string, JsonObject>;
      const lifecycle = properties["lifecycle"]?.["properties"] as Record<string, JsonObject>;
      const items = lifecycle["ignore_changes"]?.["items"] as JsonObject;
      const apiFields = Object.keys(properties).filter(
        (field) => !["kind", "name", "database", "depends_on", "previous_name", "lifecycle"].includes(field),
      );
      expect({ kind, fields: items["enum"] }).toEqual({ kind, fields: apiFields });
    }
  });

  it("describes every field, so editors can show it", () => {
    const missing: string[] = [];
    const visit = (schema: unknown, where: string): void => {
      if (!isJsonObject(schema)) return;
      const properties = schema["properties"];
      if (isJsonObject(properties)) {
        for (const [field, sub] of Object.entries(properties)) {
          if (isJsonObject(sub) && typeof sub["description"] !== "string" && typeof sub["$ref"] !== "string") {
            missing.push(`${where}.${field}`);
          }
          visit(sub, `${where}.${field}`);
        }
      }
      visit(schema["items"], `${where}[]`);
      visit(schema["additionalProperties"], `${where}.*`);
      if (isJsonObject(schema["definitions"]))
        for (const [name, sub] of Object.entries(schema["definitions"])) visit(sub, `${where}#${name}`);
    };
    for (const kind of KINDS) visit(schemas.kinds[kind], kind);
    visit(schemas.project, "tpctl");
    expect(missing).toEqual([]);
  });

  it("keeps the shared column definition identical in stream and external_stream", () => {
    const column = (kind: "stream" | "external_stream") => (schemas.kinds[kind]["definitions"] as JsonObject)["column"];
    expect(column("external_stream")).toEqual(column("stream"));
  });
});

describe("validateDocuments", () => {
  it("reports every problem at once, each where it is", () => {
    const text = yaml(
      "kind: stream", // 1
      "name: 9cars", // 2
      "colums: []", // 3
      "mode: apend", // 4
      "columns:", // 5
      "  - { name: cid, type: string }", // 6
      "  - { name: speed, typ: float32 }", // 7
      "  - { name: gas, type: 5 }", // 8
      "logstore_retention_ms: 1d", // 9
      "created_at: 2024-01-01", // 10
      "depends_on: [strem/x, stream, view/ok]", // 11
      "lifecycle: { prevent_destroy: yes, ignore_changes: [colums] }", // 12
      "---", // 13
      "kind: strem", // 14
      "name: s", // 15
      "---", // 16
      "name: nokind", // 17
      "---", // 18
      "kind: stream", // 19
      "name: kv", // 20
      "mode: versioned_kv", // 21
      "description:", // 22
    );
    const { resources, issues } = validate(["cars.yaml", text]);
    expect(resources).toEqual([]);
    expect(lines(issues)).toMatchInlineSnapshot(`
      [
        "cars.yaml:2:7: name "9cars" is invalid: a name starts with a letter and has at most 64 letters, digits or underscores",
        "cars.yaml:3:1: unknown field "colums" in stream (did you mean "columns"?)",
        "cars.yaml:4:7: "mode" must be one of append, changelog, changelog_kv, versioned_kv, not the string "apend" (did you mean "append"?)",
        "cars.yaml:7:5: missing required field "type" in "columns[1]"",
        "cars.yaml:7:20: unknown field "typ" in "columns[1]" (did you mean "type"?)",
        "cars.yaml:8:24: "columns[2].type" must be a string, not the number 5; quote it in YAML",
        "cars.yaml:9:24: "logstore_retention_ms" must be a whole number, not the string "1d"",
        "cars.yaml:10:1: "created_at" is computed by Timeplus and cannot be set in a manifest; remove it",
        "cars.yaml:11:14: depends_on entry "strem/x" names an unknown kind "strem" (did you mean "stream"?); the kinds are database, schema, udf, named_collection, stream, mutable_stream, random_stream, external_stream, external_table, dictionary, source, view, materialized_view, task, sink, alert, dashboard, saved_query",
        "cars.yaml:11:23: depends_on entry "stream" must be written kind/name, e.g. stream/events",
        "cars.yaml:12:31: "lifecycle.prevent_destroy" must be true or false, not the string "yes"",
        "cars.yaml:12:53: "lifecycle.ignore_changes[0]" must be one of description, columns, mode, primary_key, engine, column_families, secondary_indexes, event_time_column, event_time_timezone, logstore_retention_bytes, logstore_retention_ms, ttl_expression, shards, replication_factor, order_by_expression, order_by_granularity, partition_by_granularity, not the string "colums" (did you mean "columns"?)",
        "cars.yaml:14:7: unknown kind "strem" (did you mean "stream"?); the kinds are database, schema, udf, named_collection, stream, mutable_stream, random_stream, external_stream, external_table, dictionary, source, view, materialized_view, task, sink, alert, dashboard, saved_query",
        "cars.yaml:17:1: the document has no kind; add kind: with one of database, schema, udf, named_collection, stream, mutable_stream, random_stream, external_stream, external_table, dictionary, source, view, materialized_view, task, sink, alert, dashboard, saved_query",
        "cars.yaml:19:1: missing required field "primary_key" in stream: a changelog_kv or versioned_kv stream needs a primary_key",
        "cars.yaml:22:1: "description" must be a string, not empty; give it a value or remove it",
      ]
    `);
  });

  it("points at an unknown field nested in columns[1] exactly", () => {
    const text = yaml(
      "kind: stream",
      "name: cars",
      "columns:",
      "  - name: cid",
      "    type: string",
      "  - name: speed",
      "    type: float32",
      "    nullabel: true",
    );
    expect(validate(["s.yaml", text]).issues).toEqual([
      {
        file: "s.yaml",
        line: 8,
        column: 5,
        message:
          'unknown field "nullabel" in "columns[1]"; the fields are name, type, default, codec, ttl_expression, skipping_index_expression, comment',
      },
    ]);
  });

  it("names the expected and the actual type", () => {
    const text = yaml("kind: alert", "name: hot", "severity: high", "action: slack", "trigger_sql: SELECT 1");
    expect(validate(["a.yaml", text]).issues).toEqual([
      { file: "a.yaml", line: 3, column: 11, message: '"severity" must be a whole number, not the string "high"' },
    ]);
  });

  it("states the name rule, also for a document of an unknown kind", () => {
    const text = yaml("kind: view", "name: fast-cars", "query: SELECT 1", "---", "kind: viewz", "name: 1x");
    expect(lines(validate(["v.yaml", text]).issues)).toEqual([
      'v.yaml:2:7: name "fast-cars" is invalid: a name starts with a letter and has at most 64 letters, digits or underscores',
      'v.yaml:5:7: unknown kind "viewz" (did you mean "view"?); the kinds are database, schema, udf, named_collection, stream, mutable_stream, random_stream, external_stream, external_table, dictionary, source, view, materialized_view, task, sink, alert, dashboard, saved_query',
      'v.yaml:6:7: name "1x" is invalid: a name starts with a letter and has at most 64 letters, digits or underscores',
    ]);
  });

  it("reports a duplicate across files at the second, naming the first", () => {
    const first = yaml("kind: stream", "name: cars");
    const second = yaml("kind: view", "name: v", "query: SELECT 1", "---", "kind: stream", "name: cars");
    const { resources, issues } = validate(["a.yaml", first], ["b/c.yaml", second]);
    expect(issues).toEqual([
      { file: "b/c.yaml", line: 6, column: 7, message: "stream/cars is declared twice; the first declaration is at a.yaml:2" },
    ]);
    expect(resources.map((resource) => resource.address)).toEqual(["stream/cars", "view/v"]);
  });

  it("allows one name in two kinds", () => {
    const text = yaml("kind: stream", "name: cars", "---", "kind: sink", "name: cars", "type: http", "query: SELECT * FROM cars");
    expect(validate(["a.yaml", text]).issues).toEqual([]);
  });

  it("lets alerts, dashboards and saved queries be named freely, as the Timeplus UI does, and nothing else", () => {
    const result = validate(
      ["d.yaml", yaml("kind: dashboard", "name: Fleet overview (ops)")],
      ["s.yaml", yaml("kind: stream", "name: fleet overview", "columns: [{ name: a, type: int8 }]")],
      ["q.yaml", yaml("kind: saved_query", "name: a/b", "sql: SELECT 1")],
    );
    expect(lines(result.issues)).toEqual([
      's.yaml:2:7: name "fleet overview" is invalid: a name starts with a letter and has at most 64 letters, digits or underscores',
      'q.yaml:2:7: name "a/b" is invalid: a name has 1 to 256 characters and no slash or line break',
    ]);
    expect(result.resources.map((resource) => resource.address)).toEqual(["dashboard/Fleet overview (ops)"]);
  });

  it("checks depends_on entries", () => {
    const text = yaml("kind: view", "name: v", "query: SELECT 1", "depends_on:", "  - stream/9x", "  - view/v", "  - 5");
    expect(lines(validate(["v.yaml", text]).issues)).toEqual([
      'v.yaml:5:5: depends_on entry "stream/9x" has an invalid name "9x": a name starts with a letter and has at most 64 letters, digits or underscores',
      'v.yaml:6:5: depends_on entry "view/v" is this resource itself; remove it',
      'v.yaml:7:5: "depends_on[2]" must be a string, not the number 5; quote it in YAML',
    ]);
  });

  it("explains conditional requirements and kind-specific mistakes", () => {
    const text = yaml(
      "kind: udf",
      "name: f",
      "type: remote",
      "---",
      "kind: view",
      "name: v",
      "query: SELECT 1",
      "materialized: true",
      "---",
      "kind: schema",
      "name: p",
      "type: protobuf",
      "content: x",
    );
    expect(lines(validate(["k.yaml", text]).issues)).toEqual([
      'k.yaml:1:1: missing required field "url" in UDF: a remote function needs the url to call',
      'k.yaml:8:1: "materialized" does not belong to a plain view; declare a materialized view with kind: materialized_view',
      'k.yaml:12:7: "type" must be one of Protobuf, not the string "protobuf" (did you mean "Protobuf"?)',
    ]);
  });

  it("builds frozen resources: API fields in spec, tpctl fields mapped", () => {
    const text = yaml(
      "kind: materialized_view",
      "name: per_minute",
      "query: SELECT 1",
      "target_stream: out",
      "depends_on: [stream/out, stream/out, udf/f]",
      "lifecycle: { prevent_destroy: true, ignore_changes: [description] }",
    );
    const { resources, issues } = validate(["mv.yaml", text]);
    expect(issues).toEqual([]);
    const [resource] = resources;
    expect(resource).toEqual({
      kind: "materialized_view",
      name: "per_minute",
      address: "materialized_view/per_minute",
      spec: { name: "per_minute", query: "SELECT 1", target_stream: "out" },
      dependsOn: ["stream/out", "udf/f"],
      lifecycle: { preventDestroy: true, ignoreChanges: ["description"] },
      secretPaths: [],
      location: { file: "mv.yaml", line: 1, column: 1 },
    });
    expect(Object.isFrozen(resource)).toBe(true);
    expect(Object.isFrozen(resource!.spec)).toBe(true);
  });

  it("marks secret-by-nature fields: writeOnly schema fields, sensitive properties, a Slack URL", () => {
    const text = yaml(
      "kind: udf",
      "name: f",
      "type: remote",
      "url: http://fn",
      "auth_method: auth_header",
      "auth_context: { key_name: X-Key, key_value: abc }",
      "---",
      "kind: sink",
      "name: k",
      "type: slack",
      "query: SELECT 1",
      "properties: { url: https://hooks, oauth2: { client_secret: s, client_key: k }, retries: 3 }",
    );
    const { resources, issues } = validate(["s.yaml", text]);
    expect(issues).toEqual([]);
    expect(resources.map((resource) => [resource.address, resource.secretPaths])).toEqual([
      ["udf/f", ["/auth_context/key_value"]],
      // One rule for secret names (model/secrets.ts): client_key is one, as the planner and export count it.
      ["sink/k", ["/properties/oauth2/client_key", "/properties/oauth2/client_secret", "/properties/url"]],
    ]);
  });

  it("never quotes a secret value in a message", () => {
    const [document] = parseManifestText(yaml("kind: stream", "name: s", "mode: hunter2"), "s.yaml").documents;
    const resolved: ResolvedDocument = { ...document!, secretPaths: ["/mode"] };
    const { issues } = validateDocuments([resolved], schemas);
    expect(lines(issues)).toEqual(['s.yaml:3:7: "mode" must be one of append, changelog, changelog_kv, versioned_kv, not a secret value']);
  });

  it("refuses a secret as a name, since names are printed everywhere", () => {
    const [document] = parseManifestText(yaml("kind: stream", "name: hunter2"), "s.yaml").documents;
    const { issues, resources } = validateDocuments([{ ...document!, secretPaths: ["/name"] }], schemas);
    expect(resources).toEqual([]);
    expect(lines(issues)).toEqual(['s.yaml:2:7: "name" cannot hold a ${secret:…} value, since it is shown in every plan']);
  });

  it("points a deprecated read-back field at its request field", () => {
    const text = yaml("kind: stream", "name: s", "ttl: to_datetime(_tp_time) + INTERVAL 1 DAY");
    expect(lines(validate(["s.yaml", text]).issues)).toEqual([
      's.yaml:3:1: "ttl" is the deprecated name the API reads back; write the request field "ttl_expression" instead',
    ]);
  });
});

describe("closest", () => {
  it("suggests only likely typos", () => {
    expect(editDistance("colums", "columns")).toBe(1);
    expect(editDistance("qeury", "query")).toBe(1);
    expect(closest("qeury", ["query", "description"])).toBe("query");
    expect(closest("Mode", ["mode"])).toBe("mode");
    expect(closest("xyz", ["query", "mode"])).toBeUndefined();
    expect(closest("a", ["b"])).toBeUndefined();
  });
});
