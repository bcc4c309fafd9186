import { execFile } from "node:child_process";
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The last file the build writes: the bundled CLI. */
const BUILT_ENTRY = join(repoRoot, "dist", "bin", "tpctl.js");

/** The newest modification time of the sources the build compiles (tests excluded). */
async function newestSource(dir: string): Promise<number> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  const times = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return newestSource(path);
      if (!entry.name.endsWith(".ts") || entry.name.endsWith(".test.ts")) return 0;
      return (await stat(path)).mtimeMs;
    }),
  );
  return Math.max(0, ...times);
}

/** Why dist/ cannot stand for src/ (missing, or older than a source file), or undefined when it can. */
export async function distStaleness(): Promise<string | undefined> {
  let built: number;
  try {
    built = (await stat(BUILT_ENTRY)).mtimeMs;
  } catch {
    return "dist/bin/tpctl.js does not exist";
  }
  const newest = Math.max(await newestSource(join(repoRoot, "src")), (await stat(join(repoRoot, "tsconfig.build.json"))).mtimeMs);
  return newest > built ? "dist/ is older than src/" : undefined;
}

/** For the few tests that run the built binary: refuse to test a build of older sources. */
export async function assertDistIsFresh(): Promise<void> {
  const reason = await distStaleness();
  if (reason) throw new Error(`${reason}; run "npm run build" (tests of the real binary would test an old build)`);
}

/** Builds dist/ with the project's own build (`npm run build`'s three steps) when it is stale. */
export async function buildDistIfStale(): Promise<void> {
  if ((await distStaleness()) === undefined) return;
  const require = createRequire(import.meta.url);
  const run = (args: string[]) => promisify(execFile)(process.execPath, args, { cwd: repoRoot });
  await run([require.resolve("typescript/bin/tsc"), "-p", join(repoRoot, "tsconfig.build.json")]);
  await run([join(repoRoot, "dist", "manifest", "schema-code.js")]);
  await run([join(dirname(require.resolve("rolldown/package.json")), "bin", "cli.mjs"), "-c", "rolldown.config.js", "--logLevel", "warn"]);
}
