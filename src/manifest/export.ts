import { Document } from "yaml";
import { renderManifestYaml } from "../render/yaml.js";
import type { ApiCall } from "../live/client.js";
import type { Address, JsonObject, JsonValue, Kind, LiveResource } from "../model/index.js";
import {
  DEFAULT_DATABASE,
  isJsonObject,
  KINDS,
  splitQualifiedName,
  withOwnershipMarker,
  withSchemaOwnershipMarker,
  isJsonArray,
} from "../model/index.js";
import { deepEqual, unwrapCodec } from "../plan/diff.js";
import { ID_KINDS, isValidName, KIND_MODULES, nameRuleFor, restItemPath } from "../kinds/index.js";
import { escapePointer, fingerprintSecrets, knownSecretPaths } from "../plan/secrets.js";

/** One secret an exported manifest reads from the environment instead of holding it. */
export interface ExportedSecret {
  readonly address: Address;
  /** JSON pointer into the resource's spec, e.g. "/properties/password". */
  readonly pointer: string;
  /** The environment variable the manifest names as `${secret:…}`, so that its value is masked everywhere. */
  readonly envVar: string;
}

export interface ExportedResource {
  readonly resource: LiveResource;
  /** Relative to the export folder, with forward slashes: "streams/car_live_data.yaml". */
  readonly path: string;
  /** The request fields the manifest declares, as plain values (no `$${` escaping, secrets absent). */
  readonly spec: JsonObject;
  readonly secrets: readonly ExportedSecret[];
  readonly content: string;
}

export interface ExportFile {
  readonly path: string;
  readonly content: string;
}

export interface ExportBundle {
  /** tpctl.yaml first, then one file per resource in kind order. */
  readonly files: readonly ExportFile[];
  readonly resources: readonly ExportedResource[];
  readonly secrets: readonly ExportedSecret[];
  /** Live resources no manifest can declare, and why. */
  readonly skipped: readonly { readonly address: Address; readonly reason: string }[];
}

export const PROJECT_FILE = "tpctl.yaml";

/**
 * Manifests for what is live, one YAML file per resource grouped in folders by kind, plus a
 * tpctl.yaml naming the project. Pure: the same workspace gives byte-identical files, so a second
 * export over the first finds every file identical.
 *
 * The files are written so that a plan of them against the same workspace shows no changes:
 * server defaults and response-only fields are left out, implicit `_tp_*` columns dropped, codecs
 * unwrapped, and every secret (which the API never returns, reference §4) read from an
 * environment variable.
 *
 * @example assembleExport(await readWorkspace(client), { project: "fleet" }).files
 */
export function assembleExport(live: readonly LiveResource[], options: { readonly project: string }): ExportBundle {
  const sorted = [...live].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || compareText(a.name, b.name));
  const ordered = sorted.filter((resource) => isValidName(resource.kind, resource.name));
  const skipped = sorted
    .filter((resource) => !isValidName(resource.kind, resource.name))
    .map((resource) => ({
      address: resource.address,
      reason: `a manifest cannot declare the name "${resource.name}" (${nameRuleFor(resource.kind)}); rename it in Timeplus to manage it with tpctl`,
    }));
  const takenPaths = new Set<string>();
  const takenVars = new Set<string>();
  const resources = ordered.map((resource) => {
    const path = uniquePath(resource, takenPaths);
    const { spec, secrets } = exportSpec(resource, takenVars);
    return { resource, path, spec, secrets, content: renderManifest(resource.kind, spec, secrets) };
  });
  return {
    // Stringified, so that a project named "2024" stays a string.
    files: [
      { path: PROJECT_FILE, content: new Document({ project: options.project }).toString() },
      ...resources.map(({ path, content }) => ({ path, content })),
    ],
    resources,
    secrets: resources.flatMap((resource) => resource.secrets),
    skipped,
  };
}

function exportSpec(resource: LiveResource, takenVars: Set<string>): { spec: JsonObject; secrets: ExportedSecret[] } {
  const rules = KIND_MODULES[resource.kind].fields;
  // An object in another database is `db.name` in tpctl; its manifest says `name` and `database`.
  const located = KIND_MODULES[resource.kind].naming === "identifier" ? splitQualifiedName(resource.name) : undefined;
  const spec: Record<string, JsonValue> =
    located !== undefined && located.database !== DEFAULT_DATABASE
      ? { name: located.name, database: located.database }
      : { name: resource.name };
  for (const [field, rule] of Object.entries(rules)) {
    let value = resource.spec[field];
    if (value === undefined || value === null) continue;
    if (field === "columns" && isJsonArray(value)) value = exportColumns(value);
    if (rule.default !== undefined && deepEqual(value, rule.default)) continue;
    // "" and empty collections mean "not set" where the API has no default for the field.
    if (rule.default === undefined && isEmpty(value)) continue;
    const unset = KIND_MODULES[resource.kind].export.unset?.[field];
    if (unset !== undefined && rule.computed && deepEqual(value, unset)) continue;
    spec[field] = value;
  }

  const pointers = secretPointers(resource.kind, spec);
  const secrets = pointers.map((pointer) => ({
    address: resource.address,
    pointer,
    envVar: claimEnvVar(envVarName(resource, pointer, spec), takenVars),
  }));
  // Secret values that do come back (masked by some deployments) are never written to a file.
  let withoutValues: JsonValue = spec;
  for (const { pointer } of secrets) withoutValues = setAt(withoutValues, pointer, undefined);
  return { spec: withoutValues as JsonObject, secrets };
}

function isEmpty(value: JsonValue): boolean {
  if (value === "") return true;
  if (isJsonArray(value)) return value.length === 0;
  return isJsonObject(value) && Object.keys(value).length === 0;
}

const COLUMN_FIELDS = ["name", "type", "default", "codec", "ttl_expression", "skipping_index_expression", "comment"];

/**
 * Columns as a manifest declares them: the implicit `_tp_*` columns the server adds are left out
 * (a `_tp_time` with its own type or default is the user's and stays), codecs unwrapped from
 * `CODEC(...)`, and the derived `nullable` dropped (reference §4, "Drift and readback notes").
 */
function exportColumns(columns: readonly JsonValue[]): JsonValue[] {
  const result: JsonValue[] = [];
  for (const column of columns) {
    if (!isJsonObject(column)) {
      result.push(column);
      continue;
    }
    const name = typeof column["name"] === "string" ? column["name"] : "";
    if (name.startsWith("_tp_") && (name !== "_tp_time" || isImplicitTpTime(column))) continue;
    const out: Record<string, JsonValue> = {};
    for (const field of COLUMN_FIELDS) {
      let value = column[field];
      if (field === "codec" && typeof value === "string") value = unwrapCodec(value).trim();
      if (value === undefined || value === null || value === "") continue;
      out[field] = value;
    }
    result.push(out);
  }
  return result;
}

/** The `_tp_time` every stream gets when it declares none (server/kinds/stream.ts, reference §4). */
function isImplicitTpTime(column: JsonObject): boolean {
  const text = (key: string): string => (typeof column[key] === "string" ? column[key].replace(/\s+/g, "") : "");
  return (
    /^datetime64\(3(,'UTC')?\)$/i.test(text("type")) &&
    /^(now64\(3(,'UTC')?\))?$/i.test(text("default")) &&
    /^(codec\(DoubleDelta,LZ4\)|DoubleDelta,LZ4)?$/i.test(text("codec"))
  );
}

/**
 * Secret fields by name (knownSecretPaths) that came back, plus the secrets the API hides but the
 * resource must have: a Slack webhook URL, a remote UDF's header key, an HTTP sink's OAuth2 client
 * (reference §3.4, §3.8; server/kinds/secrets.ts hides them the same way). Secrets the API hides
 * that nothing implies (a Kafka password, say) cannot be known and are not exported.
 */
function secretPointers(kind: Kind, spec: JsonObject): string[] {
  const pointers = new Set(knownSecretPaths(kind, spec));
  const properties = isJsonObject(spec["properties"]) ? spec["properties"] : {};
  const type = kind === "alert" ? spec["action"] : spec["type"];
  if ((kind === "sink" || kind === "alert") && type === "slack") pointers.add("/properties/url");
  if (kind === "sink" && type === "http" && isJsonObject(properties["oauth2"]) && properties["oauth2"]["enabled"] === true) {
    pointers.add("/properties/oauth2/client_key");
    pointers.add("/properties/oauth2/client_secret");
  }
  if (kind === "udf" && spec["auth_method"] === "auth_header") pointers.add("/auth_context/key_value");
  // A dictionary's SOURCE with a user has a password that reading back leaves out.
  const source = spec["source"];
  if (kind === "dictionary" && isJsonObject(source) && source["user"] !== undefined && source["password"] === undefined) {
    pointers.add("/source/password");
  }
  // A user name implies the password the API hides; leaving it out would wipe the live one.
  if (kind === "sink" || kind === "source") {
    const hasKey = (pattern: RegExp): boolean => Object.keys(properties).some((key) => pattern.test(key));
    if (hasKey(/^(username|user)$/i) && !hasKey(/^password$/i)) pointers.add("/properties/password");
    if (hasKey(/^sasl_(username|user)$/i) && !hasKey(/^sasl_password$/i)) pointers.add("/properties/sasl_password");
  }
  for (const pointer of credentialsInValues(spec, "")) pointers.add(pointer);
  return [...pointers].sort();
}

/** Fields that hold SQL: a credential-looking literal there is data, and the query must stay readable. */
const SQL_FIELDS = new Set(["query", "sql", "trigger_sql", "resolve_sql", "viz_content", "source"]);

/**
 * Strings the API does return but that carry a credential: an `Authorization: Bearer …` header, a
 * URL with `?token=…` or `user:password@`, `password=…` in free text. The whole value becomes a
 * secret, since the credential cannot be cut out of it reliably.
 */
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  /\b(authorization|proxy-authorization)\s*[:=]\s*\S+/i,
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/i,
  /[?&](token|access_token|auth|auth_token|api_key|apikey|key|secret|password|pwd|sig|signature|client_secret)=[^&\s]+/i,
  /:\/\/[^/@\s:]+:[^/@\s]+@/,
  /\b(password|passwd|pwd|secret|api[_-]?key|token)\s*[:=]\s*\S+/i,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/,
];

function credentialsInValues(value: JsonValue, pointer: string, field?: string): string[] {
  if (typeof value === "string") {
    if (field !== undefined && SQL_FIELDS.has(field)) return [];
    return CREDENTIAL_PATTERNS.some((pattern) => pattern.test(value)) ? [pointer] : [];
  }
  if (isJsonArray(value)) return value.flatMap((item, index) => credentialsInValues(item, `${pointer}/${index}`, field));
  if (isJsonObject(value)) {
    return Object.entries(value).flatMap(([key, item]) =>
      key === "name" && pointer === "" ? [] : credentialsInValues(item, `${pointer}/${escapePointer(key)}`, pointer === "" ? key : field),
    );
  }
  return [];
}

/** `TPCTL_SINK_ALERTS_OUT_PASSWORD`: kind, name and the field, so that a reader can tell which is which. */
function envVarName(resource: LiveResource, pointer: string, spec: JsonObject): string {
  const segments = pointer
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
  let field: string[];
  if (segments[0] === "properties") {
    field = segments.slice(1);
  } else if (segments[0] === "settings") {
    const setting = isJsonArray(spec["settings"]) ? spec["settings"][Number(segments[1])] : undefined;
    field = isJsonObject(setting) && typeof setting["key"] === "string" ? [setting["key"]] : segments.slice(1);
  } else {
    field = segments;
  }
  const text = ["TPCTL", resource.kind, resource.name, ...field].join("_");
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

function claimEnvVar(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let index = 2; taken.has(candidate); index += 1) candidate = `${name}_${index}`;
  taken.add(candidate);
  return candidate;
}

/**
 * A file name from the resource name. Alerts, dashboards and saved queries may be named anything,
 * and case-insensitive file systems must not fold two names into one file.
 */
function uniquePath(resource: LiveResource, taken: Set<string>): string {
  const base = resource.name.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^[.]+/, "") || "unnamed";
  const folder = KIND_MODULES[resource.kind].export.folder;
  let path = `${folder}/${base}.yaml`;
  for (let index = 2; taken.has(path.toLowerCase()); index += 1) path = `${folder}/${base}-${index}.yaml`;
  taken.add(path.toLowerCase());
  return path;
}

/** Sets (or with `undefined`, removes) the value at a JSON pointer, creating objects on the way. */
function setAt(value: JsonValue, pointer: string, replacement: JsonValue | undefined): JsonValue {
  const [head, ...rest] = pointer
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (head === undefined) return replacement ?? null;
  const restPointer = rest.map((segment) => `/${escapePointer(segment)}`).join("");
  if (isJsonArray(value)) {
    const index = Number(head);
    return value.map((item: JsonValue, at: number) => (at === index ? setAt(item, restPointer, replacement) : item));
  }
  const object: Record<string, JsonValue> = isJsonObject(value) ? { ...value } : {};
  if (rest.length === 0) {
    if (replacement === undefined) delete object[head];
    else object[head] = replacement;
  } else if (object[head] !== undefined || replacement !== undefined) {
    object[head] = setAt(object[head] ?? {}, restPointer, replacement);
  }
  return object;
}

/**
 * `$${` in every string, since the loader reads `${…}` as a reference: a query that happens to
 * contain `${` must come back as the same text.
 */
function escapeReferences(value: JsonValue): JsonValue {
  if (typeof value === "string") return value.replace(/\$\{/g, () => "$${");
  if (isJsonArray(value)) return value.map(escapeReferences);
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, escapeReferences(item)]));
  return value;
}

function renderManifest(kind: Kind, spec: JsonObject, secrets: readonly ExportedSecret[]): string {
  let document: JsonValue = escapeReferences({ kind, ...spec });
  for (const secret of secrets) document = setAt(document, secret.pointer, `\${secret:${secret.envVar}}`);
  const header = secrets.length === 0 ? "" : renderSecretsComment(secrets);
  return header + renderManifestYaml(document);
}

function renderSecretsComment(secrets: readonly ExportedSecret[]): string {
  const width = Math.max(...secrets.map((secret) => secret.envVar.length));
  return [
    "# The Timeplus API does not return secrets, so this manifest reads them from the environment.",
    "# Set these variables before tpctl plan or apply:",
    ...secrets.map((secret) => `#   ${secret.envVar.padEnd(width)}  ${describePointer(secret.pointer)}`),
    "",
  ].join("\n");
}

/** "/properties/oauth2/client_secret" as "properties.oauth2.client_secret". */
export function describePointer(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join("");
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What adopting one exported resource takes, or why it cannot be adopted. */
export type Adoption =
  | {
      readonly address: Address;
      readonly action: "adopt";
      readonly calls: readonly ApiCall[];
      /** Secrets whose variables were not set: the marker has no fingerprint, so the next apply rewrites them. */
      readonly unfingerprinted: readonly ExportedSecret[];
    }
  | { readonly address: Address; readonly action: "skip"; readonly reason: string };

/**
 * The API calls that write `project`'s ownership marker onto an exported live resource, so that
 * removing its manifest later deletes it (model/ownership.ts). Streams, views and MVs take a PATCH
 * of the description, sinks and sources of name and description (a running source is stopped for
 * it and started again, reference §3.5), and alerts, dashboards, UDFs, saved queries and schemas a
 * PUT of the whole body, a schema's marker going into its content. External streams and tables
 * have no update endpoint (reference §2).
 *
 * A PUT replaces the secrets the API never returned, so it needs their environment variables
 * set. When they are, the marker also records their fingerprint, as apply would, so that the
 * next plan does not see the secrets as changed.
 *
 * @example adoptionFor(bundle.resources[0], { project: "fleet", environment: process.env })
 */
export function adoptionFor(
  exported: ExportedResource,
  options: { readonly project: string; readonly environment: Readonly<Record<string, string | undefined>> },
): Adoption {
  const { resource } = exported;
  const address = resource.address;
  if (resource.owner === options.project) return { address, action: "skip", reason: `already owned by project "${options.project}"` };
  if (resource.owner !== undefined) return { address, action: "skip", reason: `owned by project "${resource.owner}"; left to it` };
  if (resource.kind === "external_stream" || resource.kind === "external_table") {
    return {
      address,
      action: "skip",
      reason: `${KIND_MODULES[resource.kind].label}s cannot be updated through the API, so no ownership marker can be written; delete it by hand when its manifest goes`,
    };
  }
  const identity = ID_KINDS.has(resource.kind) ? resource.id : resource.name;
  if (identity === undefined) return { address, action: "skip", reason: "the API reported no id for it" };
  const path = restItemPath(resource.kind, identity);

  const unset = exported.secrets.filter((secret) => options.environment[secret.envVar] === undefined);
  let filled: JsonValue = exported.spec;
  for (const secret of exported.secrets) {
    const value = options.environment[secret.envVar];
    if (value !== undefined) filled = setAt(filled, secret.pointer, value);
  }
  const spec = filled as JsonObject;
  const fingerprint = unset.length === 0 ? fingerprintSecrets(resource.kind, spec, knownSecretPaths(resource.kind, spec)) : undefined;
  const description = withOwnershipMarker(typeof spec["description"] === "string" ? spec["description"] : "", options.project, fingerprint);

  switch (resource.kind) {
    case "stream":
    case "view":
    case "materialized_view":
      return { address, action: "adopt", calls: [{ method: "PATCH", path, body: { description } }], unfingerprinted: [] };
    case "sink":
    case "source": {
      const patch: ApiCall = { method: "PATCH", path, body: { name: resource.name, description } };
      const calls =
        resource.kind === "source" && resource.status !== "stopped"
          ? [{ method: "POST", path: `${path}/stop` } as const, patch, { method: "POST", path: `${path}/start` } as const]
          : [patch];
      return { address, action: "adopt", calls, unfingerprinted: unset };
    }
    case "schema": {
      const content = withSchemaOwnershipMarker(typeof spec["content"] === "string" ? spec["content"] : "", options.project);
      return { address, action: "adopt", calls: [{ method: "PUT", path, body: { ...spec, content } }], unfingerprinted: [] };
    }
    default: {
      if (unset.length > 0) {
        return {
          address,
          action: "skip",
          reason: `updating it means sending its whole body, secrets included, and ${unset.map((secret) => secret.envVar).join(", ")} ${unset.length === 1 ? "is" : "are"} not set`,
        };
      }
      return { address, action: "adopt", calls: [{ method: "PUT", path, body: { ...spec, description } }], unfingerprinted: [] };
    }
  }
}

/** How adopting one resource ended, for the report. */
export type AdoptionOutcome =
  | { readonly address: Address; readonly status: "adopted"; readonly unfingerprinted: readonly ExportedSecret[] }
  | { readonly address: Address; readonly status: "skipped"; readonly reason: string }
  | { readonly address: Address; readonly status: "failed"; readonly error: string };

export interface ExportReport {
  /** Where the resources came from, safe to print. */
  readonly source: string;
  /** The export folder as the user should type it, e.g. "exported". */
  readonly folder: string;
  readonly project: string;
  readonly resourceCount: number;
  /** Every file of the export as the user should type it, and whether it was written or already identical. */
  readonly files: readonly { readonly path: string; readonly unchanged: boolean }[];
  readonly secrets: readonly ExportedSecret[];
  readonly skipped: ExportBundle["skipped"];
  /** Present when `--adopt` was given. */
  readonly adoption?: readonly AdoptionOutcome[];
}

/**
 * What export did, for a person: the files, the environment variables the manifests need, and
 * either what was adopted or how to adopt.
 *
 * @example io.stdout(renderExportReport({ source, folder: "exported", project, resourceCount, files, secrets }))
 */
export function renderExportReport(report: ExportReport): string {
  const out: string[] = [];
  const count = `${report.resourceCount} resource${report.resourceCount === 1 ? "" : "s"}`;
  out.push(`Exported ${count} from ${report.source} into ${report.folder}/:`);
  for (const file of report.files) out.push(`  ${file.path}${file.unchanged ? " (unchanged)" : ""}`);
  if (report.skipped.length > 0) {
    out.push("", "Not exported:");
    for (const skipped of report.skipped) out.push(`  ${skipped.address}: ${skipped.reason}`);
  }
  if (report.secrets.length > 0) {
    const width = Math.max(...report.secrets.map((secret) => secret.envVar.length));
    out.push(
      "",
      "The API does not return secrets, so the manifests read them from these environment variables;",
      "set them before tpctl plan or apply:",
      ...report.secrets.map((secret) => `  ${secret.envVar.padEnd(width)}  ${secret.address} ${describePointer(secret.pointer)}`),
    );
  }
  if (report.adoption) {
    const adopted = report.adoption.filter((outcome) => outcome.status === "adopted");
    const skipped = report.adoption.filter((outcome) => outcome.status === "skipped");
    const failed = report.adoption.filter((outcome) => outcome.status === "failed");
    out.push("");
    if (adopted.length > 0) {
      out.push(`Adopted into project "${report.project}" (removing a manifest now deletes its resource):`);
      for (const outcome of adopted) out.push(`  ${outcome.address}`);
      const unfingerprinted = adopted.flatMap((outcome) => outcome.unfingerprinted);
      if (unfingerprinted.length > 0) {
        out.push(
          `  (${unfingerprinted.map((secret) => secret.envVar).join(", ")} ${unfingerprinted.length === 1 ? "was" : "were"} not set, so the next apply rewrites ${unfingerprinted.length === 1 ? "that secret" : "those secrets"} from the environment)`,
        );
      }
    } else {
      out.push(`Adopted nothing into project "${report.project}".`);
    }
    if (skipped.length > 0) {
      out.push("Not adopted:");
      for (const outcome of skipped) out.push(`  ${outcome.address}: ${outcome.reason}`);
    }
    if (failed.length > 0) {
      out.push("Failed to adopt:");
      for (const outcome of failed) out.push(`  ${outcome.address}: ${outcome.error}`);
    }
  } else if (report.resourceCount > 0) {
    out.push(
      "",
      "Nothing was written to the workspace. To let tpctl delete these resources when their manifests",
      `are removed, adopt them: tpctl export --out ${report.folder} --adopt${report.project === "default" ? "" : ` --project ${report.project}`}`,
    );
  }
  out.push("", `A plan of them should show no changes: tpctl plan ${report.folder}`, "");
  return out.join("\n");
}
