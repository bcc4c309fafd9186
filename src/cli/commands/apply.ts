import { SafetyRefusal, UsageError } from "../../errors.js";
import type { ApplyReport, Plan, StepOutcome } from "../../model/index.js";
import { assemblePlan } from "../../plan/plan.js";
import type { SavedPlan } from "../../plan/saved-plan.js";
import { createOutcomeRenderer, renderApplyReport, renderApplyReportJson } from "../../render/apply-report.js";
import type { CommandContext, CommandResult } from "../context.js";
import { assertPlanStillFits, readSavedPlanArgument } from "../saved-plan-file.js";
import { executePlan, outputFormat, parseConcurrency, parseTargets, planWorkspace, renderPlanFor, useColor } from "../workflow.js";

/** Extra rounds after a failure, each re-reading the workspace: a write that failed in transit may have landed. */
const CONVERGENCE_ROUNDS = 2;

export async function run(context: CommandContext): Promise<CommandResult> {
  const saved = await readSavedPlanArgument(context);
  if (saved) return applyCommand(savedPlanContext(context, saved.saved), { destroy: false, saved });
  return applyCommand(context, { destroy: false });
}

/** `apply FILE` plans again from exactly what the saved plan was made from. */
function savedPlanContext(context: CommandContext, saved: SavedPlan): CommandContext {
  const { env: _env, target: _target, ...flags } = context.flags;
  return {
    ...context,
    paths: saved.paths,
    flags: {
      ...flags,
      ...(saved.env !== undefined ? { env: saved.env } : {}),
      ...(saved.targets.length > 0 ? { target: [...saved.targets] } : {}),
    },
  };
}

export async function applyCommand(
  context: CommandContext,
  options: { destroy: boolean; saved?: { file: string; saved: SavedPlan } },
): Promise<CommandResult> {
  const concurrency = parseConcurrency(context.flags["concurrency"]);
  const planned = await planWorkspace(context, { destroy: options.destroy, lock: options.destroy ? "destroy" : "apply" });
  const { plan, connection, loaded } = planned;
  try {
    if (options.saved) {
      assertPlanStillFits(options.saved.file, options.saved.saved, { desired: loaded.resources, live: planned.live, plan });
    }
    const format = outputFormat(context);
    if (format !== "json") context.io.stdout(renderPlanFor(context, plan));
    if (plan.changes.length === 0) {
      if (format === "json") context.io.stdout(renderPlanFor(context, plan));
      return { exitCode: 0 };
    }
    await obtainConsent(context, plan, { destroy: options.destroy, preApproved: options.saved !== undefined });

    // Each step is shown the moment it finishes; the report at the end then only counts.
    const progress = (shown: Plan) => {
      const line = createOutcomeRenderer(shown, { color: useColor(context) });
      return format === "json" ? {} : { onSettled: (outcome: StepOutcome) => context.io.stdout(line(outcome)) };
    };
    if (format !== "json") context.io.stdout("\nApplying:\n");
    let { report, transientFailures } = await executePlan(plan, connection, loaded.project, { concurrency, ...progress(plan) });
    // Only a failure in transit is worth another round; a refusal would only be refused again.
    for (let round = 0; round < CONVERGENCE_ROUNDS && transientFailures > 0; round += 1) {
      const live = await connection.driver.readWorkspace();
      const retryPlan = options.destroy
        ? undefined
        : assemblePlan(loaded.resources, live, { project: loaded.project, targets: parseTargets(context.flags["target"]) });
      // Only carry on with changes the user already approved.
      if (!retryPlan || !isSubsetOf(retryPlan, plan)) break;
      if (retryPlan.changes.length === 0) {
        report = { outcomes: report.outcomes.map((outcome) => ({ stepId: outcome.stepId, status: "applied" as const })) };
        break;
      }
      if (format !== "json") {
        context.io.stdout(`\nRead the workspace again; ${retryPlan.changes.length} change${retryPlan.changes.length === 1 ? "" : "s"} still to make:\n`);
      }
      const retried = await executePlan(retryPlan, connection, loaded.project, { concurrency, ...progress(retryPlan) });
      report = mergeReports(report, retried.report);
      transientFailures = retried.transientFailures;
    }

    context.io.stdout(
      format === "json" ? renderApplyReportJson(plan, report) : renderApplyReport(plan, report, { color: useColor(context), summaryOnly: true }),
    );
    return { exitCode: hasFailures(report) ? 1 : 0 };
  } finally {
    await planned.close();
  }
}

async function obtainConsent(
  context: CommandContext,
  plan: Plan,
  options: { destroy: boolean; preApproved: boolean },
): Promise<void> {
  const destructive = plan.changes.filter(
    (change) => change.action === "delete" || (change.action === "replace" && change.destructive),
  );
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
  const answer = await context.io.prompt(`Do you want to ${verb} these changes?${warning} Only 'yes' is accepted: `);
  if (answer.trim() !== "yes") throw new UsageError(`${verb} cancelled; nothing was changed`);
}

function hasFailures(report: ApplyReport): boolean {
  return report.outcomes.some((outcome) => outcome.status !== "applied");
}

function isSubsetOf(candidate: Plan, approved: Plan): boolean {
  const allowed = new Set(approved.changes.map((change) => `${change.action} ${change.address}`));
  return candidate.changes.every(
    (change) =>
      allowed.has(`${change.action} ${change.address}`) ||
      (change.action === "create" && allowed.has(`replace ${change.address}`)),
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
