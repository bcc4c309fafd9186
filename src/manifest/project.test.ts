import { beforeAll, describe, expect, it } from "vitest";
import type { ManifestIssue } from "../errors.js";
import { readSchemas } from "./load.js";
import { assembleManifests } from "./assemble.js";
import { parseProjectText } from "./project.js";
import type { SchemaSet } from "./schemas.js";

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await readSchemas();
});

const yaml = (...rows: string[]): string => `${rows.join("\n")}\n`;

function lines(issues: readonly ManifestIssue[]): string[] {
  return issues.map((issue) => `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
}

const PROJECT = yaml(
  "project: fleet", // 1
  "variables:", // 2
  "  retention_ms: { type: number, default: 3600000 }", // 3
  "  region: { default: eu }", // 4
  "environments:", // 5
  "  dev: {}", // 6
  "  prod:", // 7
  "    variables: { retention_ms: 604800000 }", // 8
  "    address: https://timeplus.prod.internal:8000", // 9
  "    workspace: default", // 10
  "    password_env: PROD_PASSWORD", // 11
  "    overrides:", // 12
  "      - kind: stream", // 13
  "        name: events", // 14
  "        set:", // 15
  "          lifecycle: { prevent_destroy: true }", // 16
  "          columns: [{ name: id, type: string }, { name: v, type: 5 }]", // 17
  "          properties: { password: '${secret:KAFKA_PASSWORD}' }", // 18
  "          ttl_expression: null", // 19
  "      - { kind: view, name: ghost, set: { description: x } }", // 20
);

const EVENTS = yaml(
  "kind: stream", // 1
  "name: events", // 2
  "description: kept ${var.retention_ms} ms in ${var.region}", // 3
  "logstore_retention_ms: ${var.retention_ms}", // 4
  "ttl_expression: to_datetime(_tp_time) + INTERVAL 1 DAY", // 5
  "lifecycle: { ignore_changes: [description] }", // 6
  "columns:", // 7
  "  - { name: id, type: string }", // 8
);

describe("parseProjectText", () => {
  it("lays the chosen environment's variables over the defaults and reads its settings", () => {
    const { project, issues } = parseProjectText(PROJECT, "tpctl.yaml", { env: "prod", environment: { KAFKA_PASSWORD: "x" }, schemas });
    expect(issues).toEqual([]);
    expect(project.project).toBe("fleet");
    expect(project.environment).toBe("prod");
    expect(project.variables).toEqual({ retention_ms: 604800000, region: "eu" });
    expect(project.settings).toEqual({
      address: "https://timeplus.prod.internal:8000",
      workspace: "default",
      passwordEnv: "PROD_PASSWORD",
    });
    expect(project.overrides.map((override) => `${override.kind}/${override.name}`)).toEqual(["stream/events", "view/ghost"]);
  });

  it("uses the defaults without an environment", () => {
    const { project, issues } = parseProjectText(PROJECT, "tpctl.yaml", { environment: {}, schemas });
    expect(issues).toEqual([]);
    expect(project).toEqual({ project: "fleet", variables: { retention_ms: 3600000, region: "eu" }, overrides: [], settings: {} });
  });

  it("reports an unknown environment, undeclared and mistyped variables, each where it is", () => {
    const text = yaml(
      "variables:", // 1
      "  retention_ms: { type: number, default: '1h' }", // 2
      "  region: { default: eu }", // 3
      "environments:", // 4
      "  prod:", // 5
      "    variables: { retention_ms: 'long', regoin: us }", // 6
      "    overrides:", // 7
      "      - { kind: stream, name: s, set: { name: t } }", // 8
    );
    expect(lines(parseProjectText(text, "tpctl.yaml", { env: "prod", environment: {}, schemas }).issues)).toEqual([
      'tpctl.yaml:2:42: the default of variable "retention_ms" must be a number, not the string "1h"',
      'tpctl.yaml:6:32: variable "retention_ms" must be a number, not the string "long"',
      'tpctl.yaml:6:40: environment "prod" sets variable "regoin", which is not declared under variables (did you mean "region"?)',
      'tpctl.yaml:8:41: an override cannot change "name"; declare a different resource in the manifests instead',
    ]);
    expect(lines(parseProjectText(text, "tpctl.yaml", { env: "prd", environment: {}, schemas }).issues)).toContain(
      'tpctl.yaml:4:1: environment "prd" is not defined in tpctl.yaml (did you mean "prod"?); the environments are prod',
    );
  });

  it("validates tpctl.yaml against schemas/tpctl.json", () => {
    const text = yaml("project: my fleet", "variabels: {}", "environments:", "  prod: { adress: x }");
    expect(lines(parseProjectText(text, "tpctl.yaml", { environment: {}, schemas }).issues)).toEqual([
      'tpctl.yaml:1:10: project "my fleet" is invalid: a project name has 1 to 64 letters, digits, _, . or -',
      'tpctl.yaml:2:1: unknown field "variabels" in tpctl.yaml (did you mean "variables"?)',
      'tpctl.yaml:4:11: unknown field "adress" in "environments.prod" (did you mean "address"?)',
    ]);
  });

  it("refuses a resource document in tpctl.yaml", () => {
    expect(lines(parseProjectText("kind: stream\nname: s\n", "tpctl.yaml", { environment: {}, schemas }).issues)).toEqual([
      "tpctl.yaml:1:1: tpctl.yaml holds project settings, not a resource; move this document into another .yaml file",
    ]);
  });
});

describe("assembleManifests", () => {
  it("interpolates variables and deep-merges the environment's overrides before validating", () => {
    const result = assembleManifests({
      files: [{ file: "events.yaml", text: EVENTS }],
      projectFile: { file: "tpctl.yaml", text: PROJECT },
      env: "prod",
      environment: { KAFKA_PASSWORD: "s3cret" },
      schemas,
    });
    expect(lines(result.issues)).toEqual([
      'tpctl.yaml:17:66: "columns[1].type" must be a string, not the number 5; quote it in YAML',
      'tpctl.yaml:18:11: unknown field "properties" in stream; the fields are kind, name, database, description, columns, mode, primary_key, engine, column_families, secondary_indexes, event_time_column, event_time_timezone, logstore_retention_bytes, logstore_retention_ms, ttl_expression, shards, replication_factor, order_by_expression, order_by_granularity, partition_by_granularity, depends_on, previous_name, lifecycle',
      'tpctl.yaml:20:29: the override for view/ghost in environment "prod" matches no resource in the manifests',
    ]);
  });

  it("interpolates with the defaults when no environment is chosen, keeping types", () => {
    const result = assembleManifests({
      files: [{ file: "events.yaml", text: EVENTS }],
      projectFile: { file: "tpctl.yaml", text: PROJECT },
      environment: {},
      schemas,
    });
    expect(result.issues).toEqual([]);
    expect(result.settings).toEqual({});
    expect(result.resources[0]?.spec).toEqual({
      name: "events",
      description: "kept 3600000 ms in eu",
      logstore_retention_ms: 3600000,
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      columns: [{ name: "id", type: "string" }],
    });
  });

  it("produces the overridden resource, secrets marked, fields removed with null", () => {
    const project = PROJECT.replace("{ name: v, type: 5 }", "{ name: v, type: int32 }")
      .replace("          properties: { password: '${secret:KAFKA_PASSWORD}' }\n", "          description: '${secret:KAFKA_PASSWORD}'\n")
      .replace("      - { kind: view, name: ghost, set: { description: x } }\n", "");
    const result = assembleManifests({
      files: [{ file: "events.yaml", text: EVENTS }],
      projectFile: { file: "tpctl.yaml", text: project },
      env: "prod",
      environment: { KAFKA_PASSWORD: "s3cret" },
      schemas,
    });
    expect(result.issues).toEqual([]);
    expect(result.project).toBe("fleet");
    expect(result.settings.address).toBe("https://timeplus.prod.internal:8000");
    const [events] = result.resources;
    expect(events?.spec).toEqual({
      name: "events",
      description: "s3cret",
      logstore_retention_ms: 604800000,
      columns: [
        { name: "id", type: "string" },
        { name: "v", type: "int32" },
      ],
    });
    // Objects merge: the manifest's ignore_changes survives beside the override's prevent_destroy.
    expect(events?.lifecycle).toEqual({ preventDestroy: true, ignoreChanges: ["description"] });
    expect(events?.secretPaths).toEqual(["/description"]);
  });

  it("points at tpctl.yaml for a problem an override brought in, and at the manifest otherwise", () => {
    const result = assembleManifests({
      files: [{ file: "events.yaml", text: EVENTS.replace("ttl_expression: to_datetime(_tp_time) + INTERVAL 1 DAY", "shards: many") }],
      projectFile: {
        file: "tpctl.yaml",
        text: PROJECT.replace("          properties: { password: '${secret:KAFKA_PASSWORD}' }\n", "").replace(
          "      - { kind: view, name: ghost, set: { description: x } }\n",
          "",
        ),
      },
      env: "prod",
      environment: {},
      schemas,
    });
    expect(lines(result.issues)).toEqual([
      'events.yaml:5:9: "shards" must be a whole number, not the string "many"',
      'tpctl.yaml:17:66: "columns[1].type" must be a string, not the number 5; quote it in YAML',
    ]);
  });

  it("asks for tpctl.yaml when --env is given without one", () => {
    const result = assembleManifests({
      files: [{ file: "events.yaml", text: "kind: stream\nname: events\n" }],
      projectFileName: "manifests/tpctl.yaml",
      env: "prod",
      environment: {},
      schemas,
    });
    expect(lines(result.issues)).toEqual([
      "manifests/tpctl.yaml:1:1: --env prod needs a tpctl.yaml declaring environments, and there is none at the root of the manifest folder",
    ]);
    expect(result.project).toBe("default");
  });
});

describe("--var and --var-file", () => {
  it("lay over the environment's values, read as the declared type, last one winning", () => {
    const read = parseProjectText(PROJECT, "tpctl.yaml", {
      env: "prod",
      environment: {},
      schemas,
      assigned: [
        { name: "region", value: "us", from: "prod.vars.yaml" },
        { name: "retention_ms", value: "60000", from: "--var", text: true },
      ],
    });
    expect(read.project.variables).toEqual({ retention_ms: 60000, region: "us" });
  });

  it("refuse an undeclared name with the nearest one, and a value of the wrong type", () => {
    const read = parseProjectText(PROJECT, "tpctl.yaml", {
      environment: {},
      schemas,
      assigned: [
        { name: "retention", value: "1", from: "--var", text: true },
        { name: "retention_ms", value: "soon", from: "--var", text: true },
        { name: "region", value: 5, from: "prod.vars.yaml" },
      ],
    });
    expect(lines(read.issues).filter((line) => !line.startsWith("tpctl.yaml"))).toEqual([
      'command line:1:1: --var retention: "retention" is not declared under variables in tpctl.yaml (did you mean "retention_ms"?)',
      'command line:1:1: --var retention_ms must be a number, not the string "soon"',
      'prod.vars.yaml:1:1: variable "region" of prod.vars.yaml must be a string, not the number 5',
    ]);
  });
});
