import type { Action, Change, JsonValue, Plan, PlanStatements } from "../model/index.js";
import { summarizePlan } from "../model/index.js";
import { NO_CHANGES, renderDiffLine, secretNote, summaryLine, viewFields, type FieldView } from "./_fields.js";
import { createColors, type Colors, type Paint } from "./color.js";
import { createRedactor, maskSecrets } from "./mask.js";
import { renderManifestYaml } from "./yaml.js";
import { renderTargetLine, type PlanTarget } from "./target.js";

export interface TextOptions {
  /** Decided by the caller (see shouldUseColor); the renderer never looks at the terminal. */
  readonly color: boolean;
  /** Printed first, so that no one applies to the wrong place. */
  readonly target?: PlanTarget;
  /** The SQL each change will send (over the SQL driver), shown under it. */
  readonly statements?: PlanStatements;
}

const SYMBOLS: Readonly<Record<Action, string>> = { create: "+", update: "~", replace: "-/+", delete: "-" };

/**
 * The plan as a person reads it in a terminal, in the manner of `terraform plan`: one block per
 * change in apply order, destructive changes summarised first, and a closing count.
 *
 * @example io.stdout(renderPlanText(plan, { color: shouldUseColor({ isTTY, env }) }))
 */
export function renderPlanText(plan: Plan, options: TextOptions): string {
  const c = createColors(options.color);
  const redact = createRedactor(plan);
  const out: string[] = [];
  if (options.target) out.push(c.bold(renderTargetLine(options.target)), "");

  if (plan.changes.length > 0) {
    const destructive = plan.changes.filter((change) => change.destructive);
    if (destructive.length > 0) {
      out.push(c.bold(c.red("Destructive changes (data or a running pipeline would be lost):")));
      for (const change of destructive) {
        out.push(`  ${c.red(symbolOf(change).padEnd(3))} ${c.bold(change.address)}: ${redact(change.reason)}`);
      }
      out.push("");
    }
    out.push("tpctl will perform the following actions:", "");
    for (const change of plan.changes) {
      out.push(...renderChange(change, c, redact), ...renderStatements(options.statements?.get(change.address), c, redact), "");
    }
  }

  if (plan.unmanaged.length > 0) {
    out.push(c.bold("Left alone (not managed by this project):"));
    for (const address of plan.unmanaged) out.push(`  ${c.dim(address)}`);
    out.push("");
  }
  for (const warning of plan.warnings) out.push(`${c.yellow(c.bold("Warning:"))} ${redact(warning)}`);
  if (plan.warnings.length > 0) out.push("");

  out.push(c.bold(plan.changes.length === 0 ? NO_CHANGES : summaryLine(summarizePlan(plan))));
  return `${out.join("\n")}\n`;
}

function symbolOf(change: Change): string {
  return SYMBOLS[change.action];
}

function paintFor(change: Change, c: Colors): Paint {
  switch (change.action) {
    case "create":
      return c.green;
    case "update":
      return c.yellow;
    case "replace":
      return change.destructive ? (text) => c.bold(c.red(text)) : c.red;
    case "delete":
      return c.red;
  }
}

function renderChange(change: Change, c: Colors, redact: (text: string) => string): string[] {
  const paint = paintFor(change, c);
  const marker = change.destructive ? ` ${c.bold(c.red("(destructive)"))}` : "";
  const lines = [`${paint(symbolOf(change).padStart(3))} ${c.bold(change.address)}${marker}: ${redact(change.reason)}`];
  // A delete would only repeat what is live, and live values carry no secret markings.
  if (change.action === "delete") return lines;
  // A create is shown in full, laid out as the manifest's YAML, so that what will exist can be read as written.
  if (change.action === "create" && change.fieldChanges.length === 0) {
    const { name: _name, ...spec } = maskSecrets(change.desired.spec, change.desired.secretPaths) as Record<string, JsonValue>;
    if (Object.keys(spec).length === 0) return lines;
    const yaml = renderManifestYaml(spec).replace(/\n$/, "").split("\n");
    return [...lines, ...yaml.map((line) => `      ${c.green(redact(line))}`)];
  }
  for (const view of viewFields(change, redact)) lines.push(...renderField(view, change, c));
  return lines;
}

/** "      SQL:" and each statement, indented: what will be sent, as Atlas shows its migration. */
function renderStatements(statements: readonly string[] | undefined, c: Colors, redact: (text: string) => string): string[] {
  if (!statements || statements.length === 0) return [];
  const lines = [`      ${c.dim("SQL:")}`];
  for (const statement of statements) {
    const [first = "", ...rest] = redact(statement).split("\n");
    lines.push(`        ${c.cyan(first)}`, ...rest.map((line) => `          ${c.cyan(line)}`));
  }
  return lines;
}

function renderField(view: FieldView, change: Change, c: Colors): string[] {
  const indent = "      ";
  const forces = view.forcesReplace ? ` ${c.red("(forces replacement)")}` : "";
  switch (view.type) {
    case "secret":
      return [`${indent}${view.field}: ${c.dim(secretNote(view, change.action === "create"))}${forces}`];
    case "value": {
      if (change.action === "create") return [`${indent}${view.field}: ${view.after ?? ""}`];
      const before = view.before ?? c.dim("(unset)");
      const after = view.after ?? c.dim("(unset)");
      return [`${indent}${view.field}: ${c.red(before)} -> ${c.green(after)}${forces}`];
    }
    case "lines":
      return [`${indent}${view.field}:${forces}`, ...view.lines.map((line) => `${indent}  ${renderDiffLine(line, c)}`)];
  }
}
