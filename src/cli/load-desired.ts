import { resolve } from "node:path";
import { DependencyCycleError, ManifestError } from "../errors.js";
import { loadManifests, type LoadResult } from "../manifest/load.js";
import { buildDependencyGraph } from "../plan/dependency-graph.js";
import type { CommandContext } from "./context.js";

/** Loads and validates the manifests; any problem stops here, before anything reaches the API. */
export async function loadDesired(context: CommandContext): Promise<LoadResult> {
  const paths = context.paths.length > 0 ? context.paths.map((path) => resolve(context.io.cwd, path)) : [context.io.cwd];
  const env = context.flags["env"];
  const loaded = await loadManifests(paths, {
    ...(typeof env === "string" ? { env } : {}),
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
