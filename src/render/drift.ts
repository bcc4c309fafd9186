import type { DriftEntry, DriftField, DriftReport, DriftStatus, DriftSummary, JsonValue } from "../model/index.js";
import { DRIFT_FORMAT_VERSION, summarizeDrift } from "../model/index.js";
import { renderDiffLine, secretNote, viewValues, type DiffLine } from "./_fields.js";
import { createColors, type Colors, type Paint } from "./color.js";
import { codeSpan, escapeHtml, escapeMarkdown, fenceFor, foldBody } from "./_markdown.js";
import { renderTargetLine, renderTargetMarkdown, targetJson, type PlanTarget } from "./target.js";

export interface DriftRenderOptions {
  /** With `--fail-on-unmanaged`, unmanaged resources are called drift rather than left out. */
  readonly failOnUnmanaged?: boolean;
  /** Printed first: which deployment was compared. */
  readonly target?: PlanTarget;
}

export interface DriftTextOptions extends DriftRenderOptions {
  /** Decided by the caller (see shouldUseColor); the renderer never looks at the terminal. */
  readonly color: boolean;
}

export interface DriftMarkdownOptions extends DriftRenderOptions {
  readonly title?: string;
  /** The post is folded to stay under this many characters (GitHub refuses more than 65,536). */
  readonly maxLength?: number;
}

const NO_DRIFT = "No drift: the live workspace matches the manifests.";
/** Drift reads "from the manifests to the workspace": the reverse of a plan's diff. */
const LEGEND = "- as declared in the manifests, + as live in the workspace";
const SYMBOLS: Readonly<Record<DriftStatus, string>> = { changed: "~", missing: "-", orphaned: "+" };
const DEFAULT_MAX_LENGTH = 60_000;
const MAX_DETAIL_CHARS = 8_000;
const MAX_LINE_CHARS = 600;
const MAX_UNMANAGED = 100;

type FieldView =
  | { readonly type: "secret"; readonly field: string; readonly keys?: readonly string[] }
  | { readonly type: "value"; readonly field: string; readonly before?: string; readonly after?: string }
  | { readonly type: "lines"; readonly field: string; readonly lines: readonly DiffLine[] };

/**
 * The drift report as one JSON document: `format_version`, `drift` (`kind`, `name`, `address`,
 * `status`, `fields` of `field`, `before` = declared, `after` = live, `secret`), `unmanaged`
 * (addresses, as in `plan --json`) and `summary`. A secret field has no values at all.
 *
 * @example io.stdout(renderDriftJson(report))
 */
export function renderDriftJson(report: DriftReport, options: { readonly target?: PlanTarget } = {}): string {
  const summary = summarizeDrift(report);
  const document = {
    format_version: DRIFT_FORMAT_VERSION,
    ...(options.target ? { target: targetJson(options.target) } : {}),
    drift: report.drift.map((entry) => ({
      kind: entry.kind,
      name: entry.name,
      address: entry.address,
      status: entry.status,
      fields: entry.fields.map((field) => {
        const json: Record<string, JsonValue> = { field: field.field };
        if (!field.secret && field.before !== undefined) json["before"] = field.before;
        if (!field.secret && field.after !== undefined) json["after"] = field.after;
        json["secret"] = field.secret;
        if (field.changedSecrets && field.changedSecrets.length > 0) json["changed_secrets"] = [...field.changedSecrets];
        return json;
      }),
    })),
    unmanaged: [...report.unmanaged],
    summary: { changed: summary.changed, missing: summary.missing, orphaned: summary.orphaned, unmanaged: summary.unmanaged },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The drift report for a terminal or a cron job's mail: one block per drifted resource with its
 * fields (SQL as a line diff), the unmanaged resources apart, and a closing count.
 *
 * @example io.stdout(renderDriftText(report, { color: useColor(context) }))
 */
export function renderDriftText(report: DriftReport, options: DriftTextOptions): string {
  const c = createColors(options.color);
  const summary = summarizeDrift(report);
  const out: string[] = [];
  if (options.target) out.push(c.bold(renderTargetLine(options.target)), "");
  if (report.drift.length > 0) {
    out.push(`Drift from the manifests (${LEGEND}):`, "");
    for (const entry of report.drift) out.push(...textEntry(entry, report.project, c), "");
  }
  if (report.unmanaged.length > 0) {
    out.push(c.bold(`${unmanagedHeading(options)}:`));
    for (const address of report.unmanaged) out.push(`  ${c.dim(address)}`);
    out.push("");
  }
  out.push(c.bold(summaryLine(summary, options)));
  return `${out.join("\n")}\n`;
}

/**
 * The drift report for an issue or a chat post: the counts as a table, one section per drifted
 * resource with SQL diffs in collapsible `<details>`, folded to stay under `maxLength`.
 *
 * @example io.stdout(renderDriftMarkdown(report, { title: "tpctl drift (prod)" }))
 */
export function renderDriftMarkdown(report: DriftReport, options: DriftMarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const summary = summarizeDrift(report);
  const head = [
    `## ${escapeMarkdown(options.title ?? "tpctl drift")}`,
    "",
    ...(options.target ? [renderTargetMarkdown(options.target, {}, codeSpan, escapeMarkdown), ""] : []),
    `**${summaryLine(summary, options)}**`,
  ];
  if (report.drift.length > 0 || report.unmanaged.length > 0) {
    head.push(
      "",
      "| changed | missing | orphaned | unmanaged |",
      "| ---: | ---: | ---: | ---: |",
      `| ${summary.changed} | ${summary.missing} | ${summary.orphaned} | ${summary.unmanaged} |`,
    );
  }
  if (report.drift.some((entry) => entry.fields.length > 0)) head.push("", `_Diffs: ${LEGEND}._`);

  const tail: string[] = [];
  if (report.unmanaged.length > 0) {
    tail.push("", `### ${unmanagedHeading(options)}: ${report.unmanaged.length}`, "");
    for (const address of report.unmanaged.slice(0, MAX_UNMANAGED)) tail.push(`- ${codeSpan(address)}`);
    if (report.unmanaged.length > MAX_UNMANAGED) tail.push(`- and ${report.unmanaged.length - MAX_UNMANAGED} more`);
  }

  const measure = (lines: readonly string[]): number => lines.join("\n").length + 1;
  // Room for the "not shown" note and the separators around it.
  let budget = maxLength - measure([...head, ...tail]) - 300;
  const sections: string[] = [];
  let shown = 0;
  for (const entry of report.drift) {
    const block = markdownEntry(entry, report.project);
    const size = measure(block) + 1;
    if (size > budget) break;
    budget -= size;
    sections.push("", ...block);
    shown += 1;
  }
  const omitted = report.drift.length - shown;
  if (omitted > 0) {
    sections.push(
      "",
      `_${omitted} more drifted resource${omitted === 1 ? " is" : "s are"} not shown here, to keep this post short; run \`tpctl drift\` for the full report._`,
    );
  }
  const text = `${[...head, ...sections, ...tail].join("\n")}\n`;
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 2)}\n`;
}

function summaryLine(summary: DriftSummary, options: DriftRenderOptions): string {
  const drifted = summary.changed + summary.missing + summary.orphaned > 0;
  const failing = drifted || (options.failOnUnmanaged === true && summary.unmanaged > 0);
  const counts = failing ? `Drift: ${summary.changed} changed, ${summary.missing} missing, ${summary.orphaned} orphaned.` : NO_DRIFT;
  if (summary.unmanaged === 0) return counts;
  const counted = options.failOnUnmanaged ? "counted as drift (--fail-on-unmanaged)" : "not counted as drift";
  return `${counts} ${summary.unmanaged} unmanaged, ${counted}.`;
}

function unmanagedHeading(options: DriftRenderOptions): string {
  return options.failOnUnmanaged
    ? "Unmanaged (not created by this project; counted as drift by --fail-on-unmanaged)"
    : "Unmanaged (not created by this project; not counted as drift)";
}

function explanation(entry: DriftEntry, project: string): string {
  switch (entry.status) {
    case "changed":
      return `changed outside tpctl: ${entry.fields.map((field) => field.field).join(", ")}`;
    case "missing":
      return "missing: declared in the manifests but not in the workspace";
    case "orphaned":
      return `orphaned: created by project "${project}" but no longer declared in the manifests`;
  }
}

function paintFor(status: DriftStatus, c: Colors): Paint {
  return status === "changed" ? c.yellow : status === "missing" ? c.red : c.cyan;
}

function textEntry(entry: DriftEntry, project: string, c: Colors): string[] {
  const symbol = paintFor(entry.status, c)(SYMBOLS[entry.status].padStart(3));
  const lines = [`${symbol} ${c.bold(entry.address)}: ${explanation(entry, project)}`];
  const indent = "      ";
  for (const view of entry.fields.map(viewField)) {
    switch (view.type) {
      case "secret":
        lines.push(`${indent}${view.field}: ${c.dim(secretNote(view, false))}`);
        break;
      case "value":
        lines.push(`${indent}${view.field}: ${c.red(view.before ?? "(unset)")} -> ${c.green(view.after ?? "(unset)")}`);
        break;
      case "lines":
        lines.push(`${indent}${view.field}:`, ...view.lines.map((line) => `${indent}  ${renderDiffLine(line, c)}`));
        break;
    }
  }
  return lines;
}

function markdownEntry(entry: DriftEntry, project: string): string[] {
  const lines = [`### ${entry.status} ${codeSpan(entry.address)}`, ""];
  if (entry.status !== "changed") {
    lines.push(
      entry.status === "missing"
        ? "Declared in the manifests but not in the workspace."
        : `Created by project ${codeSpan(project)} but no longer declared in the manifests.`,
    );
    return lines;
  }
  const inline: string[] = [];
  const folded: string[] = [];
  for (const view of entry.fields.map(viewField)) {
    switch (view.type) {
      case "secret":
        inline.push(`- ${codeSpan(view.field)}: ${secretNote(view, false)}`);
        break;
      case "value":
        inline.push(`- ${codeSpan(view.field)}: ${codeSpan(view.before ?? "(unset)")} → ${codeSpan(view.after ?? "(unset)")}`);
        break;
      case "lines": {
        const body = foldBody(
          view.lines.map((line) => (line.op === "..." ? `@@ ${line.text} @@` : `${line.op}${line.text}`)),
          { maxLineChars: MAX_LINE_CHARS, maxChars: MAX_DETAIL_CHARS },
        );
        const fence = fenceFor(body);
        const summary = `<details><summary><code>${escapeHtml(view.field)}</code></summary>`;
        folded.push(summary, "", `${fence}diff`, ...body, fence, "", "</details>", "");
        break;
      }
    }
  }
  lines.push(...inline);
  if (inline.length > 0 && folded.length > 0) lines.push("");
  lines.push(...folded);
  while (lines.at(-1) === "") lines.pop();
  return lines;
}

function viewField(field: DriftField): FieldView {
  if (field.secret) return { type: "secret", field: field.field, ...(field.changedSecrets ? { keys: field.changedSecrets } : {}) };
  return viewValues(field.field, field.before, field.after, { isSql: field.isSql, structuredAsLines: true, redact: (text) => text });
}
