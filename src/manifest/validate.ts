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
import { deepFreeze, isReservedName } from "../model/index.js";
import { extractReferences, SqlSyntaxError, tokenizeSql } from "../sql/index.js";
import type { ParsedDocument } from "./parse.js";
import { isValidName, KIND_MODULES } from "../kinds/index.js";
import { byPosition, dedupe, dependsOnMessage, describeValue, didYouMean, fieldName, issuesFromSchema, NAME_RULE } from "./issues.js";
import type { SchemaSet } from "./schemas.js";
import { secretFieldPaths } from "./secret-fields.js";

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
    const secretPaths = document.secretPaths ?? [];
    const secretIdentity = secretPaths.length === 0 ? [] : ["kind", "name"].filter((field) => secretPaths.includes(`/${field}`));
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
    if (issues.length > before) issues.splice(before, issues.length - before, ...byPosition(issues.slice(before)));
  }
  // Frozen like each resource in it, so that later stages may remember what they work out from it.
  return { resources: Object.freeze(resources), issues: dedupe(issues) };
}

/** The offline SQL check: SQL that cannot even be split into tokens would only be refused by the server. */
function checkSql(document: ResolvedDocument, kind: Kind): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  for (const path of KIND_MODULES[kind].sqlAt?.(document.value) ?? []) {
    let node: JsonValue | undefined = document.value;
    for (const segment of path)
      node = isJsonObject(node) ? node[segment as string] : isJsonArray(node) ? node[segment as number] : undefined;
    if (typeof node !== "string") continue;
    // The dependency graph reads the same SQL next: its references, remembered by text, come from
    // the one tokenizing. Whatever keeps them from being found, the plain tokenizer decides.
    try {
      extractReferences(node);
      continue;
    } catch {
      // Told below, exactly as before.
    }
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

function databaseField(document: ResolvedDocument): string | undefined {
  const database = document.value["database"];
  return typeof database === "string" ? database : undefined;
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
