import type { ErrorObject, ValidateFunction } from "ajv";
import type { ManifestIssue } from "../errors.js";
import type { JsonObject, JsonValue, Kind, SourceLocation } from "../model/index.js";
import {
  addressOf,
  DesiredResource,
  isJsonObject,
  isKind,
  KINDS,
  NAME_PATTERN,
  parseAddress,
  isJsonArray,
  qualifyName,
} from "../model/index.js";
import { isReservedName } from "../lock/lease.js";
import { SqlSyntaxError, tokenizeSql } from "../sql/index.js";
import type { JsonPath, ParsedDocument } from "./parse.js";
import { isValidName, KIND_MODULES, nameRuleFor } from "../kinds/index.js";

/** The JSON Schemas of schemas/: one per kind, and the one for tpctl.yaml. */
export interface SchemaSet {
  readonly kinds: Readonly<Record<Kind, JsonObject>>;
  readonly project: JsonObject;
  /**
   * The same schemas compiled: the standalone validators generated at build time (schema-code.ts)
   * when they match, else compiled on reading (compile-schemas.ts). Either way this module never
   * loads ajv itself, which alone took a third of a `validate` run.
   */
  readonly compiled: CompiledSchemas;
}

/** A validator per kind and one for tpctl.yaml, compiled with VALIDATOR_OPTIONS. */
export interface CompiledSchemas {
  readonly kinds: Readonly<Record<Kind, ValidateFunction>>;
  readonly project: ValidateFunction;
}

/**
 * allErrors so every problem is reported at once; verbose for the failing data and parent schema,
 * which the messages need (expected vs got, the fields a "did you mean" can pick from). The build's
 * standalone validators are compiled with the same options.
 */
export const VALIDATOR_OPTIONS = { allErrors: true, verbose: true, strict: true, strictRequired: false } as const;

/** A document ready for validation: interpolation done, secret values marked by JSON pointer. */
export interface ResolvedDocument extends ParsedDocument {
  readonly secretPaths?: readonly string[];
}

export interface ValidationResult {
  readonly resources: readonly DesiredResource[];
  readonly issues: readonly ManifestIssue[];
}

/** Fields a manifest may hold besides the API's own request fields. */
const TPCTL_FIELDS = ["kind", "depends_on", "lifecycle", "previous_name", "database"] as const;

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

const NAME_RULE = "a name starts with a letter and has at most 64 letters, digits or underscores";

/**
 * Sensitive settings the API does not return on read (docs/timeplus-api.md §4): values under these keys
 * of the free-form `properties` are treated as secret even when written literally.
 */
const SECRET_PROPERTY = /password|passwd|secret|token|api_?key|credential|private_key/i;

/**
 * The schemas let a number or boolean field hold `${var.NAME}` (an `anyOf` whose second branch is
 * marked `"$comment": "tpctl variable"`), so that editors accept manifests as written. tpctl
 * validates documents after variables are resolved, where that branch would only blur the
 * message ("must be a number"), so it validates against the first branch alone.
 */
export function withoutVariableAlternatives(schema: JsonValue): JsonValue {
  if (isJsonArray(schema)) return schema.map(withoutVariableAlternatives);
  if (!isJsonObject(schema)) return schema;
  const anyOf = schema["anyOf"];
  if (isJsonArray(anyOf) && anyOf.length === 2 && isJsonObject(anyOf[1]) && anyOf[1]["$comment"] === "tpctl variable") {
    const { anyOf: _alternatives, ...rest } = schema;
    return withoutVariableAlternatives({ ...rest, ...(anyOf[0] as JsonObject) });
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withoutVariableAlternatives(value)]));
}

/**
 * Checks every document against its kind's schema and the rules a schema cannot state
 * (duplicates across files, depends_on references), and builds frozen DesiredResources from the
 * valid ones. Every problem of every document is reported, each at its file:line:column.
 *
 * @example validateDocuments(parseManifestText(text, "a.yaml").documents, schemas)
 */
export function validateDocuments(documents: readonly ResolvedDocument[], schemas: SchemaSet): ValidationResult {
  const compiled = schemas.compiled;
  const resources: DesiredResource[] = [];
  const issues: ManifestIssue[] = [];
  const seen = new Map<string, SourceLocation>();

  for (const document of documents) {
    const before = issues.length;
    // Kinds and names are printed in every plan and message; a secret there would leak.
    const secretIdentity = ["kind", "name"].filter((field) => (document.secretPaths ?? []).includes(`/${field}`));
    for (const field of secretIdentity) {
      issues.push({ ...document.locate([field]), message: `"${field}" cannot hold a \${secret:…} value, since it is shown in every plan` });
    }
    if (secretIdentity.length > 0) continue;
    const kind = checkKind(document, issues);
    if (kind === undefined) {
      checkNameOnly(document, issues);
    } else {
      const validate = compiled.kinds[kind];
      if (!validate(document.value)) {
        issues.push(...issuesFromSchema(validate.errors ?? [], document, KIND_MODULES[kind].label));
      }
    }
    const bareName = document.value["name"];
    // In another database the resource goes by `db.name` everywhere in tpctl (model/kinds.ts).
    const database = document.value["database"];
    const name = typeof bareName === "string" && typeof database === "string" ? qualifyName(database, bareName) : bareName;
    if (typeof bareName === "string" && isReservedName(bareName)) {
      // The workspace lock's views (lock/lease.ts): such a resource could never be applied.
      issues.push({
        ...document.locate(["name"]),
        message: `name "${bareName}" is reserved: tpctl keeps names starting "tpctl_lock" for its workspace lock`,
      });
    }
    if (kind !== undefined && typeof name === "string" && isValidName(kind, name)) {
      const key = `${kind}/${name}`;
      const first = seen.get(key);
      const here = document.locate(["name"]);
      if (first) {
        issues.push({ ...here, message: `${key} is declared twice; the first declaration is at ${first.file}:${first.line}` });
      } else {
        seen.set(key, here);
      }
      checkDependsOn(document, key, issues);
    }
    if (issues.length === before && kind !== undefined) issues.push(...checkSql(document, kind));
    if (issues.length === before && kind !== undefined && typeof name === "string") {
      resources.push(toResource(document, kind, name, schemas.kinds[kind]));
    }
    // ajv reports in schema order; a reader expects the order of the file.
    issues.splice(before, issues.length - before, ...byPosition(issues.slice(before)));
  }
  return { resources, issues: dedupe(issues) };
}

/** Where each kind keeps SQL that the engine runs. */
function sqlFields(kind: Kind, value: JsonObject): JsonPath[] {
  switch (kind) {
    case "view":
    case "materialized_view":
    case "sink":
      return [["query"]];
    case "alert":
      return [["trigger_sql"], ["resolve_sql"]];
    case "saved_query":
      return [["sql"]];
    case "dashboard": {
      const panels = isJsonArray(value["panels"]) ? value["panels"] : [];
      return panels.flatMap((panel, index) =>
        isJsonObject(panel) && (panel["viz_type"] ?? "chart") === "chart" ? [["panels", index, "viz_content"] as JsonPath] : [],
      );
    }
    default:
      return [];
  }
}

/** The offline SQL check: SQL that cannot even be split into tokens would only be refused by the server. */
function checkSql(document: ResolvedDocument, kind: Kind): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  for (const path of sqlFields(kind, document.value)) {
    let node: JsonValue | undefined = document.value;
    for (const segment of path)
      node = isJsonObject(node) ? node[segment as string] : isJsonArray(node) ? node[segment as number] : undefined;
    if (typeof node !== "string") continue;
    try {
      tokenizeSql(node);
    } catch (error) {
      if (!(error instanceof SqlSyntaxError)) throw error;
      issues.push({ ...document.locate(path), message: `${fieldName(path)}: ${error.message}` });
    }
  }
  return issues;
}

/** Checks tpctl.yaml against schemas/tpctl.json. */
export function validateProjectDocument(document: ParsedDocument, schemas: SchemaSet): readonly ManifestIssue[] {
  const validate = schemas.compiled.project;
  if (validate(document.value)) return [];
  return dedupe(issuesFromSchema(validate.errors ?? [], document, "tpctl.yaml"));
}

function checkKind(document: ParsedDocument, issues: ManifestIssue[]): Kind | undefined {
  const kind = document.value["kind"];
  if (isKind(kind)) return kind;
  if (kind === undefined) {
    issues.push({ ...document.location, message: `the document has no kind; add kind: with one of ${KINDS.join(", ")}` });
  } else if (typeof kind !== "string") {
    issues.push({ ...document.locate(["kind"]), message: `kind must be one of ${KINDS.join(", ")}, not ${describeValue(kind)}` });
  } else {
    issues.push({
      ...document.locate(["kind"]),
      message: `unknown kind "${kind}"${didYouMean(kind, KINDS)}; the kinds are ${KINDS.join(", ")}`,
    });
  }
  return undefined;
}

/** Without a known kind there is no schema, but the name rule is the same for every kind. */
function checkNameOnly(document: ParsedDocument, issues: ManifestIssue[]): void {
  const name = document.value["name"];
  if (name === undefined) {
    issues.push({ ...document.location, message: `missing required field "name"` });
  } else if (typeof name !== "string") {
    issues.push({ ...document.locate(["name"]), message: `"name" must be a string, not ${describeValue(name)}` });
  } else if (!NAME_PATTERN.test(name)) {
    issues.push({ ...document.locate(["name"]), message: `name "${name}" is invalid: ${NAME_RULE}` });
  }
}

function checkDependsOn(document: ParsedDocument, self: string, issues: ManifestIssue[]): void {
  const entries = document.value["depends_on"];
  if (!isJsonArray(entries)) return;
  entries.forEach((entry: JsonValue, index: number) => {
    if (entry === self) {
      issues.push({ ...document.locate(["depends_on", index]), message: `depends_on entry "${entry}" is this resource itself; remove it` });
    }
    // The schema accepts any name shape (names of alerts, dashboards and saved queries are free);
    // the kind's own rule is checked here.
    const parsed = typeof entry === "string" ? parseAddress(entry) : undefined;
    if (parsed && !isValidName(parsed.kind, parsed.name)) {
      issues.push({ ...document.locate(["depends_on", index]), message: dependsOnMessage(entry as string) });
    }
  });
}

function toResource(document: ResolvedDocument, kind: Kind, name: string, schema: JsonObject): DesiredResource {
  const spec: Record<string, JsonValue> = {};
  for (const [field, value] of Object.entries(document.value)) {
    if (!(TPCTL_FIELDS as readonly string[]).includes(field)) spec[field] = value;
  }
  const lifecycle = isJsonObject(document.value["lifecycle"]) ? document.value["lifecycle"] : {};
  const dependsOn = isJsonArray(document.value["depends_on"])
    ? [...new Set(document.value["depends_on"] as readonly string[])].map((entry) => {
        const parsed = parseAddress(entry) as { kind: Kind; name: string };
        return addressOf(parsed.kind, parsed.name);
      })
    : [];
  const secretPaths = new Set([...(document.secretPaths ?? []), ...secretFieldPaths(kind, spec, schema)]);
  return DesiredResource.create({
    kind,
    name,
    spec: deepFreeze(spec) as JsonObject,
    dependsOn,
    lifecycle: {
      preventDestroy: lifecycle["prevent_destroy"] === true,
      ignoreChanges: isJsonArray(lifecycle["ignore_changes"]) ? (lifecycle["ignore_changes"] as string[]) : [],
    },
    secretPaths: [...secretPaths].sort(),
    ...(typeof document.value["previous_name"] === "string"
      ? { previousName: qualifyName(databaseField(document), document.value["previous_name"]) }
      : {}),
    location: document.location,
    ...(databaseField(document) !== undefined ? { database: databaseField(document) as string } : {}),
  });
}

function databaseField(document: ResolvedDocument): string | undefined {
  const database = document.value["database"];
  return typeof database === "string" ? database : undefined;
}

/** Pointers of values that are secret by nature: `writeOnly` fields of the schema and sensitive properties. */
function secretFieldPaths(kind: Kind, spec: JsonObject, schema: JsonObject): string[] {
  const paths: string[] = [];
  walkWriteOnly(spec, schema, schema, "", paths);
  // A dictionary's SOURCE parameters are free-form; its PASSWORD and the like are credentials.
  if (kind === "dictionary" && isJsonObject(spec["source"])) walkSensitive(spec["source"], "/source", paths);
  const properties = spec["properties"];
  if (isJsonObject(properties)) {
    walkSensitive(properties, "/properties", paths);
    // A Slack webhook URL is its credential (docs/timeplus-api.md §3.4).
    const slack = (kind === "sink" && spec["type"] === "slack") || (kind === "alert" && spec["action"] === "slack");
    if (slack && properties["url"] !== undefined) paths.push("/properties/url");
  }
  return paths;
}

function walkWriteOnly(value: JsonValue, schema: JsonValue | undefined, root: JsonObject, pointer: string, into: string[]): void {
  const resolved = resolveRef(schema, root);
  if (!isJsonObject(resolved)) return;
  if (resolved["writeOnly"] === true) {
    into.push(pointer);
    return;
  }
  const properties = resolved["properties"];
  if (isJsonObject(value) && isJsonObject(properties)) {
    for (const [key, item] of Object.entries(value)) walkWriteOnly(item, properties[key], root, `${pointer}/${escapePointer(key)}`, into);
  } else if (isJsonArray(value)) {
    value.forEach((item: JsonValue, index: number) => walkWriteOnly(item, resolved["items"], root, `${pointer}/${index}`, into));
  }
}

function resolveRef(schema: JsonValue | undefined, root: JsonObject): JsonValue | undefined {
  if (!isJsonObject(schema) || typeof schema["$ref"] !== "string") return schema;
  const ref = schema["$ref"];
  if (!ref.startsWith("#/")) return schema;
  let current: JsonValue | undefined = root;
  for (const segment of ref.slice(2).split("/")) current = isJsonObject(current) ? current[segment] : undefined;
  return current;
}

function walkSensitive(value: JsonObject, pointer: string, into: string[]): void {
  for (const [key, item] of Object.entries(value)) {
    const here = `${pointer}/${escapePointer(key)}`;
    if (SECRET_PROPERTY.test(key) && !isJsonObject(item)) into.push(here);
    else if (isJsonObject(item)) walkSensitive(item, here, into);
  }
}

export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function pointerOf(path: JsonPath): string {
  return path.map((segment) => `/${escapePointer(segment)}`).join("");
}

function deepFreeze(value: JsonValue): JsonValue {
  if (isJsonArray(value)) return Object.freeze(value.map(deepFreeze));
  if (isJsonObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = deepFreeze(item);
    return Object.freeze(out);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// From ajv errors to one actionable sentence each.

function issuesFromSchema(errors: readonly ErrorObject[], document: ResolvedDocument, label: string): ManifestIssue[] {
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

function dependsOnMessage(entry: string): string {
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
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
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

function didYouMean(value: string, candidates: readonly string[]): string {
  const suggestion = closest(value, candidates);
  return suggestion ? ` (did you mean "${suggestion}"?)` : "";
}

/** The candidate closest to `value` by edit distance, if close enough to be a likely typo. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const needle = value.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(value.length / 3));
  return best !== undefined && bestDistance <= limit && bestDistance < value.length ? best : undefined;
}

/** Levenshtein distance, counting a swap of two neighbours as one edit (the commonest typo). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const above = rows[i - 1] as number[];
      let distance = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(distance);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

function byPosition(issues: readonly ManifestIssue[]): ManifestIssue[] {
  return [...issues].sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column));
}

function dedupe(issues: readonly ManifestIssue[]): ManifestIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.file}:${issue.line}:${issue.column}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
