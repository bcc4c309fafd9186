import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadManifests } from "../../manifest/load.js";
import { parseCreateStatement } from "./parse.js";
import { APPSERVER_KINDS as KINDS_WITHOUT_DDL, renderCreate } from "../../kinds/index.js";
import { quoteString } from "./quote.js";
import { secretValues } from "./secrets.js";
import { echoCreate } from "./test-utils.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

describe("the examples as DDL", () => {
  it("render every engine object of examples/ and read each back under the same name and owner", async () => {
    const loaded = await loadManifests([EXAMPLES], { environment: {}, cwd: EXAMPLES });
    expect(loaded.issues).toEqual([]);
    const engineObjects = loaded.resources.filter((resource) => !KINDS_WITHOUT_DDL.has(resource.kind));
    expect(engineObjects.length).toBeGreaterThan(5);
    for (const resource of engineObjects) {
      const statements = renderCreate(resource, { project: loaded.project, database: "default" });
      const parsed = parseCreateStatement(echoCreate((statements[0] as { sql: string }).sql), {
        ...(resource.kind === "external_stream" ? { engine: "ExternalStream" } : {}),
        ...(resource.spec["engine"] === "MutableStream" ? { engine: "MutableStream" } : {}),
      });
      expect([parsed.kind, parsed.name], resource.address).toEqual([resource.kind, resource.name]);
      if (!(resource.kind === "udf" && resource.spec["type"] === "remote")) expect(parsed.owner, resource.address).toBe(loaded.project);
      for (const statement of statements) {
        for (const secret of secretValues(resource.spec, resource.secretPaths)) {
          expect(statement.sql).toContain(quoteString(secret).slice(1, -1));
          expect(statement.masked, resource.address).not.toContain(secret);
        }
      }
    }
  });
});
