import type { Change, FieldChange, JsonValue } from "../model/index.js";
import type { Colors } from "./color.js";
import { diffLibrary } from "./libraries.js";
import { isSecretField, maskSecrets } from "./mask.js";

/**
 * Internal to render/: the field-level view of a change that the text and Markdown renderers
 * both draw, so that what counts as secret, as SQL or as "too long for one line" is decided once.
 */

/** SQL-valued request fields (see the `sql` rules in src/kinds/); a create's query is shown line by line. */
const SQL_FIELDS: ReadonlySet<string> = new Set(["query", "trigger_sql", "resolve_sql", "sql"]);

/** Beyond this, an object or array is diffed line by line as pretty JSON instead of inline. */
const INLINE_LIMIT = 60;

/** Runs of unchanged lines longer than this are folded, keeping CONTEXT lines either side. */
const CONTEXT = 3;

export type DiffOp = "+" | "-" | " " | "...";

export interface DiffLine {
  readonly op: DiffOp;
  readonly text: string;
}

export type FieldView =
  | {
      readonly type: "secret";
      readonly field: string;
      readonly forcesReplace: boolean;
      /** Which secrets changed (names below the field), when known. */
      readonly keys?: readonly string[];
    }
  | {
      readonly type: "value";
      readonly field: string;
      readonly before?: string;
      readonly after?: string;
      readonly forcesReplace: boolean;
    }
  | { readonly type: "lines"; readonly field: string; readonly lines: readonly DiffLine[]; readonly forcesReplace: boolean };

export type Redact = (text: string) => string;

/**
 * The fields a change touches. A create carries no field changes from the planner, so its
 * desired spec (minus `name`, which is in the address) stands in, with secrets masked.
 */
export function fieldsOf(change: Change): readonly FieldChange[] {
  if (change.action !== "create" || change.fieldChanges.length > 0) return change.fieldChanges;
  const spec = maskSecrets(change.desired.spec, change.desired.secretPaths) as Readonly<Record<string, JsonValue>>;
  return Object.keys(spec)
    .filter((field) => field !== "name")
    .map((field) => {
      const secret = isSecretField(change, { field, secret: false });
      return {
        field,
        ...(secret ? {} : { after: spec[field] as JsonValue }),
        isSql: SQL_FIELDS.has(field),
        secret,
        forcesReplace: false,
      };
    });
}

export function compactJson(value: JsonValue): string {
  return JSON.stringify(value);
}

export function viewFields(change: Change, redact: Redact): FieldView[] {
  return fieldsOf(change).flatMap((fieldChange) => viewField(change, fieldChange, redact));
}

/**
 * A field holding secrets shows what changed around them (with every secret value masked) and,
 * separately, which secrets changed; an unchanged secret is not mentioned at all.
 */
function viewField(change: Change, fieldChange: FieldChange, redact: Redact): FieldView[] {
  const { field, forcesReplace } = fieldChange;
  if (!isSecretField(change, fieldChange)) return [plainView(change, fieldChange, redact)];
  if (change.action === "create") return [{ type: "secret", field, forcesReplace }];
  const secretView: FieldView = {
    type: "secret",
    field,
    forcesReplace,
    ...(fieldChange.changedSecrets ? { keys: fieldChange.changedSecrets } : {}),
  };
  // Only where the secrets sit inside the field can the rest of it be shown, masked.
  const pointers = (change.action === "delete" ? [] : change.desired.secretPaths).filter((pointer) => pointer.startsWith(`/${field}/`));
  if (pointers.length === 0) return [secretView];
  const masked = (value: JsonValue | undefined): JsonValue | undefined =>
    value === undefined ? undefined : (maskSecrets({ [field]: value }, pointers) as Record<string, JsonValue>)[field];
  const before = masked(fieldChange.before);
  const after = masked(fieldChange.after);
  const views: FieldView[] = [];
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    views.push(
      plainView(change, { ...fieldChange, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }, redact),
    );
  }
  if (fieldChange.secret || views.length === 0) views.push(secretView);
  return views;
}

/** What a secret view says after the field name. */
export function secretNote(view: { readonly keys?: readonly string[] }, creating: boolean): string {
  if (creating) return "(secret)";
  return view.keys && view.keys.length > 0 ? `(secret changed: ${view.keys.join(", ")})` : "(secret changed)";
}

function plainView(change: Change, fieldChange: FieldChange, redact: Redact): FieldView {
  const { before, after } = fieldChange;
  const options = { isSql: fieldChange.isSql, structuredAsLines: change.action !== "create", redact };
  return { ...viewValues(fieldChange.field, before, after, options), forcesReplace: fieldChange.forcesReplace };
}

/**
 * How one field's two values are shown, for plans and drift alike: a line diff for SQL and
 * multi-line text, a pretty-JSON line diff for a long object or array (where `structuredAsLines`),
 * and otherwise both values inline as compact JSON; every text passed through `redact`.
 */
export function viewValues(
  field: string,
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  options: { readonly isSql: boolean; readonly structuredAsLines: boolean; readonly redact: Redact },
):
  | { readonly type: "value"; readonly field: string; readonly before?: string; readonly after?: string }
  | { readonly type: "lines"; readonly field: string; readonly lines: readonly DiffLine[] } {
  const { redact } = options;
  const isText = (value: JsonValue | undefined): value is string | undefined => value === undefined || typeof value === "string";
  const multiline = (value: JsonValue | undefined): boolean => typeof value === "string" && value.includes("\n");
  if (isText(before) && isText(after) && (options.isSql || multiline(before) || multiline(after))) {
    return { type: "lines", field, lines: redactLines(diffTextLines(before, after), redact) };
  }
  const compactBefore = before === undefined ? undefined : compactJson(before);
  const compactAfter = after === undefined ? undefined : compactJson(after);
  const structured = (value: JsonValue | undefined): boolean => typeof value === "object" && value !== null;
  const long = (compactBefore?.length ?? 0) > INLINE_LIMIT || (compactAfter?.length ?? 0) > INLINE_LIMIT;
  if (options.structuredAsLines && long && (structured(before) || structured(after))) {
    const pretty = (value: JsonValue | undefined): string | undefined => (value === undefined ? undefined : JSON.stringify(value, null, 2));
    return { type: "lines", field, lines: redactLines(diffTextLines(pretty(before), pretty(after)), redact) };
  }
  return {
    type: "value",
    field,
    ...(compactBefore === undefined ? {} : { before: redact(compactBefore) }),
    ...(compactAfter === undefined ? {} : { after: redact(compactAfter) }),
  };
}

function redactLines(lines: readonly DiffLine[], redact: Redact): DiffLine[] {
  return lines.map((line) => ({ op: line.op, text: redact(line.text) }));
}

function toLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** A line diff of two texts (absent = empty), long unchanged stretches folded to one "..." line. */
export function diffTextLines(before: string | undefined, after: string | undefined): DiffLine[] {
  const withNewline = (text: string | undefined): string => {
    const normal = (text ?? "").replace(/\r\n?/g, "\n");
    return normal === "" || normal.endsWith("\n") ? normal : `${normal}\n`;
  };
  const lines: DiffLine[] = [];
  for (const part of diffLibrary().diffLines(withNewline(before), withNewline(after))) {
    const op: DiffOp = part.added ? "+" : part.removed ? "-" : " ";
    for (const text of toLines(part.value)) lines.push({ op, text });
  }
  return foldContext(lines);
}

function foldContext(lines: readonly DiffLine[]): DiffLine[] {
  const result: DiffLine[] = [];
  let index = 0;
  while (index < lines.length) {
    if (lines[index]?.op !== " ") {
      result.push(lines[index] as DiffLine);
      index += 1;
      continue;
    }
    let end = index;
    while (end < lines.length && lines[end]?.op === " ") end += 1;
    const keepBefore = index === 0 ? 0 : CONTEXT;
    const keepAfter = end === lines.length ? 0 : CONTEXT;
    const run = lines.slice(index, end);
    if (run.length > keepBefore + keepAfter + 1) {
      const hidden = run.length - keepBefore - keepAfter;
      result.push(...run.slice(0, keepBefore));
      result.push({ op: "...", text: `${hidden} unchanged line${hidden === 1 ? "" : "s"}` });
      result.push(...run.slice(run.length - keepAfter));
    } else {
      result.push(...run);
    }
    index = end;
  }
  return result;
}

export function summaryLine(counts: { create: number; update: number; replace: number; delete: number }): string {
  return `Plan: ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete.`;
}

export const NO_CHANGES = "No changes. The live workspace matches the manifests.";

/** One line of a text diff, coloured: what the plan and drift renderers print. */
export function renderDiffLine(line: DiffLine, c: Colors): string {
  switch (line.op) {
    case "+":
      return c.green(`+ ${line.text}`);
    case "-":
      return c.red(`- ${line.text}`);
    case " ":
      return `  ${line.text}`;
    case "...":
      return c.dim(`  ... ${line.text}`);
  }
}
