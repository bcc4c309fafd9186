#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ManifestError, SafetyRefusal, StalePlanError, TpctlError, UsageError } from "../errors.js";
import type { CommandContext, CommandResult } from "./context.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

interface CommandDeclaration {
  readonly summary: string;
  readonly options: Options;
  readonly run: () => Promise<{ run(context: CommandContext): Promise<CommandResult> }>;
}

const common: Options = {
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  env: { type: "string" },
  "no-color": { type: "boolean" },
};
const planOutput: Options = {
  json: { type: "boolean" },
  format: { type: "string" },
  target: { type: "string", multiple: true },
  api: { type: "string" },
};

/** One declaration per command; the implementation is loaded only when the command runs. */
const COMMANDS: Readonly<Record<string, CommandDeclaration>> = {
  validate: {
    summary: "load and validate manifests, offline",
    options: { json: { type: "boolean" } },
    run: () => import("./commands/validate.js"),
  },
  plan: {
    summary: "diff manifests against the live workspace and print the plan",
    options: { ...planOutput, "detailed-exitcode": { type: "boolean" }, out: { type: "string" } },
    run: () => import("./commands/plan.js"),
  },
  apply: {
    summary: "plan and apply (asks on a terminal unless --auto-approve)",
    options: {
      ...planOutput,
      "auto-approve": { type: "boolean" },
      "allow-destroy": { type: "boolean" },
      concurrency: { type: "string" },
    },
    run: () => import("./commands/apply.js"),
  },
  destroy: {
    summary: "delete what the manifests manage, dependents first",
    options: { ...planOutput, "auto-approve": { type: "boolean" }, concurrency: { type: "string" } },
    run: () => import("./commands/destroy.js"),
  },
  drift: {
    summary: "report where the live workspace differs from the manifests (for a cron job)",
    options: { ...planOutput, "fail-on-unmanaged": { type: "boolean" } },
    run: () => import("./commands/drift.js"),
  },
  export: {
    summary: "write manifests for what is live, to adopt an existing workspace",
    options: { out: { type: "string" }, project: { type: "string" }, adopt: { type: "boolean" }, api: { type: "string" } },
    run: () => import("./commands/export.js"),
  },
  graph: {
    summary: "print the dependency graph of the manifests (json, mermaid, dot)",
    options: { format: { type: "string" } },
    run: () => import("./commands/graph.js"),
  },
  unlock: {
    summary: "clear the workspace lock left by a run that was killed",
    options: { api: { type: "string" } },
    run: () => import("./commands/unlock.js"),
  },
  server: {
    summary: "run the built-in Timeplus-compatible server in the foreground",
    options: {
      port: { type: "string" },
      data: { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      "api-key": { type: "string" },
      "latency-ms": { type: "string" },
      "fault-rate": { type: "string" },
      "fault-seed": { type: "string" },
      profile: { type: "string" },
    },
    run: () => import("./commands/server.js"),
  },
};

export function renderUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return [
    "Usage: tpctl <command> [PATH...] [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Connects to TIMEPLUS_ADDRESS (with TIMEPLUS_WORKSPACE, TIMEPLUS_USERNAME/TIMEPLUS_PASSWORD or",
    "TIMEPLUS_API_KEY); without it, to an embedded local workspace kept in .tpctl/.",
    "",
  ].join("\n");
}

/** One line per option, so that `tpctl apply --help` answers what a flag does. */
const OPTION_HELP: Readonly<Record<string, string>> = {
  debug: "print stack traces of errors",
  help: "show this help",
  env: "use this environment of tpctl.yaml (variables, connection, overrides)",
  "no-color": "never colour the output (NO_COLOR also works)",
  json: "print one JSON document on stdout",
  format: "output format: text, json or markdown (graph: json, mermaid or dot)",
  target: "limit the plan to kind/name and what it needs (repeatable)",
  "detailed-exitcode": "exit 2 when there are changes, 0 when there are none",
  out: "plan: save the plan to this file for `tpctl apply FILE`; export: the folder to write",
  "auto-approve": "do not ask; required when there is no terminal",
  "allow-destroy": "allow deletes and destructive replaces",
  concurrency: "how many API calls run at once (default 10, fewer while the server answers 429/503)",
  "fail-on-unmanaged": "count live objects this project does not own as drift",
  project: "the project name written to the exported tpctl.yaml",
  adopt: "also record ownership on the exported live resources",
  api: "how to talk to Timeplus: rest, sql or auto (default; TIMEPLUS_API also works)",
  port: "port to listen on (0 picks a free one; default 8000)",
  data: "folder that keeps the server's data (default .tpctl/data)",
  username: "require HTTP Basic authentication with this user name",
  password: "require HTTP Basic authentication with this password",
  "api-key": "require this API key (X-Api-Key)",
  "latency-ms": "add this many milliseconds to every response",
  "fault-rate": "fail this fraction of requests, as networks and servers fail",
  "fault-seed": "seed for --fault-rate, so a run can be repeated",
  profile: "what to serve: 2024 (REST API), 2026 (REST + /exec SQL), engine (SQL only, as Proton); default all",
};

function renderCommandUsage(name: string, declaration: CommandDeclaration): string {
  const options = Object.keys({ ...declaration.options, ...common });
  const width = Math.max(...options.map((option) => option.length)) + 2;
  const lines = options.map((option) => `  --${option.padEnd(width)}${OPTION_HELP[option] ?? ""}`);
  return [`Usage: tpctl ${name} [PATH...] [options]`, "", declaration.summary, "", "Options:", ...lines, ""].join("\n");
}

/** Exit status for an error: 3 for safety refusals, 1 for everything else (contract). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof SafetyRefusal || error instanceof StalePlanError) return 3;
  return 1;
}

export async function main(argv: readonly string[], io: CommandContext["io"]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(renderUsage());
    return name === undefined ? 1 : 0;
  }
  if (name === "--version") {
    io.stdout("tpctl 0.1.0\n");
    return 0;
  }
  const declaration = COMMANDS[name];
  let debug = rest.includes("--debug");
  try {
    if (!declaration) throw new UsageError(`unknown command "${name}"; run "tpctl --help" to see the commands`);
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { ...common, ...declaration.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message.replace(/\. To specify.*$/s, "")}; run "tpctl ${name} --help"`);
    }
    debug = parsed.values["debug"] === true;
    if (parsed.values["help"]) {
      io.stdout(renderCommandUsage(name, declaration));
      return 0;
    }
    const command = await declaration.run();
    const result = await command.run({
      io,
      paths: parsed.positionals,
      flags: parsed.values as CommandContext["flags"],
    });
    return result.exitCode;
  } catch (error) {
    io.stderr(describeError(error, debug));
    // A pipeline that asked for JSON gets the failure as JSON too, with a stable code.
    if (rest.includes("--json") || (rest.includes("--format") && rest[rest.indexOf("--format") + 1] === "json")) {
      io.stdout(renderErrorJson(error));
    }
    return exitCodeFor(error);
  }
}

export function renderErrorJson(error: unknown): string {
  const known = error instanceof TpctlError;
  const document = {
    format_version: "1",
    error: {
      code: known ? error.code : "INTERNAL",
      message: known ? error.message : `unexpected failure: ${(error as Error)?.message ?? String(error)}`,
      meta: known ? error.meta : {},
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function describeError(error: unknown, debug: boolean): string {
  if (error instanceof ManifestError) {
    const lines = error.issues.map((issue) => `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
    return `${lines.join("\n")}\nError: ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"} in the manifests; nothing was sent to the API.\n`;
  }
  const message = error instanceof TpctlError ? error.message : `unexpected failure: ${(error as Error)?.message ?? String(error)}`;
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  return `Error: ${message}${stack}\n`;
}

// Only this file touches the process: it runs when it is the program (also through npm's bin
// symlink), not when a test imports it.
async function runAsProgram(): Promise<void> {
  const code = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    environment: process.env,
    cwd: process.cwd(),
    ...(process.stdin.isTTY ? { prompt: askOnTerminal } : {}),
  });
  process.exitCode = code;
}

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

const invokedAs = process.argv[1];
if (invokedAs !== undefined && realpathSync(invokedAs) === fileURLToPath(import.meta.url)) {
  await runAsProgram();
}
