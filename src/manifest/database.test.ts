import { beforeAll, describe, expect, it } from "vitest";
import { createRestDriver } from "../drivers/rest/driver.js";
import type { TimeplusClient } from "../drivers/http.js";
import { LiveResource } from "../model/index.js";
import { assembleExport } from "../export/assemble.js";
import { readSchemas } from "./load.js";
import { parseManifestText } from "./parse.js";
import type { SchemaSet } from "./schemas.js";
import { validateDocuments } from "./validate.js";

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await readSchemas();
});

function validate(text: string) {
  return validateDocuments(parseManifestText(text, "m.yaml").documents, schemas);
}

const MANIFESTS = [
  "kind: database\nname: analytics\ndescription: the team's",
  "kind: stream\nname: events\ncolumns: [{name: a, type: int32}]",
  "kind: stream\nname: events\ndatabase: analytics\ncolumns: [{name: a, type: int32}]",
  "kind: view\nname: v\ndatabase: default\nquery: SELECT 1",
].join("\n---\n");

describe("database: on a resource", () => {
  it("makes a resource in another database a different object, db.name, and keeps database out of what the API is sent", () => {
    const { resources, issues } = validate(MANIFESTS);
    expect(issues).toEqual([]);
    expect(resources.map((resource) => resource.address)).toEqual([
      "database/analytics",
      "stream/events",
      "stream/analytics.events",
      "view/v",
    ]);
    const inAnalytics = resources[2];
    expect(inAnalytics?.database).toBe("analytics");
    expect(inAnalytics?.spec).not.toHaveProperty("database");
    expect(inAnalytics?.spec["name"]).toBe("events");
    // `database: default` is the default: the same object as leaving it out.
    expect(resources[3]?.database).toBeUndefined();
  });

  it("refuses a database for the global kinds and a database named default", () => {
    const { issues } = validate(
      [
        "kind: udf\nname: f\ndatabase: analytics\ntype: javascript\nreturn_type: int32\nsource: 'function f(){}'",
        "kind: database\nname: default",
      ].join("\n---\n"),
    );
    expect(issues.map((issue) => `${issue.line}: ${issue.message}`).join("\n")).toMatch(/database[\s\S]*default/);
    expect(issues.length).toBeGreaterThanOrEqual(2);
  });

  it("is refused over the REST API before anything is sent, naming the resource and what it needs", () => {
    const sent: string[] = [];
    const client = { request: (call: { path: string }) => Promise.resolve(sent.push(call.path)) } as unknown as TimeplusClient;
    const driver = createRestDriver({
      client,
      target: { address: "http://tp:8000", workspace: "default", product: "Timeplus", transport: "rest" },
    });
    const { resources } = validate(MANIFESTS);
    expect(() => driver.checkDesired(resources)).toThrow(
      /^database\/analytics is a database, which only SQL DDL reaches, not the REST API, but tpctl is talking to Timeplus at http:\/\/tp:8000 \(workspace default\), REST API v1beta2; use --api sql/,
    );
    expect(() => driver.checkDesired(resources.slice(1))).toThrow(
      /^stream\/analytics\.events is in database analytics, which the REST API cannot reach .* Nothing was changed$/,
    );
    expect(() => driver.checkDesired([resources[1], resources[3]].filter((resource) => resource !== undefined))).not.toThrow();
    expect(sent).toEqual([]);
  });
});

describe("database: in depends_on and exports", () => {
  it("takes a qualified address in depends_on, and refuses a malformed one", () => {
    const ok = validate("kind: view\nname: v\nquery: SELECT 1\ndepends_on: [stream/analytics.events]");
    expect(ok.issues).toEqual([]);
    expect(ok.resources[0]?.dependsOn).toEqual(["stream/analytics.events"]);
    const bad = validate("kind: view\nname: v\nquery: SELECT 1\ndepends_on: [udf/analytics.f, stream/a.b.c]");
    expect(bad.issues).toHaveLength(2);
  });

  it("exports an object of another database with name and database, which validate back to the same address", () => {
    const live = LiveResource.create({
      kind: "stream",
      name: "analytics.events",
      spec: { name: "events", columns: [{ name: "id", type: "string" }], description: "" },
      owner: "fleet",
    });
    const bundle = assembleExport([live], { project: "fleet" });
    const file = bundle.files.find((candidate) => candidate.path.startsWith("streams/"));
    expect(file?.content).toMatch(/name: events\ndatabase: analytics\n/);
    const { resources, issues } = validate(file?.content ?? "");
    expect(issues).toEqual([]);
    expect(resources[0]?.address).toBe("stream/analytics.events");
  });

  it("exports a dictionary's hidden source password as a secret to set, so applying the export does not drop it", () => {
    const live = LiveResource.create({
      kind: "dictionary",
      name: "zones",
      spec: {
        name: "zones",
        description: "",
        columns: [{ name: "id", type: "uint16" }],
        primary_key: "id",
        source: { type: "timeplus", stream: "zones_raw", user: "admin" },
        layout: { type: "hashed" },
      },
      owner: "fleet",
    });
    const bundle = assembleExport([live], { project: "fleet" });
    expect(bundle.secrets.map((secret) => secret.pointer)).toEqual(["/source/password"]);
    const file = bundle.files.find((candidate) => candidate.path.startsWith("dictionaries/"));
    expect(file?.content).toContain("password: ${secret:");
  });
});
