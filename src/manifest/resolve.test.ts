import { describe, expect, it } from "vitest";
import type { ManifestIssue } from "../errors.js";
import { parseManifestText } from "./parse.js";
import { resolveDocument, type InterpolationContext } from "./resolve.js";

const context: InterpolationContext = {
  variables: { retention_ms: 3600000, prefix: "fleet", strict: true, columns: [{ name: "id", type: "string" }] },
  env: { REGION: "eu-west-1", KAFKA_PASSWORD: "hunter2-secret", EMPTY: "" },
};

function resolve(text: string, given: InterpolationContext = context) {
  const [document] = parseManifestText(text, "m.yaml").documents;
  return resolveDocument(document!, given);
}

function lines(issues: readonly ManifestIssue[]): string[] {
  return issues.map((issue) => `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
}

describe("resolveDocument", () => {
  it("keeps the type of a value that is a single reference, and splices references into longer strings", () => {
    const text = [
      "kind: stream",
      "name: ${var.prefix}_events",
      "logstore_retention_ms: ${var.retention_ms}",
      "description: kept ${var.retention_ms} ms in ${env:REGION}, strict=${var.strict}",
      "columns: ${var.columns}",
      "flag: ${var.strict}",
      "empty: ${env:EMPTY}",
      "",
    ].join("\n");
    const { document, issues } = resolve(text);
    expect(issues).toEqual([]);
    expect(document.value).toEqual({
      kind: "stream",
      name: "fleet_events",
      logstore_retention_ms: 3600000,
      description: "kept 3600000 ms in eu-west-1, strict=true",
      columns: [{ name: "id", type: "string" }],
      flag: true,
      empty: "",
    });
    expect(document.secretPaths).toEqual([]);
  });

  it("records secrets by JSON pointer, the whole string when a secret is part of it", () => {
    const text = [
      "kind: source",
      "name: s",
      "properties:",
      "  password: ${secret:KAFKA_PASSWORD}",
      "  brokers: [a, 'user:${secret:KAFKA_PASSWORD}@b']",
      "  a/b: ${secret:KAFKA_PASSWORD}",
      "",
    ].join("\n");
    const { document, issues } = resolve(text);
    expect(issues).toEqual([]);
    expect(document.secretPaths).toEqual(["/properties/password", "/properties/brokers/1", "/properties/a~1b"]);
    expect(document.value["properties"]).toEqual({
      password: "hunter2-secret",
      brokers: ["a", "user:hunter2-secret@b"],
      "a/b": "hunter2-secret",
    });
  });

  it("writes $${ as a literal ${", () => {
    const { document, issues } = resolve("kind: udf\nname: f\nsource: 'return `$${a}-${var.prefix}`'\n");
    expect(issues).toEqual([]);
    expect(document.value["source"]).toBe("return `${a}-fleet`");
  });

  it("reports an undefined variable and an unset environment variable at the string", () => {
    const text = [
      "kind: stream", // 1
      "name: s", // 2
      "columns:", // 3
      "  - { name: a, type: string, default: '${var.prefx}' }", // 4
      "description: '${env:NOPE}'", // 5
      "ttl_expression: x ${secret:TOKEN}", // 6
      "",
    ].join("\n");
    const { document, issues } = resolve(text);
    expect(lines(issues)).toEqual([
      'm.yaml:4:39: ${var.prefx} has no value: declare "prefx" under variables in tpctl.yaml with a default, or set it in the chosen environment (did you mean "prefix"?)',
      "m.yaml:5:14: environment variable NOPE is not set; ${env:NOPE} needs it",
      "m.yaml:6:17: environment variable TOKEN is not set; ${secret:TOKEN} needs it",
    ]);
    // Left as written, so validation does not pile a second complaint on the same value.
    expect(document.value["description"]).toBe("${env:NOPE}");
  });

  it("reports malformed references and a list variable inside a longer string", () => {
    const text = ["kind: view", "name: v", "query: SELECT ${foo}", "description: open ${var.prefix", "comment: x ${var.columns}", ""].join(
      "\n",
    );
    expect(lines(resolve(text).issues)).toEqual([
      'm.yaml:3:8: "${foo}" is not a reference tpctl knows; use ${var.NAME}, ${env:NAME} or ${secret:NAME}, or write $${ for a literal ${',
      'm.yaml:4:14: "${" is not closed by "}"; write $${ for a literal ${',
      "m.yaml:5:10: ${var.columns} holds a list, so it can only be used as a whole value, not inside a longer string",
    ]);
  });

  it("never puts a secret value into a message", () => {
    const text = "kind: stream\nname: s\ndescription: ${secret:KAFKA_PASSWORD} ${var.missing}\n";
    const { issues } = resolve(text);
    expect(issues).toHaveLength(1);
    expect(JSON.stringify(issues)).not.toContain("hunter2");
  });

  it("leaves keys and non-string values alone", () => {
    const { document } = resolve("kind: stream\nname: s\n'${var.prefix}': 1\nshards: 3\n");
    expect(document.value).toEqual({ kind: "stream", name: "s", "${var.prefix}": 1, shards: 3 });
  });
});
