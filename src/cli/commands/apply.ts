import { applyInRounds } from "../../apply/rounds.js";
import { assemblePlan } from "../../plan/plan.js";
import { throwIfRefused } from "../../plan/refusals.js";
import { InterruptedError, SafetyRefusal, UsageError } from "../../errors.js";
import type { ApplyReport, Plan } from "../../model/index.js";
import type { SavedPlan } from "../../plan/saved-plan.js";
import { renderApplyReport, renderApplyReportJson } from "../../render/apply-report.js";
import { createApplyProgress } from "../progress.js";
import type { CommandContext, CommandResult } from "../context.js";
import { assertPlanStillFits, readSavedPlanArgument } from "../saved-plan-file.js";
import { outputFormat, parseConcurrency, planWorkspace, renderPlanFor, useColor } from "../workflow.js";

export async function run(context: CommandContext): Promise<CommandResult> {
  const saved = await readSavedPlanArgument(context);
  if (saved) return applyCommand(savedPlanContext(context, saved.saved), { mode: "apply", saved });
  return applyCommand(context, { mode: "apply" });
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
  options: { mode: "apply" | "destroy"; saved?: { file: string; saved: SavedPlan } },
): Promise<CommandResult> {
  const concurrency = parseConcurrency(context.flags["parallelism"]);
  const interrupt = context.io.signal;
  const destroy = options.mode === "destroy";
  const verb = destroy ? "Destroy" : "Apply";
  const planned = await planWorkspace(context, {
    mode: options.mode,
    lock: options.mode,
    ...(interrupt ? { signal: interrupt } : {}),
  });
  const { plan, connection, loaded, target, statements } = planned;
  // Steps stop starting on Ctrl-C/SIGTERM, and when the lock's lease can no longer be trusted.
  const stops = [interrupt, planned.lock?.lost].filter((signal): signal is AbortSignal => signal !== undefined);
  const stop = stops.length > 0 ? AbortSignal.any(stops) : undefined;
  try {
    if (interrupt?.aborted) throw new InterruptedError(`${verb} cancelled; nothing was changed.`);
    if (options.saved) {
      assertPlanStillFits(options.saved.file, options.saved.saved, { desired: loaded.resources, live: planned.live, plan });
    }
    const format = outputFormat(context);
    if (format !== "json") context.io.stdout(renderPlanFor(context, plan, { target, ...(statements ? { statements } : {}) }));
    if (plan.changes.length === 0) {
      if (format === "json") context.io.stdout(renderPlanFor(context, plan, { target, ...(statements ? { statements } : {}) }));
      return { exitCode: 0 };
    }
    await obtainConsent(context, plan, { destroy, preApproved: options.saved !== undefined });
    if (interrupt?.aborted) throw new InterruptedError(`${verb} cancelled; nothing was changed.`);

    if (format !== "json") context.io.stdout("\nApplying:\n");
    const report = await applyInRounds({
      plan,
      project: planned.planOptions.project,
      ...(planned.planOptions.replaces ? { replaces: planned.planOptions.replaces } : {}),
      replan: (live, replaces) =>
        throwIfRefused(assemblePlan(loaded.resources, live, { ...planned.planOptions, ...(replaces ? { replaces } : {}) })),
      driver: connection.driver,
      concurrency,
      ...(stop ? { signal: stop } : {}),
      // Each step is shown the moment it finishes; the report at the end then only counts.
      onRun: (shown, round) => {
        if (format === "json") return undefined;
        if (round > 0) {
          const count = shown.changes.length;
          context.io.stdout(`\nRead the workspace again; ${count} change${count === 1 ? "" : "s"} still to make:\n`);
        }
        return createApplyProgress(shown, {
          write: (text) => context.io.stdout(text),
          tty: context.io.stdoutIsTTY,
          color: useColor(context),
          ...(context.io.columns !== undefined ? { columns: context.io.columns } : {}),
        });
      },
    });

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

function hasFailures(report: ApplyReport): boolean {
  return report.outcomes.some((outcome) => outcome.status !== "applied");
}
