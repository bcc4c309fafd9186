import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layering of house-style §1, checked on every test run: the pure core never reaches for the
 * network, the disk, the clock or the process, and never imports an edge.
 */
const SRC = resolve("src");

const PURE = [
  "model/",
  "sql/",
  "plan/",
  "render/",
  "manifest/parse.ts",
  "manifest/validate.ts",
  "manifest/resolve.ts",
  "manifest/project.ts",
  "manifest/export.ts",
  "live/normalize.ts",
  "live/endpoints.ts",
  "apply/calls.ts",
  "lock/",
];
const PURE_MAY_IMPORT = ["model/", "sql/", "plan/", "render/", "manifest/parse", "manifest/validate", "manifest/resolve", "manifest/project", "manifest/schemas", "manifest/export", "live/normalize", "live/endpoints", "live/client", "apply/calls", "lock/", "errors"];
const PURE_PACKAGES = ["yaml", "ajv", "diff", "fast-json-patch"];
const IMPURE_GLOBALS = /\b(process\.|console\.|Date\.now\(|new Date\(|Math\.random\()/;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return files.flat().filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith("test-utils.ts"));
}

function importsOf(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((match) => match[1] as string);
}

describe("architecture", () => {
  it("keeps the pure core free of I/O and of edge modules", async () => {
    const problems: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      const path = relative(SRC, file);
      if (!PURE.some((prefix) => path.startsWith(prefix))) continue;
      const text = await readFile(file, "utf8");
      for (const specifier of importsOf(text)) {
        if (specifier.startsWith(".")) {
          const target = relative(SRC, resolve(file, "..", specifier)).replace(/\.js$/, "");
          const typeOnly = new RegExp(`import type [^;]*from\\s+"${specifier.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"`).test(text);
          if (!PURE_MAY_IMPORT.some((allowed) => target.startsWith(allowed)) || (target === "live/client" && !typeOnly)) {
            problems.push(`${path} imports ${target}`);
          }
        } else if (!PURE_PACKAGES.includes(specifier)) {
          problems.push(`${path} imports ${specifier}`);
        }
      }
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      if (IMPURE_GLOBALS.test(code)) problems.push(`${path} uses ${IMPURE_GLOBALS.exec(code)?.[0]}`);
    }
    expect(problems).toEqual([]);
  });

  it("keeps the server independent of the client and planner", async () => {
    const problems: string[] = [];
    for (const file of await sourceFiles(join(SRC, "server"))) {
      for (const specifier of importsOf(await readFile(file, "utf8"))) {
        if (!specifier.startsWith(".")) continue;
        const target = relative(SRC, resolve(file, "..", specifier));
        if (!target.startsWith("server/") && !target.startsWith("model/") && !target.startsWith("sql/")) {
          problems.push(`${relative(SRC, file)} imports ${target}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("lets nothing import the CLI", async () => {
    const problems: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      if (relative(SRC, file).startsWith("cli/")) continue;
      for (const specifier of importsOf(await readFile(file, "utf8"))) {
        if (specifier.includes("/cli/")) problems.push(`${relative(SRC, file)} imports ${specifier}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
