import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DependencyCycleError, ManifestError, UsageError } from "../errors.js";
import { loadManifests, type LoadResult } from "../manifest/load.js";
import type { AssignedVariable } from "../manifest/project.js";
import type { JsonValue } from "../model/index.js";
import { buildDependencyGraph } from "../plan/dependency-graph.js";
import type { CommandContext } from "./context.js";

/** Loads and validates the manifests; any problem stops here, before anything reaches the API. */
export async function loadDesired(context: CommandContext): Promise<LoadResult> {
  const paths = context.paths.length > 0 ? context.paths.map((path) => resolve(context.io.cwd, path)) : [context.io.cwd];
  const env = context.flags["env"];
  const assigned = await assignedVariables(context);
  const loaded = await loadManifests(paths, {
    ...(typeof env === "string" ? { env } : {}),
    ...(assigned.length > 0 ? { assigned } : {}),
    environment: context.io.environment,
    cwd: context.io.cwd,
  });
  if (loaded.issues.length > 0) throw new ManifestError(loaded.issues);
  refuseCycles(loaded);
  return loaded;
}

/**
 * A dependency cycle among the manifests is a manifest error, found before anything reads the
 * workspace, and told with the file:line of each resource on it.
 */
function refuseCycles(loaded: LoadResult): void {
  try {
    buildDependencyGraph(loaded.resources);
  } catch (error) {
    if (!(error instanceof DependencyCycleError)) throw error;
    const byAddress = new Map(loaded.resources.map((resource) => [resource.address as string, resource]));
    const path = error.cycle.join(" -> ");
    const on = [...new Set(error.cycle)];
    const issues = on.map((address, index) => {
      const location = byAddress.get(address)?.location;
      return {
        file: location?.file ?? "(manifests)",
        line: location?.line ?? 1,
        column: location?.column ?? 1,
        message: index === 0 ? `dependency cycle: ${path}` : `${address} is on the dependency cycle ${path}`,
      };
    });
    throw new ManifestError(issues);
  }
}

/** `--var-file FILE` (a YAML or JSON mapping of NAME: VALUE) in order, then `--var NAME=VALUE` in order: the last one wins. */
export async function assignedVariables(context: CommandContext): Promise<AssignedVariable[]> {
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : typeof value === "string" ? [value] : [];
  const assigned: AssignedVariable[] = [];
  for (const file of list(context.flags["var-file"])) {
    let text: string;
    try {
      text = await readFile(resolve(context.io.cwd, file), "utf8");
    } catch (error) {
      throw new UsageError(
        `--var-file ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
      );
    }
    let value: unknown;
    // yaml is loaded only for a --var-file: every other run reads plain manifests without it.
    const { parse: parseYaml } = await import("yaml");
    try {
      value = parseYaml(text);
    } catch (error) {
      throw new UsageError(`--var-file ${file} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`);
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new UsageError(`--var-file ${file} must hold a mapping of variable names to values, e.g. "retention_ms: 3600000"`);
    }
    for (const [name, item] of Object.entries(value as Record<string, JsonValue>)) assigned.push({ name, value: item, from: file });
  }
  for (const text of list(context.flags["var"])) {
    const match = /^([^=\s]+)=(.*)$/s.exec(text);
    if (!match) throw new UsageError(`--var must look like NAME=VALUE (e.g. --var retention_ms=3600000), not "${text}"`);
    assigned.push({ name: match[1] as string, value: match[2] as string, from: "--var", text: true });
  }
  return assigned;
}
