import { applySteps } from "../apply/apply.js";
import { ApiError, NetworkError, SafetyRefusal, TimeoutError, UsageError } from "../errors.js";
import { DEFAULT_CONCURRENCY } from "../drivers/concurrency.js";
import type { LoadResult } from "../manifest/load.js";
import type { Address, ApplyReport, LiveResource, Plan, Step, StepOutcome } from "../model/index.js";
import { addressOf, parseAddress } from "../model/index.js";
import { assemblePlan } from "../plan/plan.js";
import { renderPlanJson } from "../render/json.js";
import { renderPlanMarkdown } from "../render/markdown.js";
import { renderPlanText } from "../render/text.js";
import { shouldUseColor } from "../render/color.js";
import type { PlanTarget } from "../render/target.js";
import type { Connection } from "./connect.js";
import { takeWorkspaceLock, type HeldLock } from "./lock.js";
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
  readonly connection: Connection;
  /** The workspace lock, when one was taken. */
  readonly lock?: HeldLock;
  /** Where the plan was made, for the first line of every rendering. */
  readonly target: PlanTarget;
  /** Releases the workspace lock if one was taken, and closes the connection. */
  readonly close: () => Promise<void>;
}

/**
 * Manifests against the live workspace. The caller calls `close()`.
 * `destroy` plans the deletion of everything the manifests declare; `lock` takes the workspace
 * lock before reading, so that the plan cannot be overtaken by another writer.
 */
export async function planWorkspace(
  context: CommandContext,
  options: { destroy?: boolean; lock?: string; signal?: AbortSignal } = {},
): Promise<PlannedWorkspace> {
  const lockTimeoutMs = parseLockTimeout(context.flags["lock-timeout"]);
  const loaded = await loadDesired(context);
  const selection = selectionOf(context);
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
    if (options.lock) {
      lock = await takeWorkspaceLock(connection.driver.lockChannel, context.io.environment, options.lock, {
        timeoutMs: lockTimeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    const [live, target] = await Promise.all([connection.driver.readWorkspace(), targetOf(context, connection)]);
    const plan = options.destroy
      ? planDestroy(loaded, live, selection)
      : assemblePlan(loaded.resources, live, { project: loaded.project, ...selection });
    refuseToEmptyTheWorkspace(loaded, plan, options.destroy === true);
    return { loaded, live, plan, connection, target, close, ...(lock ? { lock } : {}) };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * No manifests at all usually means the wrong folder, not "delete everything": planning that is
 * what `tpctl destroy` is for.
 */
function refuseToEmptyTheWorkspace(loaded: LoadResult, plan: Plan, destroying: boolean): void {
  if (destroying || loaded.resources.length > 0) return;
  const deletes = plan.changes.filter((change) => change.action === "delete").length;
  if (deletes === 0) return;
  throw new SafetyRefusal(
    `no manifests were found, so this plan would delete all ${deletes} resources project "${loaded.project}" created; check the path, or use tpctl destroy to remove them on purpose`,
    { meta: { deletes } },
  );
}

/**
 * Destroying is planning an empty manifest set in which what the manifests declare and what the
 * project created counts as ours to delete; everything else is left alone.
 */
function planDestroy(loaded: LoadResult, live: readonly LiveResource[], selection: Selection): Plan {
  const { targets, excludes } = selection;
  const declared = new Set(loaded.resources.map((resource) => resource.address));
  const protectedOnes = loaded.resources.filter((resource) => resource.lifecycle.preventDestroy);
  // What the project manages: what its manifests declare, and what it created and no longer declares.
  const claimed = live.map((resource) =>
    declared.has(resource.address) || resource.owner === loaded.project
      ? { ...resource, owner: loaded.project }
      : { ...resource, owner: undefined },
  ) as LiveResource[];
  const liveAddresses = new Set(live.map((resource) => resource.address));
  for (const resource of protectedOnes) {
    const inScope = (targets.length === 0 || targets.includes(resource.address)) && !excludes.includes(resource.address);
    if (inScope && liveAddresses.has(resource.address)) {
      throw new SafetyRefusal(
        `${resource.address} has lifecycle.prevent_destroy set, so destroy will not delete it; lift the protection first, or leave it out with --target`,
        { meta: { address: resource.address, action: "delete" } },
      );
    }
  }
  const plan = assemblePlan([], claimed, { project: loaded.project, targets, excludes });
  // Say why each is deleted, and warn, as plan does, before deleting what another project created.
  const owners = new Map(live.map((resource) => [resource.address, resource.owner]));
  const warnings = [...plan.warnings];
  const changes = plan.changes.map((change) => {
    if (!declared.has(change.address)) return change;
    const owner = owners.get(change.address);
    if (owner !== undefined && owner !== loaded.project) {
      warnings.push(`${change.address} is declared here but was created by project "${owner}"; destroy deletes it all the same`);
    }
    return { ...change, reason: "declared in the manifests, so destroy deletes it" };
  });
  return { ...plan, changes, warnings, unmanaged: [] };
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

export function renderPlanFor(context: CommandContext, plan: Plan, target?: PlanTarget): string {
  const format = outputFormat(context);
  const where = target ? { target } : {};
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

/** Runs every step of the plan through the API, in dependency order, in parallel where allowed. */
export async function executePlan(
  plan: Plan,
  connection: Connection,
  project: string,
  options: {
    readonly concurrency: number;
    readonly onStarted?: (step: Step) => void;
    readonly onSettled?: (outcome: StepOutcome) => void;
    readonly signal?: AbortSignal;
  },
): Promise<{ report: ApplyReport; transientFailures: number }> {
  const changes = new Map(plan.changes.map((change) => [change.address, change]));
  let transientFailures = 0;
  const report = await applySteps(
    plan.steps,
    async (step) => {
      const change = changes.get(step.address);
      if (!change) return;
      options.onStarted?.(step);
      try {
        await connection.driver.runStep(step, change, project);
      } catch (error) {
        if (isTransient(error)) transientFailures += 1;
        throw error;
      }
    },
    options,
  );
  return { report, transientFailures };
}

/**
 * A failure that says nothing about the request itself (the network, a timeout, a 5xx): the write
 * may or may not have happened, and reading the workspace again tells which.
 */
function isTransient(error: unknown): boolean {
  return error instanceof NetworkError || error instanceof TimeoutError || (error instanceof ApiError && error.status >= 500);
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
