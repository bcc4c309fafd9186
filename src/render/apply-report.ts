import type { ApplyReport, Plan, Step, StepOutcome } from "../model/index.js";
import { PLAN_FORMAT_VERSION } from "../model/index.js";
import { createColors } from "./color.js";
import { renderPlanJson } from "./json.js";
import { createRedactor } from "./mask.js";
import type { PlanTarget } from "./target.js";

export interface ApplyReportOptions {
  readonly color: boolean;
}

interface Counts {
  readonly applied: number;
  readonly failed: number;
  readonly notAttempted: number;
}

function countOutcomes(report: ApplyReport): Counts {
  let applied = 0;
  let failed = 0;
  let notAttempted = 0;
  for (const outcome of report.outcomes) {
    if (outcome.status === "applied") applied += 1;
    else if (outcome.status === "failed") failed += 1;
    else notAttempted += 1;
  }
  return { applied, failed, notAttempted };
}

/** "create:view/v" reads as "create view/v"; an id the plan does not know is shown as it is. */
function stepDescriber(plan: Plan): (id: string) => string {
  const steps = new Map(plan.steps.map((step) => [step.id, step]));
  return (id) => {
    const step = steps.get(id);
    if (step) return `${step.phase} ${step.address}`;
    const match = /^(create|update|delete):(\S+\/\S+)$/.exec(id);
    return match ? `${match[1]} ${match[2]}` : id;
  };
}

/**
 * What apply did, one line per step (applied, failed with the server's message, or not attempted
 * with the step that blocked it), then the counts.
 *
 * @example io.stdout(renderApplyReport(plan, report, { color: false }))
 */
export function renderApplyReport(
  plan: Plan,
  report: ApplyReport,
  options: ApplyReportOptions & { readonly summaryOnly?: boolean },
): string {
  const c = createColors(options.color);
  const line = createOutcomeRenderer(plan, options);
  const lines = options.summaryOnly ? [] : report.outcomes.map((outcome) => line(outcome).trimEnd());
  const counts = countOutcomes(report);
  const ok = counts.failed === 0 && counts.notAttempted === 0;
  const verdict = ok ? c.green("Apply complete:") : c.red("Apply failed:");
  const summary = `${verdict} ${counts.applied} applied, ${counts.failed} failed, ${counts.notAttempted} not attempted.`;
  return `${[...lines, ...(lines.length > 0 || options.summaryOnly ? [""] : []), c.bold(summary)].join("\n")}\n`;
}

/**
 * Renders one step's outcome as a line, for the report and for progress while apply runs; the
 * plan's secrets are gathered once, not per line.
 */
export function createOutcomeRenderer(plan: Plan, options: ApplyReportOptions): (outcome: StepOutcome) => string {
  const c = createColors(options.color);
  const redact = createRedactor(plan);
  const describeStep = stepDescriber(plan);
  return (outcome) => {
    const step = c.bold(describeStep(outcome.stepId));
    switch (outcome.status) {
      case "applied":
        return `  ${c.green("✓")} ${step}\n`;
      case "failed":
        return `  ${c.red("✗")} ${step}: ${c.red(redact(outcome.error))}\n`;
      case "not-attempted":
        return `  ${c.dim("○")} ${step}: ${c.dim(`not attempted, blocked by ${redact(describeStep(outcome.blockedBy))}`)}\n`;
    }
  };
}

/**
 * The apply report as JSON: the plan (as renderPlanJson gives it), each step's outcome, and the
 * counts; error messages have any secret of the plan blanked out.
 */
export function renderApplyReportJson(plan: Plan, report: ApplyReport, options: { readonly target?: PlanTarget } = {}): string {
  const redact = createRedactor(plan);
  const counts = countOutcomes(report);
  const steps = new Map(plan.steps.map((step) => [step.id, step]));
  const document = {
    format_version: PLAN_FORMAT_VERSION,
    ...(options.target ? { target: (JSON.parse(renderPlanJson(plan, options)) as { target: unknown }).target } : {}),
    plan: JSON.parse(renderPlanJson(plan, options)) as unknown,
    outcomes: report.outcomes.map((outcome) => outcomeJson(steps, outcome, redact)),
    summary: { applied: counts.applied, failed: counts.failed, not_attempted: counts.notAttempted },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function outcomeJson(steps: ReadonlyMap<string, Step>, outcome: StepOutcome, redact: (text: string) => string): Record<string, string> {
  const step = steps.get(outcome.stepId);
  const where = step ? { phase: step.phase, address: step.address } : {};
  switch (outcome.status) {
    case "applied":
      return { step: outcome.stepId, ...where, status: outcome.status };
    case "failed":
      return { step: outcome.stepId, ...where, status: outcome.status, error: redact(outcome.error) };
    case "not-attempted":
      return { step: outcome.stepId, ...where, status: outcome.status, blocked_by: redact(outcome.blockedBy) };
  }
}
