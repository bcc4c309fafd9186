import { Document } from "yaml";
import { renderManifestYaml } from "../render/yaml.js";
import type { Address, JsonObject, JsonValue, Kind, LiveResource } from "../model/index.js";
import {
  DEFAULT_DATABASE,
  deepEqual,
  describePointer,
  isJsonArray,
  isJsonObject,
  KINDS,
  setAt,
  splitQualifiedName,
} from "../model/index.js";
import { unwrapCodec } from "../sql/index.js";
import { isValidName, KIND_MODULES, nameRuleFor } from "../kinds/index.js";
import { claimEnvVar, envVarName, secretPointers } from "./secrets.js";

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
 * unwrapped, and every secret (which the API never returns, docs/timeplus-api.md §4) read from an
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
 * `CODEC(...)`, and the derived `nullable` dropped (docs/timeplus-api.md §4).
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

/** The `_tp_time` every stream gets when it declares none (server/kinds/stream.ts, docs/timeplus-api.md §4). */
function isImplicitTpTime(column: JsonObject): boolean {
  const text = (key: string): string => (typeof column[key] === "string" ? column[key].replace(/\s+/g, "") : "");
  return (
    /^datetime64\(3(,'UTC')?\)$/i.test(text("type")) &&
    /^(now64\(3(,'UTC')?\))?$/i.test(text("default")) &&
    /^(codec\(DoubleDelta,LZ4\)|DoubleDelta,LZ4)?$/i.test(text("codec"))
  );
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

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
