import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The built CLI, exactly as `npx tpctl` runs it (npm test builds before running the tests). */
export const CLI = join(repoRoot, "dist", "cli", "main.js");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real CLI in a child process. Asynchronous on purpose: a server started by the test in
 * this process must keep answering while the CLI runs.
 */
export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, NO_COLOR: "1", ...options.env })) {
    if (value !== undefined && !key.startsWith("TIMEPLUS_")) env[key] = value;
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value !== undefined) env[key] = value;
  }
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A temporary folder holding the given files (paths relative to it); removed by `cleanup`. */
export async function makeTree(files: Record<string, string>): Promise<{ dir: string; write(files: Record<string, string>): Promise<void>; remove(path: string): Promise<void>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "tpctl-e2e-"));
  const write = async (more: Record<string, string>): Promise<void> => {
    for (const [path, content] of Object.entries(more)) {
      const full = join(dir, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  };
  await write(files);
  return {
    dir,
    write,
    remove: (path) => rm(join(dir, path), { force: true }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
