import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliImportProblems, importsOf, layerProblems, purityProblems, serverProblems, sourceFiles, SRC } from "./helpers/architecture.js";

/**
 * The layering of the house style (docs/architecture.md), checked on every test run: the pure
 * core never reaches for the network, the disk, the clock or the process, and never loads an
 * edge; the server stands alone; nothing imports the CLI. The rules are in helpers/architecture.ts.
 */
async function problemsOf(check: (path: string, source: string) => string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const path of await sourceFiles(SRC)) problems.push(...check(path, await readFile(join(SRC, path), "utf8")));
  return problems;
}

describe("architecture", () => {
  it("keeps the pure core free of I/O and of edge modules", async () => {
    expect(await problemsOf(purityProblems)).toEqual([]);
  });

  it("keeps each stage to itself and the layers below it: no sideways import between stages", async () => {
    expect(await problemsOf(layerProblems)).toEqual([]);
  });

  it("keeps the server independent of the client and planner", async () => {
    expect(await problemsOf(serverProblems)).toEqual([]);
  });

  it("lets nothing import the CLI", async () => {
    expect(await problemsOf(cliImportProblems)).toEqual([]);
  });

  it("keeps test helpers out of the product (tsconfig.build.json leaves them out of dist/)", async () => {
    const problems = await problemsOf((path, source) =>
      importsOf(source)
        .filter((reference) => /(^|\/)test-utils(\.js)?$/.test(reference.specifier))
        .map((reference) => `${path} imports ${reference.specifier}`),
    );
    expect(problems).toEqual([]);
  });
});

describe("a repository that stands alone", () => {
  it("cites no file outside it (what the code relies on is in docs/)", async () => {
    // Built from parts so that this file does not match itself.
    const outside = new RegExp(["shared", "(?:reference|design)/"].join("/"));
    const problems: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!["node_modules", "dist", ".git", ".tpctl"].includes(entry.name)) await walk(path);
        } else if (/\.(ts|md|ya?ml|json)$/.test(entry.name)) {
          const lines = (await readFile(path, "utf8")).split("\n");
          lines.forEach((line, index) => {
            if (outside.test(line)) problems.push(`${path}:${index + 1}`);
          });
        }
      }
    };
    for (const dir of ["src", "docs", "test", "bench", "examples", "schemas"]) await walk(dir);
    for (const file of ["README.md", "CHANGELOG.md"]) {
      if ((await readFile(file, "utf8")).match(outside)) problems.push(file);
    }
    expect(problems).toEqual([]);
  });
});

describe("the architecture guard itself", () => {
  const pure = (source: string): string[] => purityProblems("plan/example.ts", source);

  it("allows the pure core its own modules, its packages, and the types of an edge", () => {
    expect(
      pure(`import type { TimeplusClient } from "../drivers/http.js";
import { type Request, type Response } from "../drivers/http.js";
import { parseAddress } from "../model/index.js";
import { parse } from "yaml";
import type { Dirent } from "node:fs";
type Client = typeof import("../drivers/http.js");
// An example in a comment is no import: await import("node:fs"), Date.now()
/** @example const { readFile } = await import("node:fs/promises"); */
const url = "http://example.com/path"; // a URL is no comment
`),
    ).toEqual([]);
  });

  it("catches a value import of an edge module, even beside a type import of it", () => {
    expect(pure(`import { createTimeplusClient } from "../drivers/http.js";`)).toEqual(["plan/example.ts imports drivers/http"]);
    expect(
      pure(`import type { TimeplusClient } from "../drivers/http.js";\nimport { createTimeplusClient } from "../drivers/http.js";`),
    ).toEqual(["plan/example.ts imports drivers/http"]);
    expect(pure(`import { type TimeplusClient, createTimeplusClient } from "../drivers/http.js";`)).toEqual([
      "plan/example.ts imports drivers/http",
    ]);
    expect(pure(`import {\n  connect,\n} from "../cli/connect.js";`)).toEqual(["plan/example.ts imports cli/connect"]);
    expect(pure(`export * from "../cli/connect.js";`)).toEqual(["plan/example.ts imports cli/connect"]);
    expect(pure(`import "../cli/connect.js";`)).toEqual(["plan/example.ts imports cli/connect"]);
  });

  it("catches node:fs reached statically or by a dynamic import()", () => {
    expect(pure(`import { readdir, readFile } from "node:fs/promises";`)).toEqual(["plan/example.ts imports node:fs/promises"]);
    expect(pure(`const fs = await import("node:fs");`)).toEqual(["plan/example.ts imports dynamically node:fs"]);
    expect(pure(`const { connect } = await import ( '../cli/connect.js' );`)).toEqual(["plan/example.ts imports dynamically cli/connect"]);
    expect(pure("const fs = await import(`node:fs`);")).toEqual(["plan/example.ts imports dynamically node:fs"]);
    expect(pure(`const name = "node:fs";\nconst fs = await import(name);`)).toEqual([
      "plan/example.ts imports a computed module at run time",
    ]);
  });

  it("catches the clock, randomness and the process", () => {
    expect(pure(`export const now = Date.now();`)).toEqual(["plan/example.ts uses Date.now("]);
    expect(pure(`export const home = process.env["HOME"];`)).toEqual(["plan/example.ts uses process."]);
  });

  it("catches a stage importing another sideways, types included, and a foundation layer importing upwards", () => {
    expect(layerProblems("plan/example.ts", `import { readWorkspace } from "../drivers/rest/read-workspace.js";`)).toEqual([
      "plan/example.ts imports drivers/rest/read-workspace (plan/ may import errors, model/, sql/, kinds/)",
    ]);
    expect(layerProblems("render/drift.ts", `import type { DriftReport } from "../plan/drift.js";`)).toEqual([
      "render/drift.ts imports plan/drift (render/ may import errors, model/, sql/, kinds/)",
    ]);
    expect(layerProblems("drivers/sql/steps.ts", `import { callsForStep } from "../../apply/calls.js";`)).toHaveLength(1);
    expect(layerProblems("kinds/stream.ts", `import { diffResource } from "../plan/diff.js";`)).toHaveLength(1);
    expect(layerProblems("model/secrets.ts", `import { KIND_MODULES } from "../kinds/index.js";`)).toHaveLength(1);
    expect(layerProblems("sql/canonical.ts", `import { KIND_MODULES } from "../kinds/index.js";`)).toHaveLength(1);
  });

  it("lets a stage use its own folder and the foundation, and the CLI anything", () => {
    expect(
      layerProblems(
        "drivers/sql/steps.ts",
        `import { callsForStep } from "../rest/calls.js";\nimport { KIND_MODULES } from "../../kinds/index.js";\nimport { InternalError } from "../../errors.js";\nimport { renderCreate } from "../../sql/ddl/index.js";`,
      ),
    ).toEqual([]);
    expect(layerProblems("kinds/stream.ts", `import { extractReferences } from "../sql/index.js";`)).toEqual([]);
    expect(
      layerProblems("cli/workflow.ts", `import { assemblePlan } from "../plan/plan.js";\nimport { applySteps } from "../apply/apply.js";`),
    ).toEqual([]);
  });

  it("leaves the edges alone, and keeps the server and the CLI in their places", () => {
    expect(purityProblems("cli/connect.ts", `import { mkdir } from "node:fs/promises";\nconst x = await import("node:fs");`)).toEqual([]);
    expect(
      serverProblems("server/routes.ts", `import { assemblePlan } from "../plan/plan.js";\nimport { KINDS } from "../model/index.js";`),
    ).toEqual(["server/routes.ts imports plan/plan.js"]);
    expect(cliImportProblems("plan/plan.ts", `import type { CommandContext } from "../cli/context.js";`)).toEqual([
      "plan/plan.ts imports ../cli/context.js",
    ]);
    expect(importsOf(`export type { Plan } from "./plan.js";`)).toEqual([{ specifier: "./plan.js", typeOnly: true, dynamic: false }]);
  });
});
