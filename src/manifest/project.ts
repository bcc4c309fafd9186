import type { ManifestIssue } from "../errors.js";
import type { JsonObject, JsonValue, Kind, SourceLocation } from "../model/index.js";
import { isJsonObject, isKind } from "../model/index.js";
import { parseManifestFast } from "./parse-fast.js";
import type { JsonPath, Locator, ParsedDocument } from "./parse.js";
import { resolveValue } from "./resolve.js";
import { closest, pointerOf } from "../model/index.js";
import { byPosition, describeValue } from "./issues.js";
import type { SchemaSet } from "./schemas.js";
import { validateProjectDocument, type ResolvedDocument } from "./validate.js";

// tpctl.yaml: the project name, variables, environments with their connection settings and
// overrides. The manifest pipeline that uses it is manifest/assemble.ts.

export const DEFAULT_PROJECT = "default";

/** Where to connect, from the chosen environment of tpctl.yaml (the TIMEPLUS_* variables win over these). */
export interface ConnectionSettings {
  readonly address?: string;
  readonly workspace?: string;
  /** Names of the environment variables holding credentials, never the credentials. */
  readonly usernameEnv?: string;
  readonly passwordEnv?: string;
  readonly apiKeyEnv?: string;
}

/** One `overrides` entry of the chosen environment, its `set` already interpolated. */
export interface Override {
  readonly kind: Kind;
  readonly name: string;
  readonly environment: string;
  readonly set: JsonObject;
  /** Secret pointers inside `set`, which are pointers into the resource document too. */
  readonly secretPaths: readonly string[];
  /** Where the override names its resource. */
  readonly location: SourceLocation;
  /** Where a field of `set` was written, by its path in the resource document. */
  readonly locateInSet: Locator;
}

export interface ProjectSettings {
  readonly project: string;
  readonly environment?: string;
  readonly variables: Readonly<Record<string, JsonValue>>;
  readonly overrides: readonly Override[];
  readonly settings: ConnectionSettings;
}

export interface ProjectInput {
  /** The chosen environment (`--env`). */
  readonly env?: string;
  /** The process environment, for `${env:…}` and `${secret:…}`. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly schemas: SchemaSet;
  /** `--var NAME=VALUE` and `--var-file FILE`, laid over the environment's values, in order. */
  readonly assigned?: readonly AssignedVariable[];
}

/** One variable set on the command line: `--var` gives text (read as the declared type), a var file typed YAML. */
export interface AssignedVariable {
  readonly name: string;
  readonly value: JsonValue;
  /** "--var", or the var file's name: where an issue about it points. */
  readonly from: string;
  /** True for `--var`, whose value is text to read as the declared number or boolean. */
  readonly text?: boolean;
}

type VariableType = "string" | "number" | "boolean";

/**
 * Reads tpctl.yaml: the project name, variables with the chosen environment's values laid over
 * the defaults, that environment's connection settings and its overrides.
 *
 * @example parseProjectText("project: fleet\n", "tpctl.yaml", { environment: {}, schemas }).project.project
 */
export function parseProjectText(
  text: string,
  file: string,
  input: ProjectInput,
): { readonly project: ProjectSettings; readonly issues: readonly ManifestIssue[] } {
  const parsed = parseManifestFast(text, file, input.schemas.parseFullYaml);
  const issues: ManifestIssue[] = [...parsed.issues];
  const [document, ...extra] = parsed.documents;
  for (const other of extra) {
    issues.push({ ...other.location, message: "tpctl.yaml holds a single document; move resources into their own files" });
  }
  if (!document) {
    const fallback = { ...defaultProjectSettings(), ...(input.env !== undefined ? { environment: input.env } : {}) };
    if (input.env !== undefined && parsed.issues.length === 0) {
      issues.push({ file, line: 1, column: 1, message: `environment "${input.env}" is not defined: tpctl.yaml declares no environments` });
    }
    assignVariables(new Map(), {}, input.assigned ?? [], issues);
    return { project: fallback, issues };
  }
  if ("kind" in document.value) {
    issues.push({
      ...document.locate(["kind"], { key: true }),
      message: "tpctl.yaml holds project settings, not a resource; move this document into another .yaml file",
    });
    return { project: defaultProjectSettings(), issues };
  }
  issues.push(...validateProjectDocument(document, input.schemas));
  const value = document.value;

  const declared = readDeclarations(document, issues);
  const variables: Record<string, JsonValue> = {};
  for (const [name, declaration] of declared) {
    if (declaration.default !== undefined) variables[name] = declaration.default;
  }

  let settings: ConnectionSettings = {};
  let overrides: Override[] = [];
  if (input.env !== undefined) {
    const environments = isJsonObject(value["environments"]) ? value["environments"] : {};
    const chosen = environments[input.env];
    if (!isJsonObject(chosen)) {
      const names = Object.keys(environments);
      const suggestion = closest(input.env, names);
      const location = names.length > 0 ? document.locate(["environments"], { key: true }) : document.location;
      issues.push({
        ...location,
        message:
          names.length === 0
            ? `environment "${input.env}" is not defined: tpctl.yaml declares no environments`
            : `environment "${input.env}" is not defined in tpctl.yaml${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; the environments are ${names.join(", ")}`,
      });
    } else {
      const base: JsonPath = ["environments", input.env];
      Object.assign(variables, readEnvironmentVariables(document, base, chosen, declared, issues));
      settings = readSettings(chosen);
      overrides = readOverrides(document, base, chosen, input.env, { variables, env: input.environment }, issues);
    }
  }

  assignVariables(declared, variables, input.assigned ?? [], issues);
  const project = typeof value["project"] === "string" ? value["project"] : DEFAULT_PROJECT;
  return {
    project: {
      project,
      ...(input.env !== undefined ? { environment: input.env } : {}),
      variables,
      overrides,
      settings,
    },
    issues: byPosition(issues),
  };
}

export function defaultProjectSettings(): ProjectSettings {
  return { project: DEFAULT_PROJECT, variables: {}, overrides: [], settings: {} };
}

interface Declaration {
  readonly type?: VariableType;
  readonly default?: JsonValue;
}

function readDeclarations(document: ParsedDocument, issues: ManifestIssue[]): Map<string, Declaration> {
  const declared = new Map<string, Declaration>();
  const variables = document.value["variables"];
  if (!isJsonObject(variables)) return declared;
  for (const [name, spec] of Object.entries(variables)) {
    if (!isJsonObject(spec)) continue;
    const type = isVariableType(spec["type"]) ? spec["type"] : undefined;
    const fallback = spec["default"];
    if (type !== undefined && fallback !== undefined && !hasType(fallback, type)) {
      issues.push({
        ...document.locate(["variables", name, "default"]),
        message: `the default of variable "${name}" must be ${typeWord(type)}, not ${describeValue(fallback)}`,
      });
    }
    // Without a declared type, the default's type is the contract every environment must keep.
    const effective = type ?? (fallback === undefined ? undefined : inferType(fallback));
    declared.set(name, {
      ...(effective !== undefined ? { type: effective } : {}),
      ...(fallback !== undefined ? { default: fallback } : {}),
    });
  }
  return declared;
}

function readEnvironmentVariables(
  document: ParsedDocument,
  base: JsonPath,
  chosen: JsonObject,
  declared: ReadonlyMap<string, Declaration>,
  issues: ManifestIssue[],
): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = {};
  const given = chosen["variables"];
  if (!isJsonObject(given)) return values;
  for (const [name, value] of Object.entries(given)) {
    const declaration = declared.get(name);
    if (!declaration) {
      const suggestion = closest(name, [...declared.keys()]);
      issues.push({
        ...document.locate([...base, "variables", name], { key: true }),
        message: `environment "${String(base[1])}" sets variable "${name}", which is not declared under variables${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
      });
      continue;
    }
    if (declaration.type !== undefined && !hasType(value, declaration.type)) {
      issues.push({
        ...document.locate([...base, "variables", name]),
        message: `variable "${name}" must be ${typeWord(declaration.type)}, not ${describeValue(value)}`,
      });
      continue;
    }
    values[name] = value;
  }
  return values;
}

/**
 * `--var` and `--var-file` win over the environment's values, as in Terraform. A name tpctl.yaml
 * does not declare is an issue (with the nearest name), as is a value of the wrong type.
 */
function assignVariables(
  declared: ReadonlyMap<string, Declaration>,
  variables: Record<string, JsonValue>,
  assigned: readonly AssignedVariable[],
  issues: ManifestIssue[],
): void {
  for (const assignment of assigned) {
    const where = { file: assignment.from === "--var" ? "command line" : assignment.from, line: 1, column: 1 };
    const flag = assignment.from === "--var" ? `--var ${assignment.name}` : `variable "${assignment.name}" of ${assignment.from}`;
    const declaration = declared.get(assignment.name);
    if (!declaration) {
      const suggestion = closest(assignment.name, [...declared.keys()]);
      issues.push({
        ...where,
        message:
          declared.size === 0
            ? `${flag}: no variables are declared (declare them under variables: in tpctl.yaml)`
            : `${flag}: "${assignment.name}" is not declared under variables in tpctl.yaml${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
      });
      continue;
    }
    let value = assignment.value;
    if (assignment.text === true && typeof value === "string") {
      if (declaration.type === "number" && value.trim() !== "" && Number.isFinite(Number(value))) value = Number(value);
      if (declaration.type === "boolean" && (value === "true" || value === "false")) value = value === "true";
    }
    if (declaration.type !== undefined && !hasType(value, declaration.type)) {
      issues.push({ ...where, message: `${flag} must be ${typeWord(declaration.type)}, not ${describeValue(value)}` });
      continue;
    }
    variables[assignment.name] = value;
  }
}

function readSettings(chosen: JsonObject): ConnectionSettings {
  const text = (field: string): string | undefined => (typeof chosen[field] === "string" ? chosen[field] : undefined);
  const pairs: [keyof ConnectionSettings, string | undefined][] = [
    ["address", text("address")],
    ["workspace", text("workspace")],
    ["usernameEnv", text("username_env")],
    ["passwordEnv", text("password_env")],
    ["apiKeyEnv", text("api_key_env")],
  ];
  return Object.fromEntries(pairs.filter(([, value]) => value !== undefined));
}

function readOverrides(
  document: ParsedDocument,
  base: JsonPath,
  chosen: JsonObject,
  environment: string,
  context: { variables: Readonly<Record<string, JsonValue>>; env: Readonly<Record<string, string | undefined>> },
  issues: ManifestIssue[],
): Override[] {
  const entries = chosen["overrides"];
  if (!Array.isArray(entries)) return [];
  const overrides: Override[] = [];
  entries.forEach((entry: JsonValue, index: number) => {
    if (!isJsonObject(entry)) return;
    const { kind, name, set } = entry;
    if (!isKind(kind) || typeof name !== "string" || !isJsonObject(set)) return; // the schema reported it
    const setPath: JsonPath = [...base, "overrides", index, "set"];
    for (const identity of ["kind", "name"]) {
      if (identity in set) {
        issues.push({
          ...document.locate([...setPath, identity], { key: true }),
          message: `an override cannot change "${identity}"; declare a different resource in the manifests instead`,
        });
      }
    }
    const resolved = resolveValue(set, setPath, document.locate, context);
    issues.push(...resolved.issues);
    overrides.push({
      kind,
      name,
      environment,
      set: resolved.value as JsonObject,
      secretPaths: resolved.secretPaths,
      location: document.locate([...base, "overrides", index, "name"]),
      locateInSet: (path, options) => document.locate([...setPath, ...path], options),
    });
  });
  return overrides;
}

/**
 * Deep-merges each override's `set` onto the documents it names: mappings merge, `null` removes a
 * field, anything else replaces. Locations of overridden fields point into tpctl.yaml.
 */
export function applyOverrides(
  documents: readonly ResolvedDocument[],
  overrides: readonly Override[],
): { readonly documents: readonly ResolvedDocument[]; readonly issues: readonly ManifestIssue[] } {
  const issues: ManifestIssue[] = [];
  const out = [...documents];
  for (const override of overrides) {
    let matched = false;
    out.forEach((document, index) => {
      if (document.value["kind"] !== override.kind || document.value["name"] !== override.name) return;
      matched = true;
      out[index] = overrideDocument(document, override);
    });
    if (!matched) {
      issues.push({
        ...override.location,
        message: `the override for ${override.kind}/${override.name} in environment "${override.environment}" matches no resource in the manifests`,
      });
    }
  }
  return { documents: out, issues };
}

function overrideDocument(document: ResolvedDocument, override: Override): ResolvedDocument {
  const { kind: _kind, name: _name, ...set } = override.set;
  const replaced: JsonPath[] = [];
  const value = merge(document.value, set, [], replaced);
  const pointers = replaced.map(pointerOf);
  const under = (pointer: string): boolean => pointers.some((prefix) => pointer === prefix || pointer.startsWith(`${prefix}/`));
  const fromOverride = (path: JsonPath): boolean =>
    replaced.some((prefix) => prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]));
  return {
    ...document,
    value,
    secretPaths: [...(document.secretPaths ?? []).filter((pointer) => !under(pointer)), ...override.secretPaths],
    locate: (path, options) => (fromOverride(path) ? override.locateInSet(path, options) : document.locate(path, options)),
  };
}

function merge(base: JsonObject, set: JsonObject, at: JsonPath, replaced: JsonPath[]): JsonObject {
  const out: Record<string, JsonValue> = { ...base };
  for (const [key, value] of Object.entries(set)) {
    const current = out[key];
    if (isJsonObject(current) && isJsonObject(value)) {
      out[key] = merge(current, value, [...at, key], replaced);
      continue;
    }
    replaced.push([...at, key]);
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

function isVariableType(value: unknown): value is VariableType {
  return value === "string" || value === "number" || value === "boolean";
}

function inferType(value: JsonValue): VariableType | undefined {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? (typeof value as VariableType) : undefined;
}

function hasType(value: JsonValue, type: VariableType): boolean {
  return typeof value === type;
}

function typeWord(type: VariableType): string {
  return type === "boolean" ? "true or false" : `a ${type}`;
}
