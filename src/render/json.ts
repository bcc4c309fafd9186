import type { Change, JsonValue, Plan } from "../model/index.js";
import { PLAN_FORMAT_VERSION, isJsonObject, summarizePlan } from "../model/index.js";
import { fieldsOf } from "./_fields.js";
import { createRedactor, isSecretField } from "./mask.js";
import { targetJson, type PlanTarget } from "./target.js";

type Redact = (text: string) => string;

/**
 * The plan as the stable JSON document of the contract ("The JSON plan"): `format_version`,
 * `changes` (`kind`, `name`, `action`, `reason`, `destructive`) and `summary`, plus the added
 * fields `address` and `fields` per change and `unmanaged` and `warnings` at the top. Keys come in
 * a fixed order, indented by two spaces, with a trailing newline. A secret field keeps its name
 * and `"secret": true`; its values are left out.
 *
 * @example io.stdout(renderPlanJson(plan))
 */
export function renderPlanJson(plan: Plan, options: { readonly target?: PlanTarget } = {}): string {
  const redact = createRedactor(plan);
  const summary = summarizePlan(plan);
  const document = {
    format_version: PLAN_FORMAT_VERSION,
    ...(options.target ? { target: targetJson(options.target) } : {}),
    changes: plan.changes.map((change) => changeJson(change, redact)),
    summary: { create: summary.create, update: summary.update, replace: summary.replace, delete: summary.delete },
    unmanaged: [...plan.unmanaged],
    warnings: plan.warnings.map(redact),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function changeJson(change: Change, redact: Redact): Record<string, JsonValue> {
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
  };
}

function redactJson(value: JsonValue, redact: Redact): JsonValue {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item: JsonValue) => redactJson(item, redact));
  if (isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactJson(item, redact)]));
  }
  return value;
}
