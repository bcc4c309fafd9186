#!/usr/bin/env node
import { readFileSync, realpathSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { InterruptedError, ManifestError, SafetyRefusal, StalePlanError, TpctlError, UsageError } from "../errors.js";
import type { CommandContext, CommandResult } from "./context.js";
import { LockHeldError } from "./lock.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

interface CommandDeclaration {
  readonly summary: string;
  /** What follows the command name in its usage line. */
  readonly operands: string;
  /** More to say than the summary, e.g. another way to call it. */
  readonly details?: string;
  readonly options: Options;
  /** Options that are spelled another way but mean the same (kept for older scripts). */
  readonly aliases?: Readonly<Record<string, string>>;
  readonly example: string;
  readonly run: () => Promise<{ run(context: CommandContext): Promise<CommandResult> }>;
}

/** Accepted by every command, so that a script passing them everywhere (as Terraform users do) never breaks. */
const always: Options = {
  "no-color": { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};
const manifests: Options = {
  env: { type: "string" },
  var: { type: "string", multiple: true },
  "var-file": { type: "string", multiple: true },
};
const selection: Options = {
  target: { type: "string", multiple: true },
  exclude: { type: "string", multiple: true },
};
const planOutput: Options = {
  json: { type: "boolean" },
  format: { type: "string" },
};
const applying: Options = {
  "auto-approve": { type: "boolean" },
  parallelism: { type: "string" },
  concurrency: { type: "string" },
};
/** Commands that read the workspace may wait for its lock (only apply and destroy take it). */
const locking: Options = {
  "lock-timeout": { type: "string" },
};
/** Commands that talk to a deployment choose how (src/drivers/). */
const reaching: Options = {
  api: { type: "string" },
};

/** One declaration per command; the implementation is loaded only when the command runs. */
const COMMANDS: Readonly<Record<string, CommandDeclaration>> = {
  validate: {
    summary: "load and validate manifests, offline",
    operands: "[PATH...]",
    options: { ...manifests, json: { type: "boolean" } },
    example: "tpctl validate examples",
    run: () => import("./commands/validate.js"),
  },
  plan: {
    summary: "diff manifests against the live workspace and print the plan",
    operands: "[PATH...]",
    options: {
      ...manifests,
      ...selection,
      replace: { type: "string", multiple: true },
      ...planOutput,
      ...locking,
      ...reaching,
      "detailed-exitcode": { type: "boolean" },
      out: { type: "string" },
    },
    example: "tpctl plan examples --out plan.json",
    run: () => import("./commands/plan.js"),
  },
  apply: {
    summary: "plan and apply (asks on a terminal unless --auto-approve)",
    operands: "[PATH... | FILE]",
    details:
      "With FILE, a plan saved by `tpctl plan --out FILE`, applies exactly that plan, and refuses (exit 3) if the workspace or the manifests changed since.",
    options: {
      ...manifests,
      ...selection,
      replace: { type: "string", multiple: true },
      ...planOutput,
      ...locking,
      ...reaching,
      ...applying,
      "allow-destroy": { type: "boolean" },
    },
    aliases: { concurrency: "parallelism" },
    example: "tpctl apply examples --auto-approve",
    run: () => import("./commands/apply.js"),
  },
  destroy: {
    summary: "delete what the manifests manage, dependents first",
    operands: "[PATH...]",
    options: { ...manifests, ...selection, ...planOutput, ...locking, ...reaching, ...applying },
    aliases: { concurrency: "parallelism" },
    example: "tpctl destroy examples --auto-approve",
    run: () => import("./commands/destroy.js"),
  },
  drift: {
    summary: "report where the live workspace differs from the manifests (for a cron job)",
    operands: "[PATH...]",
    options: { ...manifests, ...selection, ...planOutput, ...locking, ...reaching, "fail-on-unmanaged": { type: "boolean" } },
    example: "tpctl drift examples --format markdown",
    run: () => import("./commands/drift.js"),
  },
  show: {
    summary: "print a saved plan without touching the workspace",
    operands: "FILE",
    options: { ...planOutput },
    example: "tpctl show plan.json --format markdown",
    run: () => import("./commands/show.js"),
  },
  export: {
    summary: "write manifests for what is live, to adopt an existing workspace",
    operands: "",
    options: { out: { type: "string" }, project: { type: "string" }, adopt: { type: "boolean" }, ...reaching },
    example: "tpctl export --out live --project fleet --adopt",
    run: () => import("./commands/export.js"),
  },
  graph: {
    summary: "print the dependency graph of the manifests (json, mermaid, dot)",
    operands: "[PATH...]",
    options: { ...manifests, format: { type: "string" } },
    example: "tpctl graph examples --format dot | dot -Tsvg > graph.svg",
    run: () => import("./commands/graph.js"),
  },
  unlock: {
    summary: "clear the workspace lock left by a run that was killed",
    operands: "",
    options: { ...reaching },
    example: "tpctl unlock",
    run: () => import("./commands/unlock.js"),
  },
  server: {
    summary: "run the built-in Timeplus-compatible server in the foreground",
    operands: "",
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
    example: "tpctl server --port 8000 --data /tmp/tp",
    run: () => import("./commands/server.js"),
  },
};

/** Commands answered here, without loading anything. */
const BUILTINS: Readonly<Record<string, string>> = {
  version: "print the version of tpctl",
  help: "show the commands, or the options of one (tpctl help plan)",
};

export function renderUsage(): string {
  const entries: [string, string][] = [
    ...Object.entries(COMMANDS).map(([name, command]): [string, string] => [name, command.summary]),
    ...Object.entries(BUILTINS),
  ];
  const width = Math.max(...entries.map(([name]) => name.length));
  const lines = entries.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    "Usage: tpctl <command> [PATH...] [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Connects to TIMEPLUS_ADDRESS (with TIMEPLUS_WORKSPACE, TIMEPLUS_USERNAME/TIMEPLUS_PASSWORD or",
    "TIMEPLUS_API_KEY); without it, to an embedded local workspace kept in .tpctl/.",
    'Run "tpctl help <command>" for the options of one command.',
    "",
  ].join("\n");
}

interface OptionHelp {
  /** The value's placeholder, e.g. "kind/name"; absent for a boolean. */
  readonly value?: string;
  readonly text: string;
  /** The option as typed, e.g. "--target stream/events". */
  readonly example: string;
}

/** What each option does, with an example; `command.option` entries say it for one command. */
const OPTION_HELP: Readonly<Record<string, OptionHelp>> = {
  debug: { text: "print stack traces of errors", example: "--debug" },
  help: { text: "show this help", example: "--help" },
  env: { value: "NAME", text: "use this environment of tpctl.yaml (variables, connection, overrides)", example: "--env prod" },
  var: {
    value: "NAME=VALUE",
    text: "set a variable of tpctl.yaml, over the environment's value (repeatable)",
    example: "--var retention_ms=3600000",
  },
  "var-file": {
    value: "FILE",
    text: "set variables from a YAML or JSON file of NAME: VALUE (repeatable)",
    example: "--var-file prod.vars.yaml",
  },
  "no-color": { text: "never colour the output (NO_COLOR also works)", example: "--no-color" },
  json: { text: "print one JSON document on stdout", example: "--json" },
  format: { value: "FORMAT", text: "output format: text, json or markdown", example: "--format markdown" },
  "graph.format": { value: "FORMAT", text: "output format: mermaid (default), json or dot", example: "--format json" },
  target: { value: "kind/name", text: "only this resource and what it needs (repeatable)", example: "--target stream/car_live_data" },
  exclude: {
    value: "kind/name",
    text: "leave out this resource and what needs it (repeatable)",
    example: "--exclude materialized_view/fast_cars",
  },
  replace: {
    value: "kind/name",
    text: "drop and create this resource again even if it is unchanged (repeatable)",
    example: "--replace materialized_view/fast_cars",
  },
  "detailed-exitcode": { text: "exit 2 when there are changes, 0 when there are none", example: "--detailed-exitcode" },
  out: { value: "FILE", text: "also save the plan to FILE, for `tpctl apply FILE`", example: "--out plan.json" },
  "export.out": { value: "DIR", text: "the folder to write the manifests to (default exported)", example: "--out live" },
  "auto-approve": { text: "do not ask; required when there is no terminal", example: "--auto-approve" },
  "allow-destroy": { text: "allow deletes and destructive replaces", example: "--allow-destroy" },
  parallelism: {
    value: "N",
    text: "how many API calls run at once, 1 to 64 (default 10, fewer while the server answers 429/503)",
    example: "--parallelism 8",
  },
  concurrency: { value: "N", text: "the same as --parallelism", example: "--concurrency 8" },
  "fail-on-unmanaged": { text: "count live objects this project does not own as drift", example: "--fail-on-unmanaged" },
  project: { value: "NAME", text: "the project name written to the exported tpctl.yaml", example: "--project fleet" },
  adopt: { text: "also record ownership on the exported live resources", example: "--adopt" },
  port: { value: "N", text: "port to listen on (0 picks a free one; default 8000)", example: "--port 0" },
  data: { value: "DIR", text: "folder that keeps the server's data (default .tpctl/data)", example: "--data /tmp/tp" },
  username: { value: "USER", text: "require HTTP Basic authentication with this user name", example: "--username admin" },
  password: { value: "PASSWORD", text: "require HTTP Basic authentication with this password", example: "--password changeme" },
  "api-key": { value: "KEY", text: "require this API key (X-Api-Key)", example: "--api-key changeme" },
  "latency-ms": { value: "N", text: "add this many milliseconds to every response", example: "--latency-ms 50" },
  "fault-rate": { value: "P", text: "fail this fraction of requests, as networks and servers fail", example: "--fault-rate 0.1" },
  "fault-seed": { value: "N", text: "seed for --fault-rate, so a run can be repeated", example: "--fault-seed 42" },
  api: { value: "API", text: "how to talk to Timeplus: rest, sql or auto (default; TIMEPLUS_API also works)", example: "--api sql" },
  "lock-timeout": {
    value: "DURATION",
    text: "wait this long for a workspace lock another run holds (default 0: refuse at once)",
    example: "--lock-timeout 2m",
  },
  profile: {
    value: "PROFILE",
    text: "what to serve: 2024 (REST API), 2026 (REST + /exec SQL), engine (SQL only, as Proton); default all",
    example: "--profile engine",
  },
};

function helpFor(command: string, option: string): OptionHelp {
  return OPTION_HELP[`${command}.${option}`] ?? OPTION_HELP[option] ?? { text: "", example: `--${option}` };
}

export function renderCommandUsage(name: string): string {
  const declaration = COMMANDS[name] as CommandDeclaration;
  const options = Object.keys({ ...declaration.options, ...always });
  const heads = options.map((option) => {
    const help = helpFor(name, option);
    const short = declaration.options[option]?.short ?? always[option]?.short;
    return `${short ? `-${short}, ` : ""}--${option}${help.value ? ` ${help.value}` : ""}`;
  });
  const width = Math.max(...heads.map((head) => head.length)) + 2;
  const lines = options.flatMap((option, index) => {
    const help = helpFor(name, option);
    return [`  ${(heads[index] as string).padEnd(width)}${help.text}`, `  ${"".padEnd(width)}e.g. tpctl ${name} ${help.example}`];
  });
  return [
    `Usage: tpctl ${name}${declaration.operands ? ` ${declaration.operands}` : ""} [options]`,
    "",
    `${declaration.summary[0]?.toUpperCase()}${declaration.summary.slice(1)}.`,
    ...(declaration.details ? [declaration.details] : []),
    "",
    "Options:",
    ...lines,
    "",
    "Example:",
    `  ${declaration.example}`,
    "",
  ].join("\n");
}

/** The version of package.json, the one place it is written. */
export function readVersion(): string {
  const text = readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * Terraform users type `-no-color`, `-auto-approve` and `-out=plan`: a single-dash spelling of a
 * long option means that option. Everything else is left for parseArgs.
 */
export function normalizeArgs(args: readonly string[]): string[] {
  const result: string[] = [];
  for (const [index, arg] of args.entries()) {
    if (arg === "--") {
      result.push(...args.slice(index));
      break;
    }
    // tpctl has no clusters of one-letter flags, so `-word` can only mean `--word` (or a typo of it).
    const single = /^-([a-z][a-z-]+)(=.*)?$/.exec(arg);
    result.push(single ? `--${single[1]}${single[2] ?? ""}` : arg);
  }
  return result;
}

/** Loaded only when there is a typo to explain. */
async function closest(value: string, candidates: readonly string[]): Promise<string | undefined> {
  const { closest: find } = await import("../model/spelling.js");
  return find(value, candidates);
}

async function unknownOptionMessage(name: string, message: string, options: Options): Promise<string> {
  const match = /Unknown option '(-{1,2})([^']*)'/.exec(message);
  if (!match) return `${message.replace(/\. To specify.*$/s, "")}; run "tpctl help ${name}"`;
  const [, dashes, flag] = match as unknown as [string, string, string];
  const bare = flag.replace(/=.*$/, "");
  const suggestion = await closest(bare, Object.keys(options));
  const elsewhere = Object.entries(COMMANDS)
    .filter(([other, declaration]) => other !== name && Object.hasOwn(declaration.options, bare))
    .map(([other]) => `tpctl ${other}`);
  const hint = suggestion
    ? ` (did you mean --${suggestion}?)`
    : elsewhere.length > 0
      ? ` (it is an option of ${elsewhere.join(", ")})`
      : "";
  return `unknown option ${dashes}${bare} for tpctl ${name}${hint}; run "tpctl help ${name}" to see its options`;
}

/** Exit status for an error: 3 for safety refusals, 1 for everything else (contract). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof InterruptedError) return 130;
  if (error instanceof SafetyRefusal || error instanceof StalePlanError || error instanceof LockHeldError) return 3;
  return 1;
}

export async function main(argv: readonly string[], io: CommandContext["io"]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    io.stdout(renderUsage());
    return name === undefined ? 1 : 0;
  }
  let debug = rest.includes("--debug");
  try {
    if (name === "--version" || name === "-version" || name === "version") {
      io.stdout(`tpctl ${readVersion()}\n`);
      return 0;
    }
    if (name === "help") {
      const [topic] = rest;
      if (topic === undefined) io.stdout(renderUsage());
      else if (Object.hasOwn(COMMANDS, topic)) io.stdout(renderCommandUsage(topic));
      else if (Object.hasOwn(BUILTINS, topic)) io.stdout(`Usage: tpctl ${topic}\n\n${BUILTINS[topic]}.\n`);
      else throw new UsageError(await unknownCommandMessage(topic));
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, name)) throw new UsageError(await unknownCommandMessage(name));
    const declaration = COMMANDS[name] as CommandDeclaration;
    const options = { ...always, ...declaration.options };
    let parsed;
    try {
      parsed = parseArgs({ args: normalizeArgs(rest), options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError(await unknownOptionMessage(name, (error as Error).message, options));
    }
    debug = parsed.values["debug"] === true;
    if (parsed.values["help"]) {
      io.stdout(renderCommandUsage(name));
      return 0;
    }
    const flags: Record<string, unknown> = { ...parsed.values };
    for (const [alias, canonical] of Object.entries(declaration.aliases ?? {})) {
      if (flags[alias] === undefined) continue;
      if (flags[canonical] !== undefined) throw new UsageError(`--${alias} is another name for --${canonical}; give only one of them`);
      flags[canonical] = flags[alias];
      delete flags[alias];
    }
    const command = await declaration.run();
    const result = await command.run({ io, paths: parsed.positionals, flags: flags as CommandContext["flags"] });
    return result.exitCode;
  } catch (error) {
    io.stderr(describeError(error, debug));
    // A pipeline that asked for JSON gets the failure as JSON too, with a stable code.
    if (wantsJson(rest)) io.stdout(renderErrorJson(error));
    return exitCodeFor(error);
  }
}

async function unknownCommandMessage(name: string): Promise<string> {
  const suggestion = await closest(name, [...Object.keys(COMMANDS), ...Object.keys(BUILTINS)]);
  return `unknown command "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; run "tpctl help" to see the commands`;
}

function wantsJson(args: readonly string[]): boolean {
  return args.some(
    (arg, index) =>
      arg === "--json" || arg === "-json" || /^-{1,2}format=json$/.test(arg) || (/^-{1,2}format$/.test(arg) && args[index + 1] === "json"),
  );
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
  if (error instanceof InterruptedError) return `${error.message}\n`;
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
  // The first Ctrl-C or SIGTERM asks the command to stop cleanly (finish what is in flight, report,
  // release the lock); a second one exits at once.
  const interrupt = new AbortController();
  const onSignal = (): void => {
    if (!interrupt.signal.aborted) {
      interrupt.abort();
      return;
    }
    process.stderr.write(
      "\nInterrupted again: exiting now. The workspace lock may remain until its lease ends (about a minute), or clear it with tpctl unlock.\n",
    );
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const code = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
    environment: process.env,
    cwd: process.cwd(),
    ...(process.stdin.isTTY ? { prompt: askOnTerminal } : {}),
    signal: interrupt.signal,
  });
  process.exitCode = code;
}

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    // On a terminal, readline takes Ctrl-C itself (as its own SIGINT event, not the process's).
    return await new Promise<string>((resolve, reject) => {
      rl.once("SIGINT", () => reject(new InterruptedError("Apply cancelled.")));
      rl.once("close", () => reject(new InterruptedError("Apply cancelled.")));
      rl.question(question).then(resolve, reject);
    });
  } finally {
    rl.close();
  }
}

const invokedAs = process.argv[1];
if (invokedAs !== undefined && realpathSync(invokedAs) === fileURLToPath(import.meta.url)) {
  await runAsProgram();
}
