import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KINDS } from "../model/index.js";
import {
  APPSERVER_KINDS,
  GLOBAL_KINDS,
  ID_KINDS,
  isValidName,
  KIND_MODULES,
  RELATION_KINDS,
  restCollectionPath,
  restItemPath,
} from "./index.js";

/** Fields every manifest document may carry, which tpctl reads and never sends. */
const TOOL_FIELDS = ["kind", "name", "previous_name", "depends_on", "lifecycle"];
/** Every resource but a database names the database it lives in. */
const toolFieldsOf = (kind: string): string[] => (kind === "database" ? TOOL_FIELDS : [...TOOL_FIELDS, "database"]);

function schemaProperties(kind: string): string[] {
  const schema = JSON.parse(readFileSync(new URL(`../../schemas/${kind}.json`, import.meta.url), "utf8")) as {
    properties: Record<string, unknown>;
    additionalProperties?: boolean;
  };
  expect(schema.additionalProperties, `${kind}.json must refuse unknown fields`).toBe(false);
  return Object.keys(schema.properties).sort();
}

describe("kind modules", () => {
  it("are one per kind, each under its own name", () => {
    expect(Object.keys(KIND_MODULES).sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) expect(KIND_MODULES[kind].kind).toBe(kind);
  });

  it.each(KINDS)("the schema of %s declares exactly the fields its module has rules for", (kind) => {
    // A field with a schema but no rule would be compared by a guess; a rule without a schema could never be declared.
    expect(schemaProperties(kind)).toEqual([...toolFieldsOf(kind), ...Object.keys(KIND_MODULES[kind].fields)].sort());
  });

  it("derive the sets the pipeline asks about from the modules", () => {
    expect([...ID_KINDS].sort()).toEqual(["alert", "dashboard", "saved_query", "sink", "source"]);
    expect([...APPSERVER_KINDS].sort()).toEqual(["alert", "dashboard", "saved_query", "sink", "source"]);
    expect([...GLOBAL_KINDS].sort()).toEqual(["database", "named_collection", "schema", "udf"]);
    expect([...RELATION_KINDS].sort()).toEqual([
      "dictionary",
      "external_stream",
      "external_table",
      "materialized_view",
      "mutable_stream",
      "random_stream",
      "stream",
      "view",
    ]);
  });

  it("give every engine kind its DDL and no appserver kind any", () => {
    for (const kind of KINDS) expect(KIND_MODULES[kind].ddl !== undefined, kind).toBe(KIND_MODULES[kind].home === "engine");
  });

  it("name REST paths, URI-encoding the identity", () => {
    expect(restCollectionPath("saved_query")).toBe("/savedqueries");
    expect(restItemPath("saved_query", "a b/c?")).toBe("/savedqueries/a%20b%2Fc%3F");
    expect(restItemPath("stream", "car_live_data")).toBe("/streams/car_live_data");
  });

  it("name free-named kinds loosely and SQL-named kinds strictly", () => {
    expect(isValidName("dashboard", "Fleet overview")).toBe(true);
    expect(isValidName("dashboard", "a/b")).toBe(false);
    expect(isValidName("stream", "Fleet overview")).toBe(false);
    expect(isValidName("stream", "car_live_data")).toBe(true);
  });

  it("find what each kind reads and writes", () => {
    expect(KIND_MODULES.materialized_view.references({ query: "SELECT 1 FROM s", target_stream: "t" })).toEqual({
      sql: ["SELECT 1 FROM s"],
      relations: ["t"],
      schemas: [],
    });
    expect(KIND_MODULES.external_stream.references({ settings: [{ key: "format_schema", value: "proto:Msg" }] }).schemas).toEqual([
      "proto",
    ]);
    expect(
      KIND_MODULES.dashboard.references({
        panels: [{ viz_content: "SELECT 1 FROM a" }, { viz_type: "markdown", viz_content: "# FROM b" }],
      }).sql,
    ).toEqual(["SELECT 1 FROM a"]);
  });
});
