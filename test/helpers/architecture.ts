import { readdir } from "node:fs/promises";
import { join, relative, resolve } from "node:path";

/**
 * The layering rules of the house style, as functions of a file's path and text, so that the
 * guard in test/architecture.test.ts can itself be tested on made-up sources.
 */

/** The pure core: never the network, the disk, the clock or the process, and no edge module by value. */
export const PURE = [
  "model/",
  "kinds/",
  "sql/",
  "plan/",
  "render/",
  "manifest/parse.ts",
  "manifest/parse-fast.ts",
  "manifest/simple-yaml.ts",
  "manifest/validate.ts",
  "manifest/issues.ts",
  "manifest/schemas.ts",
  "manifest/secret-fields.ts",
  "manifest/resolve.ts",
  "manifest/project.ts",
  "manifest/assemble.ts",
  "export/",
  "drivers/rest/normalize.ts",
  "drivers/rest/endpoints.ts",
  "drivers/rest/calls.ts",
  "lock/",
];
/** What the pure core may import from src/ (path prefixes without .js). */
export const PURE_MAY_IMPORT = [
  "model/",
  "kinds/",
  "sql/",
  "plan/",
  "render/",
  "manifest/parse",
  "manifest/simple-yaml",
  "manifest/validate",
  "manifest/issues",
  "manifest/secret-fields",
  "manifest/resolve",
  "manifest/project",
  "manifest/assemble",
  "manifest/schemas",
  "export/",
  "drivers/rest/normalize",
  "drivers/rest/endpoints",
  "drivers/http",
  "drivers/rest/calls",
  "lock/",
  "errors",
];
/** Edge modules whose types the pure core may name, but whose code it must never load. */
export const TYPE_ONLY = ["drivers/http"];
export const PURE_PACKAGES = ["yaml", "ajv", "diff", "fast-json-patch"];
/**
 * The pure core's one loader of code on demand, and what it may import for it: render/ loads its
 * libraries the first time a rendering needs them (50 ms of every command when loaded up front).
 * That reads the code a static import would and changes nothing outside the process, so the
 * renderers stay pure functions.
 */
const ON_DEMAND_LOADERS: Readonly<Record<string, readonly string[]>> = { "render/libraries.ts": ["node:module"] };
const IMPURE_GLOBALS =
  /\b(process\.|console\.|Date\.now\(|new Date\(|Math\.random\(|fetch\(|setTimeout\(|setInterval\(|performance\.now\(|require\()/;

export interface ImportReference {
  readonly specifier: string;
  /** `import type …`, `export type …`, or every named binding marked `type`: erased at compile time. */
  readonly typeOnly: boolean;
  /** `import("…")` at run time; a computed specifier comes back as "<computed>". */
  readonly dynamic: boolean;
}

/** Comments removed, so that an example in a doc comment is not taken for code. */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

function bindingsAreAllTypes(clause: string): boolean {
  const named = /\{([^}]*)\}/.exec(clause);
  if (!named || /^\s*[\w$]+\s*,/.test(clause) || /\*\s+as/.test(clause)) return false;
  const bindings = (named[1] as string)
    .split(",")
    .map((binding) => binding.trim())
    .filter((binding) => binding !== "");
  return bindings.length > 0 && bindings.every((binding) => binding.startsWith("type "));
}

/** Every static import/re-export, side-effect import and dynamic import() of a source text. */
export function importsOf(source: string): ImportReference[] {
  const text = stripComments(source);
  const found: ImportReference[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s+["']([^"']+)["']/gm)) {
    const clause = match[3] as string;
    found.push({ specifier: match[4] as string, typeOnly: match[2] !== undefined || bindingsAreAllTypes(clause), dynamic: false });
  }
  for (const match of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) {
    found.push({ specifier: match[1] as string, typeOnly: false, dynamic: false });
  }
  for (const match of text.matchAll(/(typeof\s+)?\bimport\s*\(\s*(?:["'`]([^"'`$]+)["'`]\s*\)|([^)]*)\))/g)) {
    if (match[1] !== undefined) continue; // `typeof import("…")` names a type; nothing is loaded
    found.push({ specifier: match[2] ?? "<computed>", typeOnly: false, dynamic: true });
  }
  return found;
}

/** Problems of one file under src/ (path relative to src/), each as "path imports/uses what". */
export function purityProblems(path: string, source: string): string[] {
  if (!PURE.some((prefix) => path.startsWith(prefix))) return [];
  const problems: string[] = [];
  for (const reference of importsOf(source)) {
    if (ON_DEMAND_LOADERS[path]?.includes(reference.specifier) && !reference.dynamic) continue;
    const how = reference.dynamic ? "imports dynamically" : reference.typeOnly ? "imports types of" : "imports";
    if (reference.specifier === "<computed>") {
      problems.push(`${path} imports a computed module at run time`);
    } else if (reference.specifier.startsWith(".")) {
      const target = join(path, "..", reference.specifier).replace(/\.js$/, "");
      const allowed = PURE_MAY_IMPORT.some((prefix) => target.startsWith(prefix));
      const typesOnly = TYPE_ONLY.some((prefix) => target.startsWith(prefix));
      if (!allowed || (typesOnly && !reference.typeOnly)) problems.push(`${path} ${how} ${target}`);
    } else if (!PURE_PACKAGES.includes(reference.specifier) && !reference.typeOnly) {
      problems.push(`${path} ${how} ${reference.specifier}`);
    }
  }
  const code = stripComments(source);
  const impure = IMPURE_GLOBALS.exec(code);
  if (impure) problems.push(`${path} uses ${impure[0]}`);
  return problems;
}

/**
 * The layers of src/ that every stage stands on, each with what it may import besides itself:
 * model/ (types every stage shares and the tiny pure helpers on them), sql/ (the Timeplus SQL
 * toolkit), kinds/ (one module per kind: everything tpctl knows about it) and errors.ts.
 */
export const FOUNDATION: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  "model/": ["errors"],
  "sql/": ["model/", "errors"],
  "kinds/": ["model/", "sql/", "errors"],
};
/** The stages of the pipeline: each imports itself and the foundation, never another stage. */
export const STAGES = ["manifest/", "drivers/", "plan/", "apply/", "render/", "export/", "lock/"];
/**
 * The stage-to-stage imports the design wants, each for a reason; any other is a sideways import.
 * - export/ -> render/yaml: an export writes manifests in the YAML style plans show them in.
 */
export const STAGE_EDGES: Readonly<Record<string, readonly string[]>> = {
  "export/": ["render/yaml"],
};

function layerOf(path: string): string | undefined {
  if (path === "errors.ts") return "errors";
  return [...Object.keys(FOUNDATION), ...STAGES].find((layer) => layer.endsWith("/") && path.startsWith(layer));
}

/**
 * Imports that cross the layering of one file under src/ (types count: they couple too): a stage
 * importing another stage sideways, or a foundation layer importing a stage or a layer above it.
 * cli/ wires the stages together and may import anything; server/ has its own rule.
 */
export function layerProblems(path: string, source: string): string[] {
  const layer = layerOf(path);
  if (layer === undefined) return [];
  const allowed = [layer, ...(FOUNDATION[layer] ?? Object.keys(FOUNDATION)), ...(STAGE_EDGES[layer] ?? [])];
  return importsOf(source)
    .filter((reference) => reference.specifier.startsWith("."))
    .map((reference) => join(path, "..", reference.specifier).replace(/\.js$/, ""))
    .filter((target) => !allowed.some((prefix) => target === prefix || target.startsWith(prefix)))
    .map(
      (target) =>
        `${path} imports ${target} (${layer} may import ${allowed.filter((prefix) => prefix !== layer).join(", ") || "nothing else"})`,
    );
}

/** The server stands alone: it imports only itself, the model and the SQL toolkit. */
export function serverProblems(path: string, source: string): string[] {
  if (!path.startsWith("server/")) return [];
  return importsOf(source)
    .filter((reference) => reference.specifier.startsWith("."))
    .map((reference) => join(path, "..", reference.specifier))
    .filter((target) => !target.startsWith("server/") && !target.startsWith("model/") && !target.startsWith("sql/"))
    .map((target) => `${path} imports ${target}`);
}

/** Nothing outside cli/ imports the CLI. */
export function cliImportProblems(path: string, source: string): string[] {
  if (path.startsWith("cli/")) return [];
  return importsOf(source)
    .filter((reference) => reference.specifier.startsWith(".") && join(path, "..", reference.specifier).startsWith("cli/"))
    .map((reference) => `${path} imports ${reference.specifier}`);
}

/** Source files of the product (tests and test helpers excluded), relative to `root`. */
export async function sourceFiles(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry) =>
      entry.isDirectory() ? sourceFiles(root, join(dir, entry.name)) : [relative(root, join(dir, entry.name))],
    ),
  );
  return files.flat().filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith("test-utils.ts"));
}

export const SRC = resolve("src");
