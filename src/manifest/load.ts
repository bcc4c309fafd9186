import { createHash } from "node:crypto";
import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ManifestIssue } from "../errors.js";
import type { DesiredResource, JsonObject, Kind } from "../model/index.js";
import { KINDS } from "../model/index.js";
import { assembleManifests, type ManifestFile } from "./assemble.js";
import type { AssignedVariable, ConnectionSettings } from "./project.js";
import type { CompiledSchemas, SchemaSet } from "./schemas.js";
import { FullYamlNeeded, MAX_FILE_CHARS, type FullYamlParser } from "./parse-fast.js";

export interface LoadResult {
  readonly resources: readonly DesiredResource[];
  readonly issues: readonly ManifestIssue[];
  readonly project: string;
  readonly settings: ConnectionSettings;
}

export interface LoadOptions {
  /** The environment of tpctl.yaml to use (`--env`). */
  readonly env?: string;
  /** `--var` and `--var-file`, in order. */
  readonly assigned?: readonly AssignedVariable[];
  /** The process environment, for `${env:…}` and `${secret:…}`. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** File names in issues are relative to this folder; defaults to the process's. */
  readonly cwd?: string;
  /** Where the JSON Schemas are; defaults to the package's schemas/. */
  readonly schemaDir?: string;
}

const PROJECT_FILES = ["tpctl.yaml", "tpctl.yml"];
const SKIPPED_FOLDERS = new Set(["node_modules", ".git", ".tpctl"]);
const MANIFEST_FILE = /\.ya?ml$/i;

/**
 * The package's schemas/ folder: `../../schemas` from both src/manifest (vitest) and
 * dist/manifest (the built CLI); package.json `files` ships it beside dist/.
 */
export const DEFAULT_SCHEMA_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));

/**
 * Loads the manifests under `paths` (files, or folders read recursively for *.yaml and *.yml):
 * tpctl.yaml at the root of a folder, variables, the chosen environment and its overrides, then
 * validation. Problems come back as issues, never as exceptions.
 *
 * @example await loadManifests(["manifests/"], { env: "prod", environment: process.env })
 */
export async function loadManifests(paths: readonly string[], options: LoadOptions): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const display = (path: string): string => relative(cwd, path) || basename(path);
  const found = await findManifestFiles(paths.length > 0 ? paths : [cwd], cwd);
  const issues: ManifestIssue[] = found.missing.map((path) => ({
    file: display(path),
    line: 1,
    column: 1,
    message: `no such file or folder: ${display(path)}`,
  }));
  for (const { path, reason, what = "the folder" } of found.unreadable) {
    if (reason === "nested") {
      const folder = display(dirname(path));
      issues.push({
        file: display(path),
        line: 1,
        column: 1,
        message: `${folder} has a project file of its own, below the root of the manifest folder; plan it on its own (tpctl plan ${folder}), or delete this file to make its manifests part of this project`,
      });
      continue;
    }
    issues.push({
      file: display(path),
      line: 1,
      column: 1,
      message: `cannot read ${what} (${reason}); its manifests would look deleted, so nothing is planned without them`,
    });
  }

  const [projectPath, ...otherProjects] = found.projectFiles;
  for (const other of otherProjects) {
    issues.push({
      file: display(other),
      line: 1,
      column: 1,
      message: `only one tpctl.yaml can apply, and ${display(projectPath as string)} was found first; validate the folders separately`,
    });
  }

  const read = async (path: string): Promise<ManifestFile | undefined> => {
    try {
      const size = (await stat(path)).size;
      if (size > MAX_FILE_CHARS * 4) {
        // Not even read: parse.ts would refuse it, after the time and memory reading it takes.
        issues.push({
          file: display(path),
          line: 1,
          column: 1,
          message: `the file is ${size} bytes; a manifest file may hold at most 1 MiB`,
        });
        return undefined;
      }
      return { file: display(path), text: await readFile(path, "utf8") };
    } catch (error) {
      issues.push({ file: display(path), line: 1, column: 1, message: `cannot read the file: ${(error as Error).message}` });
      return undefined;
    }
  };
  const files = (await Promise.all(found.files.map(read))).filter((file): file is ManifestFile => file !== undefined);
  const projectFile = projectPath === undefined ? undefined : await read(projectPath);
  const schemas = await readSchemaSet(options.schemaDir);

  const firstRoot = found.roots[0] ?? cwd;
  const assemble = (set: SchemaSet) =>
    assembleManifests({
      files,
      ...(projectFile ? { projectFile } : {}),
      projectFileName: display(join(firstRoot, "tpctl.yaml")),
      ...(options.env !== undefined ? { env: options.env } : {}),
      ...(options.assigned ? { assigned: options.assigned } : {}),
      environment: options.environment,
      schemas: set,
    });
  let assembled: ReturnType<typeof assemble>;
  try {
    // Without yaml first: plain files never need it, and loading it is a good part of a `validate`.
    assembled = assemble(schemas);
  } catch (error) {
    if (!(error instanceof FullYamlNeeded)) throw error;
    assembled = assemble({ ...schemas, parseFullYaml: await loadFullYamlParser() });
  }
  return { ...assembled, issues: [...issues, ...assembled.issues] };
}

/** yaml's full parser; the pure core may not import at run time, so the edge does it for it. */
async function loadFullYamlParser(): Promise<FullYamlParser> {
  return (await import("./parse.js")).parseWithYaml;
}

/**
 * Reads schemas/<kind>.json for every kind and schemas/tpctl.json, once per folder, with yaml's
 * full parser: a set that reads every manifest, for callers that hand it to the pure stages.
 */
export async function readSchemas(dir: string = DEFAULT_SCHEMA_DIR): Promise<SchemaSet> {
  const [schemas, parseFullYaml] = await Promise.all([readSchemaSet(dir), loadFullYamlParser()]);
  return { ...schemas, parseFullYaml };
}

const schemaCache = new Map<string, Promise<SchemaSet>>();

/** The schemas of `dir` without yaml's parser, once per folder. */
function readSchemaSet(dir: string = DEFAULT_SCHEMA_DIR): Promise<SchemaSet> {
  let cached = schemaCache.get(dir);
  if (!cached) {
    cached = readSchemaFiles(dir);
    schemaCache.set(dir, cached);
    cached.catch(() => schemaCache.delete(dir));
  }
  return cached;
}

async function readSchemaFiles(dir: string): Promise<SchemaSet> {
  const readJson = async (name: string): Promise<JsonObject> => JSON.parse(await readFile(join(dir, name), "utf8")) as JsonObject;
  const entries = await Promise.all(KINDS.map(async (kind) => [kind, await readJson(`${kind}.json`)] as const));
  const schemas = { kinds: Object.fromEntries(entries) as Record<Kind, JsonObject>, project: await readJson("tpctl.json") };
  const precompiled = dir === DEFAULT_SCHEMA_DIR ? await loadPrecompiled(schemaFingerprint(schemas)) : undefined;
  // ajv is loaded only when there is something to compile.
  const compiled = precompiled ?? (await import("./compile-schemas.js")).compileSchemaSet(schemas);
  return { ...schemas, compiled };
}

/**
 * Where the build writes the standalone validators (schema-code.ts): dist/manifest/validators.js,
 * named from the folder above, so that the bundled CLI in dist/bin/ finds the same file.
 */
export const PRECOMPILED_VALIDATORS = fileURLToPath(new URL("../manifest/validators.js", import.meta.url));

/** Identifies the schemas' content, so that validators compiled from other schemas are never used. */
export function schemaFingerprint(schemas: Pick<SchemaSet, "kinds" | "project">): string {
  return createHash("sha256")
    .update(JSON.stringify({ kinds: schemas.kinds, project: schemas.project }))
    .digest("hex");
}

/** The build's validators when they were compiled from these very schemas; otherwise undefined. */
async function loadPrecompiled(fingerprint: string): Promise<CompiledSchemas | undefined> {
  let module: Record<string, unknown>;
  try {
    // Not there when running from src/ (vitest) or before the first build.
    module = (await import(pathToFileURL(PRECOMPILED_VALIDATORS).href)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (module["fingerprint"] !== fingerprint) return undefined;
  const all = [...KINDS, "project"].map((name) => module[name]);
  if (!all.every((validate) => typeof validate === "function")) return undefined;
  return {
    kinds: Object.fromEntries(KINDS.map((kind) => [kind, module[kind]])) as unknown as CompiledSchemas["kinds"],
    project: module["project"] as CompiledSchemas["project"],
  };
}

export interface FoundFiles {
  /** Manifest files, absolute, sorted, each once. */
  readonly files: readonly string[];
  /** tpctl.yaml files at the root of the given folders (or beside the given files). */
  readonly projectFiles: readonly string[];
  /** The folders the paths name, or the folders of the files they name. */
  readonly roots: readonly string[];
  readonly missing: readonly string[];
  /** Folders that could not be listed, and why. */
  readonly unreadable: readonly { readonly path: string; readonly reason: string; readonly what?: string }[];
}

/** Walks the given paths; skips node_modules, .git, .tpctl and every dot-folder. */
export async function findManifestFiles(paths: readonly string[], cwd: string): Promise<FoundFiles> {
  const files = new Set<string>();
  const projectFiles: string[] = [];
  const roots: string[] = [];
  const missing: string[] = [];
  const unreadable: { path: string; reason: string; what?: string }[] = [];
  const addProjectFileIn = async (folder: string): Promise<void> => {
    for (const name of PROJECT_FILES) {
      const candidate = join(folder, name);
      if ((await kindOf(candidate)) === "file" && !projectFiles.includes(candidate)) {
        projectFiles.push(candidate);
        return;
      }
    }
  };

  for (const given of paths) {
    const path = resolve(cwd, given);
    const type = await kindOf(path);
    if (type === "missing") {
      missing.push(path);
    } else if (type === "folder") {
      roots.push(path);
      await addProjectFileIn(path);
      for (const file of await walk(path, unreadable)) files.add(file);
    } else if (PROJECT_FILES.includes(basename(path))) {
      roots.push(dirname(path));
      if (!projectFiles.includes(path)) projectFiles.push(path);
    } else {
      roots.push(dirname(path));
      await addProjectFileIn(dirname(path));
      files.add(path);
    }
  }
  return { files: [...files].sort(), projectFiles, roots, missing, unreadable };
}

async function walk(folder: string, unreadable: { path: string; reason: string; what?: string }[], atRoot = true): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    // Skipping it would make its resources look deleted: every path that cannot be read is an error.
    unreadable.push({ path: folder, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
    return [];
  }
  // Below the root, a project file would be ignored while its folder's manifests joined this
  // project under another project's name: refused, so that no one plans a project by accident.
  const nested = atRoot ? undefined : entries.find((entry) => PROJECT_FILES.includes(entry.name));
  if (nested) {
    unreadable.push({ path: join(folder, nested.name), reason: "nested", what: "project file" });
    return [];
  }
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(folder, entry.name);
    // Symlinked folders are not followed, so a link cycle cannot trap the walk.
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith(".")) found.push(...(await walk(path, unreadable, false)));
    } else if (MANIFEST_FILE.test(entry.name) && !PROJECT_FILES.includes(entry.name)) {
      if (entry.isFile()) found.push(path);
      else if (entry.isSymbolicLink()) {
        const target = await kindOf(path);
        if (target === "file") found.push(path);
        // A manifest's link to nothing would make its resources look deleted, as an unreadable folder would.
        else if (target === "missing") unreadable.push({ path, reason: "a link to nothing", what: "the manifest" });
      }
    }
  }
  return found;
}

async function kindOf(path: string): Promise<"file" | "folder" | "missing"> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? "folder" : "file";
  } catch {
    return "missing";
  }
}
