import { InterruptedError, SafetyRefusal, UsageError } from "../../errors.js";
import type { ApplyReport, Plan } from "../../model/index.js";
import { assemblePlan } from "../../plan/plan.js";
import { throwIfRefused } from "../../plan/refusals.js";
import type { SavedPlan } from "../../plan/saved-plan.js";
import { renderApplyReport, renderApplyReportJson } from "../../render/apply-report.js";
import { createApplyProgress } from "../progress.js";
import type { CommandContext, CommandResult } from "../context.js";
import { assertPlanStillFits, readSavedPlanArgument } from "../saved-plan-file.js";
import {
  executePlan,
  outputFormat,
  parseConcurrency,
  planWorkspace,
  renderPlanFor,
  selectionOf,
  useColor,
  type Selection,
} from "../workflow.js";

/** Extra rounds after a failure, each re-reading the workspace: a write that failed in transit may have landed. */
const CONVERGENCE_ROUNDS = 2;

export async function run(context: CommandContext): Promise<CommandResult> {
  const saved = await readSavedPlanArgument(context);
  if (saved) return applyCommand(savedPlanContext(context, saved.saved), { destroy: false, saved });
  return applyCommand(context, { destroy: false });
}

/** `apply FILE` plans again from exactly what the saved plan was made from. */
function savedPlanContext(context: CommandContext, saved: SavedPlan): CommandContext {
  const { env: _env, target: _target, exclude: _exclude, replace: _replace, ...flags } = context.flags;
  return {
    ...context,
    paths: saved.paths,
    flags: {
      ...flags,
      ...(saved.env !== undefined ? { env: saved.env } : {}),
      ...(saved.targets.length > 0 ? { target: [...saved.targets] } : {}),
      ...(saved.excludes && saved.excludes.length > 0 ? { exclude: [...saved.excludes] } : {}),
      ...(saved.replaces && saved.replaces.length > 0 ? { replace: [...saved.replaces] } : {}),
    },
  };
}

export async function applyCommand(
  context: CommandContext,
  options: { destroy: boolean; saved?: { file: string; saved: SavedPlan } },
): Promise<CommandResult> {
  const concurrency = parseConcurrency(context.flags["parallelism"]);
  const interrupt = context.io.signal;
  const verb = options.destroy ? "Destroy" : "Apply";
  const planned = await planWorkspace(context, {
    destroy: options.destroy,
    lock: options.destroy ? "destroy" : "apply",
    ...(interrupt ? { signal: interrupt } : {}),
  });
  const { plan, connection, loaded, target } = planned;
  // Steps stop starting on Ctrl-C/SIGTERM, and when the lock's lease can no longer be trusted.
  const stops = [interrupt, planned.lock?.lost].filter((signal): signal is AbortSignal => signal !== undefined);
  const stop = stops.length > 0 ? AbortSignal.any(stops) : undefined;
  try {
    if (interrupt?.aborted) throw new InterruptedError(`${verb} cancelled; nothing was changed.`);
    if (options.saved) {
      assertPlanStillFits(options.saved.file, options.saved.saved, { desired: loaded.resources, live: planned.live, plan });
    }
    const format = outputFormat(context);
    if (format !== "json") context.io.stdout(renderPlanFor(context, plan, target));
    if (plan.changes.length === 0) {
      if (format === "json") context.io.stdout(renderPlanFor(context, plan, target));
      return { exitCode: 0 };
    }
    await obtainConsent(context, plan, { destroy: options.destroy, preApproved: options.saved !== undefined });
    if (interrupt?.aborted) throw new InterruptedError(`${verb} cancelled; nothing was changed.`);

    const stopOption = stop ? { signal: stop } : {};
    // Each step is shown the moment it finishes; the report at the end then only counts.
    const run = async (shown: Plan) => {
      if (format === "json") return executePlan(shown, connection, loaded.project, { concurrency, ...stopOption });
      const progress = createApplyProgress(shown, {
        write: (text) => context.io.stdout(text),
        tty: context.io.stdoutIsTTY,
        color: useColor(context),
        ...(context.io.columns !== undefined ? { columns: context.io.columns } : {}),
      });
      try {
        return await executePlan(shown, connection, loaded.project, {
          concurrency,
          onStarted: (step) => progress.onStarted(step),
          onSettled: (outcome) => progress.onSettled(outcome),
          ...stopOption,
        });
      } finally {
        progress.stop();
      }
    };
    if (format !== "json") context.io.stdout("\nApplying:\n");
    let { report, transientFailures } = await run(plan);
    // Only a failure in transit is worth another round; a refusal would only be refused again.
    for (let round = 0; round < CONVERGENCE_ROUNDS && transientFailures > 0 && !stop?.aborted; round += 1) {
      const live = await connection.driver.readWorkspace();
      const retryPlan = options.destroy
        ? undefined
        : throwIfRefused(
            assemblePlan(loaded.resources, live, { project: loaded.project, ...retrySelection(selectionOf(context), report) }),
          );
      // Only carry on with changes the user already approved.
      if (!retryPlan || !isSubsetOf(retryPlan, plan)) break;
      if (retryPlan.changes.length === 0) {
        report = { outcomes: report.outcomes.map((outcome) => ({ stepId: outcome.stepId, status: "applied" as const })) };
        break;
      }
      if (format !== "json") {
        context.io.stdout(
          `\nRead the workspace again; ${retryPlan.changes.length} change${retryPlan.changes.length === 1 ? "" : "s"} still to make:\n`,
        );
      }
      const retried = await run(retryPlan);
      report = mergeReports(report, retried.report);
      transientFailures = retried.transientFailures;
    }

    context.io.stdout(
      format === "json"
        ? renderApplyReportJson(plan, report, { target })
        : renderApplyReport(plan, report, { color: useColor(context), summaryOnly: interrupt?.aborted !== true }),
    );
    if (interrupt?.aborted) {
      context.io.stderr(
        `${verb} interrupted: no further changes were started; the report above says what was done, failed and not attempted. Releasing the workspace lock.\n`,
      );
      return { exitCode: 130 };
    }
    if (planned.lock?.lost.aborted) context.io.stderr(`Error: ${(planned.lock.lost.reason as Error).message}\n`);
    return { exitCode: hasFailures(report) ? 1 : 0 };
  } finally {
    await planned.close();
  }
}

async function obtainConsent(context: CommandContext, plan: Plan, options: { destroy: boolean; preApproved: boolean }): Promise<void> {
  const destructive = plan.changes.filter((change) => change.action === "delete" || (change.action === "replace" && change.destructive));
  const verb = options.destroy ? "destroy" : "apply";
  if (context.flags["auto-approve"] || options.preApproved) {
    if (destructive.length > 0 && !options.destroy && !context.flags["allow-destroy"]) {
      throw new SafetyRefusal(
        `refusing to delete or destructively replace ${destructive.map((change) => change.address).join(", ")} without --allow-destroy`,
      );
    }
    return;
  }
  if (!context.io.prompt) {
    throw new UsageError(`${verb} needs --auto-approve when it cannot ask on a terminal`);
  }
  const warning = destructive.length > 0 ? ` ${destructive.length} of the changes delete data or running pipelines.` : "";
  const question = context.io.prompt(`Do you want to ${verb} these changes?${warning} Only 'yes' is accepted: `);
  const cancelled = `${verb === "destroy" ? "Destroy" : "Apply"} cancelled.`;
  // A SIGTERM (or a Ctrl-C readline did not see) while waiting for the answer cancels too.
  const interrupted = new Promise<never>((_resolve, reject) => {
    const signal = context.io.signal;
    if (!signal) return;
    if (signal.aborted) reject(new InterruptedError(cancelled));
    signal.addEventListener("abort", () => reject(new InterruptedError(cancelled)), { once: true });
  });
  interrupted.catch(() => undefined);
  let answer: string;
  try {
    answer = await Promise.race([question, interrupted]);
  } catch (error) {
    if (error instanceof InterruptedError) throw new InterruptedError(cancelled);
    throw error;
  }
  if (answer.trim() !== "yes") throw new UsageError(`${verb} cancelled; nothing was changed`);
}

/** A forced replace whose delete already happened is not forced again: the next round only creates it. */
function retrySelection(selection: Selection, report: ApplyReport): Selection {
  const applied = new Set(report.outcomes.filter((outcome) => outcome.status === "applied").map((outcome) => outcome.stepId));
  return { ...selection, replaces: selection.replaces.filter((address) => !applied.has(`delete:${address}`)) };
}

function hasFailures(report: ApplyReport): boolean {
  return report.outcomes.some((outcome) => outcome.status !== "applied");
}

function isSubsetOf(candidate: Plan, approved: Plan): boolean {
  const allowed = new Set(approved.changes.map((change) => `${change.action} ${change.address}`));
  return candidate.changes.every(
    (change) =>
      allowed.has(`${change.action} ${change.address}`) || (change.action === "create" && allowed.has(`replace ${change.address}`)),
  );
}

/** A step that succeeded in a later round, or that a later round found no longer needed, counts as applied. */
function mergeReports(first: ApplyReport, later: ApplyReport): ApplyReport {
  const laterById = new Map(later.outcomes.map((outcome) => [outcome.stepId, outcome]));
  return {
    outcomes: first.outcomes.map((outcome) => {
      if (outcome.status === "applied") return outcome;
      return laterById.get(outcome.stepId) ?? { stepId: outcome.stepId, status: "applied" as const };
    }),
  };
}
