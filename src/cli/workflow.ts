import { UsageError } from "../errors.js";
import { DEFAULT_CONCURRENCY } from "../drivers/concurrency.js";
import type { LoadResult } from "../manifest/load.js";
import type { Address, LiveResource, Plan, PlanStatements } from "../model/index.js";
import { addressOf, parseAddress } from "../model/index.js";
import { assemblePlan, type PlanOptions } from "../plan/plan.js";
import { throwIfRefused } from "../plan/refusals.js";
import { renderPlanJson } from "../render/json.js";
import { renderPlanMarkdown } from "../render/markdown.js";
import { renderPlanText } from "../render/text.js";
import { shouldUseColor } from "../render/color.js";
import type { PlanTarget } from "../render/target.js";
import type { Connection } from "./connect.js";
import { takeWorkspaceLockAndRead, type HeldLock } from "./lock.js";
import { parseDuration } from "../lock/lease.js";
import type { CommandContext } from "./context.js";

// Kept here too for the commands that import it from the workflow; offline commands import it
// from load-desired.ts, which does not pull in the client and the server.
import { loadDesired } from "./load-desired.js";
export { loadDesired } from "./load-desired.js";

export interface PlannedWorkspace {
  readonly loaded: LoadResult;
  readonly live: readonly LiveResource[];
  readonly plan: Plan;
  /** What the plan was made with, so that a later round plans the rest by the same rules. */
  readonly planOptions: PlanOptions;
  readonly connection: Connection;
  /** The workspace lock, when one was taken. */
  readonly lock?: HeldLock;
  /** Where the plan was made, for the first line of every rendering. */
  readonly target: PlanTarget;
  /** The SQL each change will send, when the driver speaks SQL, for every rendering of the plan. */
  readonly statements?: PlanStatements;
  /** Releases the workspace lock if one was taken, and closes the connection. */
  readonly close: () => Promise<void>;
}

/**
 * Manifests against the live workspace. The caller calls `close()`.
 * `mode: "destroy"` plans the deletion of everything the manifests declare; `lock` takes the
 * workspace lock before reading, so that the plan cannot be overtaken by another writer.
 */
export async function planWorkspace(
  context: CommandContext,
  options: { mode?: "apply" | "destroy"; lock?: string; signal?: AbortSignal } = {},
): Promise<PlannedWorkspace> {
  const lockTimeoutMs = parseLockTimeout(context.flags["lock-timeout"]);
  const loaded = await loadDesired(context);
  const selection = selectionOf(context);
  // Destroy creates nothing again, so --replace means nothing to it.
  const planOptions: PlanOptions =
    options.mode === "destroy"
      ? { project: loaded.project, mode: "destroy", targets: selection.targets, excludes: selection.excludes }
      : { project: loaded.project, mode: "apply", ...selection };
  // Loaded here, not at the top: validate and graph share this module and never connect.
  const { connect } = await import("./connect.js");
  const connection = await connect({
    environment: context.io.environment,
    cwd: context.io.cwd,
    settings: loaded.settings,
    concurrency: parseConcurrency(context.flags["concurrency"]),
    api: context.flags["api"],
  });
  let lock: HeldLock | undefined;
  const close = async (): Promise<void> => {
    try {
      // A lock that cannot be released is a warning, never the run's result: its lease ends by itself.
      const { warning } = (await lock?.release()) ?? {};
      if (warning) context.io.stderr(`Warning: ${warning}\n`);
    } finally {
      await connection.close();
    }
  };
  try {
    connection.driver.checkDesired(loaded.resources);
    const read = (): Promise<[readonly LiveResource[], PlanTarget]> =>
      Promise.all([connection.driver.readWorkspace(), targetOf(context, connection)]);
    let live: readonly LiveResource[];
    let target: PlanTarget;
    if (options.lock) {
      // The read goes out with the listing that confirms the lock, not one round trip after it.
      const taken = await takeWorkspaceLockAndRead(
        connection.driver.lockChannel,
        context.io.environment,
        options.lock,
        { timeoutMs: lockTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
        read,
      );
      lock = taken.lock;
      [live, target] = taken.value;
    } else {
      [live, target] = await read();
    }
    // What the driver changes in place decides update or replace (over SQL more than over REST).
    const planned: PlanOptions = { ...planOptions, inPlace: connection.driver.inPlace };
    const plan = throwIfRefused(assemblePlan(loaded.resources, live, planned));
    const statements = connection.driver.statementsOf?.(plan, loaded.project);
    return {
      loaded,
      live,
      plan,
      planOptions: planned,
      connection,
      target,
      close,
      ...(statements ? { statements } : {}),
      ...(lock ? { lock } : {}),
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export function parseTargets(value: unknown, flag = "--target"): Address[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((text: string) => {
    const parsed = parseAddress(text);
    if (!parsed) throw new UsageError(`${flag} must look like kind/name (e.g. stream/events), not "${text}"`);
    return addressOf(parsed.kind, parsed.name);
  });
}

export interface Selection {
  readonly targets: readonly Address[];
  readonly excludes: readonly Address[];
  readonly replaces: readonly Address[];
}

/** `--target`, `--exclude` and `--replace`, each a list of kind/name. */
export function selectionOf(context: CommandContext): Selection {
  return {
    targets: parseTargets(context.flags["target"], "--target"),
    excludes: parseTargets(context.flags["exclude"], "--exclude"),
    replaces: parseTargets(context.flags["replace"], "--replace"),
  };
}

/** The connection's target with the chosen environment of tpctl.yaml. */
export async function targetOf(context: CommandContext, connection: Connection): Promise<PlanTarget> {
  const target = await connection.target();
  const env = context.flags["env"];
  return typeof env === "string" ? { ...target, environment: env } : target;
}

/** What a rendering of a plan shows besides the plan: where it was made, and the SQL it sends. */
export interface PlanSurroundings {
  readonly target?: PlanTarget;
  readonly statements?: PlanStatements;
}

export function renderPlanFor(context: CommandContext, plan: Plan, surroundings: PlanSurroundings = {}): string {
  const format = outputFormat(context);
  const where = {
    ...(surroundings.target ? { target: surroundings.target } : {}),
    ...(surroundings.statements ? { statements: surroundings.statements } : {}),
  };
  if (format === "json") return renderPlanJson(plan, where);
  if (format === "markdown") {
    // Named explicitly (the CI recipe passes the pull request's head), never guessed from the CI's own variables.
    const commit = context.io.environment["TPCTL_COMMIT"];
    return renderPlanMarkdown(plan, { ...where, ...(commit ? { commit: commit.slice(0, 12) } : {}) });
  }
  return renderPlanText(plan, { color: useColor(context), ...where });
}

export function outputFormat(context: CommandContext): "text" | "json" | "markdown" {
  if (context.flags["json"]) return "json";
  const format = context.flags["format"];
  if (format === undefined || format === "text") return "text";
  if (format === "json" || format === "markdown") return format;
  throw new UsageError(`--format must be text, json or markdown, not "${String(format)}"`);
}

export function useColor(context: CommandContext): boolean {
  if (context.flags["no-color"]) return false;
  return shouldUseColor({ isTTY: context.io.stdoutIsTTY, env: context.io.environment });
}

/** `--lock-timeout DURATION`: how long to wait for a lock another run holds (default 0: refuse at once). */
export function parseLockTimeout(value: unknown): number {
  if (value === undefined) return 0;
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms === undefined || ms > 24 * 3_600_000) {
    throw new UsageError(`--lock-timeout must be a duration such as 30s, 2m or 1h (at most 24h), not "${String(value)}"`);
  }
  return ms;
}

export function parseConcurrency(value: unknown): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 64) {
    throw new UsageError(`--parallelism must be a whole number from 1 to 64, not "${String(value)}"`);
  }
  return number;
}
