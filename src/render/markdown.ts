import type { Action, Address, Change, Plan, PlanStatements } from "../model/index.js";
import { summarizePlan } from "../model/index.js";
import { NO_CHANGES, secretNote, summaryLine, viewFields, type DiffLine, type FieldView, type Redact } from "./_fields.js";
import { mermaidIds, mermaidLabel } from "./graph.js";
import { codeSpan, escapeHtml, escapeMarkdown, fenceFor, foldBody } from "./_markdown.js";
import { createRedactor } from "./mask.js";
import { renderTargetMarkdown, type PlanTarget } from "./target.js";

export { escapeMarkdown } from "./_markdown.js";

export interface MarkdownOptions {
  /** The heading, e.g. "tpctl drift" when the same plan reports drift. */
  readonly title?: string;
  /** The comment is folded to stay under this many characters (GitHub refuses more than 65,536). */
  readonly maxLength?: number;
  /** Named under the heading, so that a reviewer sees where the plan would apply. */
  readonly target?: PlanTarget;
  /** The commit the plan was made from, e.g. a CI run's GITHUB_SHA. */
  readonly commit?: string;
  /** The SQL each change will send (over the SQL driver), shown in its details. */
  readonly statements?: PlanStatements;
}

const DEFAULT_MAX_LENGTH = 60_000;
/** Lists at the top are capped: they are a warning to read the details, not the details. */
const MAX_CALLOUTS = 30;
const MAX_WARNINGS = 30;
const MAX_UNMANAGED = 100;
/** A diagram beyond this many changed resources is unreadable, and Mermaid refuses huge inputs. */
const MAX_GRAPH_NODES = 50;
const MAX_GRAPH_EDGES = 100;
/** One resource's details never take more than this, so one giant query cannot crowd out the rest. */
const MAX_DETAIL_CHARS = 8_000;
const MAX_LINE_CHARS = 300;

/**
 * The plan as a pull-request comment: counts, destructive changes and replacements called out
 * first, a Mermaid diagram of what changes, and per-resource details with SQL diffs in collapsible
 * sections, folded to stay under `maxLength` (60,000 by default).
 *
 * @example io.stdout(renderPlanMarkdown(plan, { title: "tpctl plan (prod)" }))
 */
export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const redact = createRedactor(plan);
  const summary = summarizePlan(plan);

  const head = [
    `## ${escapeMarkdown(options.title ?? "tpctl plan")}`,
    "",
    ...targetLines(options),
    `**${plan.changes.length === 0 ? NO_CHANGES : summaryLine(summary)}**`,
  ];
  if (plan.changes.length > 0) {
    head.push(
      "",
      "| create | update | replace | delete |",
      "| ---: | ---: | ---: | ---: |",
      `| ${summary.create} | ${summary.update} | ${summary.replace} | ${summary.delete} |`,
    );
  }

  const top: string[] = [];
  const destructive = plan.changes.filter((change) => change.destructive);
  if (destructive.length > 0) {
    const count = `${destructive.length} destructive change${destructive.length === 1 ? "" : "s"}`;
    top.push(
      "> [!CAUTION]",
      `> **${count}**: data or a running pipeline would be lost.`,
      ">",
      ...capped(
        destructive,
        MAX_CALLOUTS,
        (change) => `> - ${calloutLine(change, redact)}`,
        (n) => `> - and ${n} more`,
      ),
    );
  }
  const replaced = plan.changes.filter((change) => change.action === "replace" && !change.destructive);
  if (replaced.length > 0) {
    if (top.length > 0) top.push("");
    top.push(
      `**Replaced** (dropped and created again): ${replaced.length}`,
      "",
      ...capped(
        replaced,
        MAX_CALLOUTS,
        (change) => `- ${calloutLine(change, redact)}`,
        (n) => `- and ${n} more`,
      ),
    );
  }
  if (plan.warnings.length > 0) {
    if (top.length > 0) top.push("");
    top.push(
      "> [!WARNING]",
      ...capped(
        plan.warnings,
        MAX_WARNINGS,
        (warning) => `> - ${escapeMarkdown(clip(redact(warning)))}`,
        (n) => `> - and ${n} more warnings`,
      ),
    );
  }

  const tail: string[] = [];
  if (plan.unmanaged.length > 0) {
    tail.push(
      `### Left alone (not managed by this project): ${plan.unmanaged.length}`,
      "",
      ...capped(
        plan.unmanaged,
        MAX_UNMANAGED,
        (address) => `- ${codeSpan(address)}`,
        (n) => `- and ${n} more`,
      ),
    );
  }

  const graph = renderChangeGraph(plan);
  const fixed = (withGraph: boolean): string[] => [
    ...head,
    ...(top.length > 0 ? ["", ...top] : []),
    ...(withGraph && graph.length > 0 ? ["", ...graph] : []),
  ];
  const footer = tail.length > 0 ? ["", ...tail] : [];
  const measure = (lines: readonly string[]): number => lines.join("\n").length + 1;

  let before = fixed(true);
  // The bounded sections are small, but a long title or warnings must still leave room.
  if (measure([...before, ...footer]) > maxLength) before = fixed(false);

  const details: string[] = [];
  if (plan.changes.length > 0) {
    // Room for the heading, the "omitted" note and the separators around them.
    let budget = maxLength - measure([...before, ...footer]) - 300;
    let shown = 0;
    for (const change of plan.changes) {
      const block = renderDetails(change, redact, options.statements?.get(change.address));
      const size = block.join("\n").length + 2;
      if (size > budget) break;
      budget -= size;
      details.push("", ...block);
      shown += 1;
    }
    const omitted = plan.changes.length - shown;
    details.unshift("", "### Changes");
    if (omitted > 0) {
      details.push(
        "",
        `_${omitted} more change${omitted === 1 ? " is" : "s are"} not shown here, to keep this comment under GitHub's size limit; run \`tpctl plan\` for the full plan._`,
      );
    }
  }

  const text = `${[...before, ...details, ...footer].join("\n")}\n`;
  // Only a pathological title could get here; cut rather than have GitHub refuse the comment.
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 2)}\n`;
}

/** "_Target: … · commit abc1234_" followed by a blank line, or nothing. */
export function targetLines(options: { readonly target?: PlanTarget; readonly commit?: string }): string[] {
  if (!options.target) return options.commit !== undefined ? [`Commit ${codeSpan(options.commit)}`, ""] : [];
  return [
    renderTargetMarkdown(options.target, options.commit !== undefined ? { commit: options.commit } : {}, codeSpan, escapeMarkdown),
    "",
  ];
}

const ACTION_WORDS: Readonly<Record<Action, string>> = {
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
};

function calloutLine(change: Change, redact: Redact): string {
  return `**${ACTION_WORDS[change.action]}** ${codeSpan(change.address)}: ${escapeMarkdown(clip(redact(change.reason)))}`;
}

function capped<T>(items: readonly T[], max: number, line: (item: T) => string, more: (n: number) => string): string[] {
  const lines = items.slice(0, max).map(line);
  if (items.length > max) lines.push(more(items.length - max));
  return lines;
}

function renderDetails(change: Change, redact: Redact, statements: readonly string[] | undefined): string[] {
  const destructive = change.destructive ? " (destructive)" : "";
  const title = `<b>${ACTION_WORDS[change.action]}</b> <code>${escapeHtml(change.address)}</code>${destructive}: ${escapeHtml(clip(redact(change.reason)))}`;
  const views = change.action === "delete" ? [] : viewFields(change, redact);
  const sql = statements && statements.length > 0 ? sqlBlock(statements, redact) : [];
  if (views.length === 0 && sql.length === 0) return [`<p>${title}</p>`];
  const diff: string[] = [];
  if (views.length > 0) {
    const body = foldBody(views.flatMap(diffBlockLines), { maxLineChars: MAX_LINE_CHARS * 2, maxChars: MAX_DETAIL_CHARS });
    const fence = fenceFor(body);
    diff.push("", `${fence}diff`, ...body, fence);
  }
  return [`<details><summary>${title}</summary>`, ...diff, ...sql, "", "</details>"];
}

/** The statements the SQL driver will send, in a `sql` block, so a reviewer reads exactly what runs. */
function sqlBlock(statements: readonly string[], redact: Redact): string[] {
  const body = foldBody(statements.flatMap((statement) => [...redact(statement).split("\n"), ""]).slice(0, -1), {
    maxLineChars: MAX_LINE_CHARS * 2,
    maxChars: MAX_DETAIL_CHARS,
  });
  const fence = fenceFor(body);
  return ["", "SQL it will run:", "", `${fence}sql`, ...body, fence];
}

function diffBlockLines(view: FieldView): string[] {
  const forces = view.forcesReplace ? " (forces replacement)" : "";
  switch (view.type) {
    case "secret":
      return [`@@ ${view.field}: ${secretNote(view, false)}${forces} @@`];
    case "value":
      return [
        `@@ ${view.field}${forces} @@`,
        ...(view.before === undefined ? [] : [`-${view.before}`]),
        ...(view.after === undefined ? [] : [`+${view.after}`]),
      ];
    case "lines":
      return [`@@ ${view.field}${forces} @@`, ...view.lines.map(diffLine)];
  }
}

function diffLine(line: DiffLine): string {
  return line.op === "..." ? `@@ ${line.text} @@` : `${line.op}${line.text}`;
}

const CLASS_STYLES: Readonly<Record<Action, string>> = {
  create: "fill:#dafbe1,stroke:#1a7f37,color:#0d1117",
  update: "fill:#fff8c5,stroke:#9a6700,color:#0d1117",
  replace: "fill:#ffebe9,stroke:#cf222e,color:#0d1117",
  delete: "fill:#ffebe9,stroke:#cf222e,color:#0d1117,stroke-dasharray:4 3",
};

/**
 * The changed resources, coloured by action, with an arrow from a resource to each changed
 * resource that depends on it, read from the plan's steps (the same direction as `tpctl graph`).
 */
function renderChangeGraph(plan: Plan): string[] {
  if (plan.changes.length === 0) return [];
  if (plan.changes.length > MAX_GRAPH_NODES) {
    return [`_The diagram of changes is left out: ${plan.changes.length} changed resources are too many to draw._`];
  }
  const stepsById = new Map(plan.steps.map((step) => [step.id, step]));
  const changed = new Set<Address>(plan.changes.map((change) => change.address));
  const edges = new Map<string, { from: Address; to: Address }>();
  const addEdge = (from: Address, to: Address): void => {
    if (from !== to && changed.has(from) && changed.has(to)) edges.set(`${from}\u0000${to}`, { from, to });
  };
  for (const step of plan.steps) {
    for (const waited of step.waitsFor) {
      const other = stepsById.get(waited);
      if (other === undefined) continue;
      // A delete waits for its dependents to go first; a create or update waits for what it needs.
      if (step.phase === "delete") addEdge(step.address, other.address);
      // A create waiting on a delete only frees a name in the engine's namespace: no dependency.
      else if (other.phase !== "delete") addEdge(other.address, step.address);
    }
  }
  const ids = mermaidIds(plan.changes.map((change) => change.address));
  const lines = ["### Order of changes", "", "```mermaid", "flowchart LR"];
  for (const change of plan.changes) {
    lines.push(`  ${ids.get(change.address)}[${mermaidLabel(`${ACTION_WORDS[change.action]} ${change.address}`)}]`);
  }
  const edgeList = [...edges.values()];
  for (const edge of edgeList.slice(0, MAX_GRAPH_EDGES)) lines.push(`  ${ids.get(edge.from)} --> ${ids.get(edge.to)}`);
  for (const action of Object.keys(CLASS_STYLES) as Action[]) {
    const members = plan.changes.filter((change) => change.action === action).map((change) => ids.get(change.address));
    if (members.length === 0) continue;
    lines.push(`  classDef ${action} ${CLASS_STYLES[action]}`, `  class ${members.join(",")} ${action}`);
  }
  lines.push("```");
  const note = edgeList.length > MAX_GRAPH_EDGES ? ` (${edgeList.length - MAX_GRAPH_EDGES} arrows left out)` : "";
  lines.push("", `_An arrow runs from a resource to a changed resource that depends on it._${note}`);
  return lines;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s*[\r\n]+\s*/g, " ");
  return oneLine.length > MAX_LINE_CHARS ? `${oneLine.slice(0, MAX_LINE_CHARS - 3)}...` : oneLine;
}
