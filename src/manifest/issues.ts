import type { ErrorObject } from "ajv";
import type { ManifestIssue } from "../errors.js";
import type { JsonValue } from "../model/index.js";
import { isJsonObject, isKind, KINDS, isJsonArray } from "../model/index.js";
import { closest, pointerOf, unescapePointer } from "../model/index.js";
import type { JsonPath } from "./parse.js";
import type { ResolvedDocument } from "./validate.js";
import { nameRuleFor } from "../kinds/index.js";

// From ajv errors to one actionable sentence each, at the file:line:column of the value: what was
// expected, what was found (never a secret value), and the likely typo.

/** Response-only fields: the API computes them, so a manifest that sets one was likely copied from a GET. */
const COMPUTED_FIELDS = new Set([
  "id",
  "created_at",
  "created_by",
  "last_updated_at",
  "last_updated_by",
  "status",
  "status_code",
  "message",
  "plan",
  "start_time",
  "instance",
  "trigger_query",
  "resolve_query",
  "is_external",
  "lagging",
  "memory",
]);

export const NAME_RULE = "a name starts with a letter and has at most 64 letters, digits or underscores";

// ---------------------------------------------------------------------------------------------
// From ajv errors to one actionable sentence each.

export function issuesFromSchema(errors: readonly ErrorObject[], document: ResolvedDocument, label: string): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  for (const error of errors) {
    const issue = issueFor(error, document, label);
    if (issue) issues.push(issue);
  }
  return issues;
}

function issueFor(error: ErrorObject, document: ResolvedDocument, label: string): ManifestIssue | undefined {
  const path = pathOf(error.instancePath, document.value);
  const field = fieldName(path);
  const secret = isSecretPath(path, document.secretPaths ?? []);
  const shown = (value: unknown): string => (secret ? "a secret value" : describeValue(value));
  const params = error.params as Record<string, unknown>;

  switch (error.keyword) {
    case "additionalProperties": {
      const extra = String(params["additionalProperty"]);
      const location = document.locate([...path, extra], { key: true });
      const known = Object.keys(isJsonObject(error.parentSchema?.["properties"]) ? error.parentSchema["properties"] : {});
      const where = path.length === 0 ? label : field;
      if (path.length === 0 && COMPUTED_FIELDS.has(extra)) {
        return { ...location, message: `"${extra}" is computed by Timeplus and cannot be set in a manifest; remove it` };
      }
      if (path.length === 0 && extra === "ttl") {
        return {
          ...location,
          message: `"ttl" is the deprecated name the API reads back; write the request field "ttl_expression" instead`,
        };
      }
      if (label === "view" && path.length === 0 && (extra === "materialized" || extra === "target_stream")) {
        return {
          ...location,
          message: `"${extra}" does not belong to a plain view; declare a materialized view with kind: materialized_view`,
        };
      }
      const suggestion = closest(extra, known);
      const message = suggestion
        ? `unknown field "${extra}" in ${where} (did you mean "${suggestion}"?)`
        : `unknown field "${extra}" in ${where}; the fields are ${known.join(", ")}`;
      return { ...location, message };
    }
    case "required": {
      const missing = String(params["missingProperty"]);
      const where = path.length === 0 ? label : field;
      const reason = typeof error.parentSchema?.["$comment"] === "string" ? `: ${error.parentSchema["$comment"]}` : "";
      const location = path.length === 0 ? document.location : document.locate(path);
      return { ...location, message: `missing required field "${missing}" in ${where}${reason}` };
    }
    case "type": {
      const expected = String(params["type"]).split(",").map(typeWord).join(" or ");
      const hint =
        params["type"] === "string" && (typeof error.data === "number" || typeof error.data === "boolean") ? "; quote it in YAML" : "";
      const empty = error.data === null ? "; give it a value or remove it" : "";
      return { ...document.locate(path), message: `${field} must be ${expected}, not ${shown(error.data)}${hint}${empty}` };
    }
    case "enum": {
      const allowed = (params["allowedValues"] as readonly unknown[]).map(String);
      const suggestion = typeof error.data === "string" && !secret ? closest(error.data, allowed) : undefined;
      const message = `${field} must be one of ${allowed.join(", ")}, not ${shown(error.data)}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`;
      return { ...document.locate(path), message };
    }
    case "const":
      return { ...document.locate(path), message: `${field} must be ${describeValue(params["allowedValue"])}, not ${shown(error.data)}` };
    case "pattern":
      if (error.propertyName !== undefined) {
        return { ...document.locate([...path, error.propertyName], { key: true }), message: keyMessage(path, error.propertyName) };
      }
      return { ...document.locate(path), message: patternMessage(path, error.data, secret, document.value["kind"]) };
    case "propertyNames":
      return undefined; // reported by the "pattern" error on the offending key itself
    case "if":
      return undefined; // the failing "then" reports what is wrong
    default:
      return { ...document.locate(path), message: `${field} ${error.message ?? "is invalid"}` };
  }
}

function patternMessage(path: JsonPath, data: unknown, secret: boolean, kind: unknown): string {
  const value = secret ? "(secret)" : String(data);
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (path.length === 1 && (last === "name" || last === "previous_name")) {
    return `${String(last)} "${value}" is invalid: ${isKind(kind) ? nameRuleFor(kind) : NAME_RULE}`;
  }
  if (parent === "depends_on") return dependsOnMessage(value);
  if (path.length === 1 && last === "project") {
    return `project "${value}" is invalid: a project name has 1 to 64 letters, digits, _, . or -`;
  }
  if (typeof last === "string" && last.endsWith("_env")) {
    return `${fieldName(path)} must name an environment variable (letters, digits and _), not "${value}"`;
  }
  return `${fieldName(path)} "${value}" does not have the required form`;
}

/** A key of a map-like object of tpctl.yaml (variables, environments) breaks its naming rule. */
function keyMessage(path: JsonPath, key: string): string {
  if (path[path.length - 1] === "variables") {
    return `variable name "${key}" is invalid: it starts with a letter or _ and has only letters, digits and _`;
  }
  if (path.length === 1 && path[0] === "environments") {
    return `environment name "${key}" is invalid: use letters, digits, _, . or -`;
  }
  return `key "${key}" in ${fieldName(path)} is invalid`;
}

export function dependsOnMessage(entry: string): string {
  const slash = entry.indexOf("/");
  if (slash <= 0) return `depends_on entry "${entry}" must be written kind/name, e.g. stream/events`;
  const kind = entry.slice(0, slash);
  const name = entry.slice(slash + 1);
  if (!isKind(kind))
    return `depends_on entry "${entry}" names an unknown kind "${kind}"${didYouMean(kind, KINDS)}; the kinds are ${KINDS.join(", ")}`;
  return `depends_on entry "${entry}" has an invalid name "${name}": ${nameRuleFor(kind)}`;
}

/** Turns an ajv instancePath into segments, numbers where the value there is a list. */
function pathOf(instancePath: string, root: JsonValue): JsonPath {
  if (instancePath === "") return [];
  const path: (string | number)[] = [];
  let current: JsonValue | undefined = root;
  for (const raw of instancePath.slice(1).split("/")) {
    const segment = unescapePointer(raw);
    if (isJsonArray(current)) {
      const index = Number(segment);
      path.push(index);
      current = current[index];
    } else {
      path.push(segment);
      current = isJsonObject(current) ? current[segment] : undefined;
    }
  }
  return path;
}

/** columns[1].type, quoted when it is a plain key, as users read it in their YAML. */
export function fieldName(path: JsonPath): string {
  if (path.length === 0) return "the document";
  let text = "";
  for (const segment of path) {
    text += typeof segment === "number" ? `[${segment}]` : text === "" ? segment : `.${segment}`;
  }
  return `"${text}"`;
}

function isSecretPath(path: JsonPath, secretPaths: readonly string[]): boolean {
  const pointer = pointerOf(path);
  return secretPaths.some((secret) => pointer === secret || pointer.startsWith(`${secret}/`) || secret.startsWith(`${pointer}/`));
}

function typeWord(type: string): string {
  switch (type) {
    case "string":
      return "a string";
    case "integer":
      return "a whole number";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "object":
      return "a mapping";
    case "array":
      return "a list";
    default:
      return type;
  }
}

/** How a value reads in a message: `the string "x"`, `the number 5`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (typeof value === "string") return `the string "${value}"`;
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return `${value}`;
  if (isJsonArray(value)) return "a list";
  return "a mapping";
}

export function didYouMean(value: string, candidates: readonly string[]): string {
  const suggestion = closest(value, candidates);
  return suggestion ? ` (did you mean "${suggestion}"?)` : "";
}

export function byPosition(issues: readonly ManifestIssue[]): ManifestIssue[] {
  return [...issues].sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column));
}

export function dedupe(issues: readonly ManifestIssue[]): ManifestIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.file}:${issue.line}:${issue.column}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
