import type { Change, JsonValue, Plan, PlanStatements } from "../model/index.js";
import { escapePointer, PLAN_FORMAT_VERSION, isJsonObject, summarizePlan } from "../model/index.js";
import { fieldsOf } from "./_fields.js";
import { fastJsonPatchLibrary } from "./libraries.js";
import { createRedactor, isSecretField, maskSecrets, SECRET_PLACEHOLDER } from "./mask.js";
import { targetJson, type PlanTarget } from "./target.js";

type Redact = (text: string) => string;

/**
 * The plan as the stable JSON document of the contract ("The JSON plan"): `format_version`,
 * `changes` (`kind`, `name`, `action`, `reason`, `destructive`) and `summary`, plus the added
 * fields `address`, `fields`, `patch` and (over SQL) `statements` per change and `unmanaged` and
 * `warnings` at the top. Keys come in
 * a fixed order, indented by two spaces, with a trailing newline. A secret field keeps its name
 * and `"secret": true`; its values are left out.
 *
 * @example io.stdout(renderPlanJson(plan))
 */
export function renderPlanJson(plan: Plan, options: { readonly target?: PlanTarget; readonly statements?: PlanStatements } = {}): string {
  const redact = createRedactor(plan);
  const summary = summarizePlan(plan);
  const document = {
    format_version: PLAN_FORMAT_VERSION,
    ...(options.target ? { target: targetJson(options.target) } : {}),
    changes: plan.changes.map((change) => changeJson(change, redact, options.statements?.get(change.address))),
    summary: { create: summary.create, update: summary.update, replace: summary.replace, delete: summary.delete },
    unmanaged: [...plan.unmanaged],
    warnings: plan.warnings.map(redact),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function changeJson(change: Change, redact: Redact, statements: readonly string[] | undefined): Record<string, JsonValue> {
  return {
    kind: change.kind,
    name: change.name,
    action: change.action,
    reason: redact(change.reason),
    destructive: change.destructive,
    address: change.address,
    fields: fieldsOf(change).map((fieldChange) => {
      const secret = isSecretField(change, fieldChange);
      const entry: Record<string, JsonValue> = { field: fieldChange.field };
      if (!secret && fieldChange.before !== undefined) entry["before"] = redactJson(fieldChange.before, redact);
      if (!secret && fieldChange.after !== undefined) entry["after"] = redactJson(fieldChange.after, redact);
      entry["forces_replace"] = fieldChange.forcesReplace;
      entry["secret"] = secret;
      if (fieldChange.changedSecrets && fieldChange.changedSecrets.length > 0) entry["changed_secrets"] = [...fieldChange.changedSecrets];
      return entry;
    }),
    ...(change.action === "update" || change.action === "replace" ? { patch: patchOf(change, redact) } : {}),
    // The exact SQL the driver will send for this change, secrets already masked by the driver.
    ...(statements ? { statements: statements.map(redact) } : {}),
  };
}

/**
 * An RFC 6902 patch from the live values of the changed fields to the desired ones (contract:
 * "an RFC 6902 `patch` from live to desired on each update"), so a pipeline can read exactly what
 * changes. Made with fast-json-patch's `compare`. A secret is never in it: values at secret
 * pointers are masked on both sides, and a secret that changed is one `replace` whose value is
 * the placeholder.
 */
function patchOf(change: Change, redact: Redact): JsonValue[] {
  const secretPaths = "desired" in change ? change.desired.secretPaths : [];
  const before: Record<string, JsonValue> = {};
  const after: Record<string, JsonValue> = {};
  const secretOps: JsonValue[] = [];
  for (const fieldChange of change.fieldChanges) {
    const wholeSecret =
      isSecretField(change, fieldChange) && !secretPaths.some((pointer) => pointer.startsWith(`/${escapePointer(fieldChange.field)}/`));
    if (wholeSecret) {
      secretOps.push({ op: "replace", path: `/${escapePointer(fieldChange.field)}`, value: SECRET_PLACEHOLDER });
      continue;
    }
    if (fieldChange.before !== undefined) before[fieldChange.field] = fieldChange.before;
    if (fieldChange.after !== undefined) after[fieldChange.field] = fieldChange.after;
    for (const label of fieldChange.changedSecrets ?? []) {
      const path = `/${[fieldChange.field, ...label.split(".")].map(escapePointer).join("/")}`;
      secretOps.push({ op: "replace", path, value: SECRET_PLACEHOLDER });
    }
  }
  const masked = (value: Record<string, JsonValue>): JsonValue => maskSecrets(value, secretPaths);
  const operations = fastJsonPatchLibrary().compare(masked(before) as object, masked(after) as object) as unknown as JsonValue[];
  const seen = new Set(operations.map((operation) => (operation as { path: string }).path));
  return [...operations, ...secretOps.filter((operation) => !seen.has((operation as { path: string }).path))].map((operation) =>
    redactJson(operation, redact),
  );
}

function redactJson(value: JsonValue, redact: Redact): JsonValue {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item: JsonValue) => redactJson(item, redact));
  if (isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactJson(item, redact)]));
  }
  return value;
}
