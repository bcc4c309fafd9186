import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { assertDistIsFresh } from "./dist.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The built CLI, exactly as `npx tpctl` runs it: the package's bin (npm test builds before running the tests). */
export const CLI = join(repoRoot, "dist", "bin", "tpctl.js");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
}

/**
 * The environment a CLI run sees: this process's, without any TIMEPLUS_* of the developer's shell
 * (a test must never reach their deployment), with NO_COLOR, then what the test gives (a value of
 * undefined removes a variable).
 */
function cliEnvironment(given: CliOptions["env"]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, NO_COLOR: "1", ...given })) {
    if (value !== undefined && !key.startsWith("TIMEPLUS_")) env[key] = value;
  }
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** Listening servers and open sockets of this process, to catch a command that leaves one open. */
function openServers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "TCPServerWrap").length;
}

/**
 * Runs the real CLI entry point, `main(argv, io)` of src/cli/main.ts, in this process: the same
 * argument parsing, commands, exit codes and output as the binary, over real HTTP, without the
 * cost of starting Node for every call. Nothing is shared with the test but the module cache:
 * the environment and folder are given, there is no terminal, and stdout/stderr are captured.
 * A command that leaves a listening server behind (the embedded one, not closed) fails the run;
 * the check counts this process's servers, so two runs on the embedded workspace at the same
 * time (Promise.all) could trip it: run those one after the other, or against a test server.
 */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  // It runs until the process gets SIGINT/SIGTERM: in process it would never return.
  if (args[0] === "server" && !args.includes("--help")) throw new Error("run tpctl server with runCliProcess or spawn, not in process");
  let stdout = "";
  let stderr = "";
  const serversBefore = openServers();
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdoutIsTTY: false,
    stdinIsTTY: false,
    environment: cliEnvironment(options.env),
    cwd: options.cwd,
  });
  // A closed server leaves the list of active handles a moment after its close() resolved.
  for (let waited = 0; openServers() > serversBefore && waited < 1000; waited += 10) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 10));
  }
  const left = openServers() - serversBefore;
  if (left > 0) throw new Error(`tpctl ${args.join(" ")} left ${left} server(s) listening after it returned`);
  return { code, stdout, stderr };
}

/** A run of the binary that has not exited by then did not exit by itself (well under the test timeout). */
const PROCESS_TIMEOUT_MS = 20_000;

/**
 * Runs the built CLI (dist/bin/tpctl.js, or `bin`, e.g. a symlink to it) in a child process, as
 * `npx tpctl` does: for what only the real binary shows (its exit status, its entry point, that it
 * exits by itself). Fails with a clear message when dist/ is older than src/ instead of testing
 * an old build. Asynchronous on purpose: a server started by the test in this process must keep
 * answering while the CLI runs.
 */
export async function runCliProcess(args: readonly string[], options: CliOptions & { bin?: string }): Promise<CliResult> {
  await assertDistIsFresh();
  const env = cliEnvironment(options.env);
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [options.bin ?? CLI, ...args],
      { cwd: options.cwd, env, timeout: PROCESS_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        const killed = error?.killed ? `\n[runCliProcess: killed after ${PROCESS_TIMEOUT_MS} ms; the process did not exit]\n` : "";
        resolvePromise({ code, stdout, stderr: stderr + killed });
      },
    );
  });
}

/** A temporary folder holding the given files (paths relative to it); removed by `cleanup`. */
export async function makeTree(files: Record<string, string>): Promise<{
  dir: string;
  write(files: Record<string, string>): Promise<void>;
  remove(path: string): Promise<void>;
  cleanup(): Promise<void>;
}> {
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
