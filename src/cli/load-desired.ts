import { resolve } from "node:path";
import { ManifestError } from "../errors.js";
import { loadManifests, type LoadResult } from "../manifest/load.js";
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
  return loaded;
}
