import type { ManifestIssue } from "../errors.js";
import type { DesiredResource } from "../model/index.js";
import { byPosition } from "./issues.js";
import { parseManifestFast } from "./parse-fast.js";
import { applyOverrides, defaultProjectSettings, parseProjectText, type AssignedVariable, type ConnectionSettings } from "./project.js";
import { CREDENTIAL_VARIABLES, resolveDocument } from "./resolve.js";
import type { SchemaSet } from "./schemas.js";
import { validateDocuments, type ResolvedDocument } from "./validate.js";

export interface ManifestFile {
  readonly file: string;
  readonly text: string;
}

export interface AssembledManifests {
  readonly resources: readonly DesiredResource[];
  readonly issues: readonly ManifestIssue[];
  readonly project: string;
  readonly settings: ConnectionSettings;
}

/**
 * The whole manifest pipeline from file texts: parse, read tpctl.yaml, interpolate, apply the
 * chosen environment's overrides, validate. Issues come back sorted by file, line and column.
 */
export function assembleManifests(input: {
  readonly files: readonly ManifestFile[];
  readonly projectFile?: ManifestFile;
  /** Where tpctl.yaml would be, for an `--env` given without one. */
  readonly projectFileName?: string;
  readonly env?: string;
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly schemas: SchemaSet;
  readonly assigned?: readonly AssignedVariable[];
}): AssembledManifests {
  const issues: ManifestIssue[] = [];
  let project = defaultProjectSettings();
  const projectInput = {
    environment: input.environment,
    schemas: input.schemas,
    ...(input.env !== undefined ? { env: input.env } : {}),
    ...(input.assigned ? { assigned: input.assigned } : {}),
  };
  if (input.projectFile) {
    const read = parseProjectText(input.projectFile.text, input.projectFile.file, projectInput);
    project = read.project;
    issues.push(...read.issues);
  } else if (input.env !== undefined) {
    issues.push({
      file: input.projectFileName ?? "tpctl.yaml",
      line: 1,
      column: 1,
      message: `--env ${input.env} needs a tpctl.yaml declaring environments, and there is none at the root of the manifest folder`,
    });
  }
  if (!input.projectFile) {
    for (const assignment of input.assigned ?? []) {
      issues.push({
        file: assignment.from === "--var" ? "command line" : assignment.from,
        line: 1,
        column: 1,
        message: `${assignment.from === "--var" ? `--var ${assignment.name}` : `variable "${assignment.name}" of ${assignment.from}`}: there is no tpctl.yaml at the root of the manifest folder to declare it`,
      });
    }
  }

  const resolved: ResolvedDocument[] = [];
  // One context for every document: building it per document was a measurable share of a large workspace.
  const context = { variables: project.variables, env: input.environment, ...credentialsOf(project.settings, input.environment) };
  for (const file of input.files) {
    const parsed = parseManifestFast(file.text, file.file, input.schemas.parseFullYaml);
    issues.push(...parsed.issues);
    for (const document of parsed.documents) {
      const result = resolveDocument(document, context);
      issues.push(...result.issues);
      resolved.push(result.document);
    }
  }
  const overridden = applyOverrides(resolved, project.overrides);
  issues.push(...overridden.issues);
  const validated = validateDocuments(overridden.documents, input.schemas);
  issues.push(...validated.issues);

  return {
    resources: validated.resources,
    issues: byPosition(issues),
    project: project.project,
    settings: project.settings,
  };
}

/** tpctl's own credential variables and their values: manifests may not read them, and a value equal to one is secret. */
function credentialsOf(
  settings: ConnectionSettings,
  environment: Readonly<Record<string, string | undefined>>,
): { credentialVariables: string[]; credentialValues: string[] } {
  const credentialVariables = [
    ...CREDENTIAL_VARIABLES,
    ...[settings.passwordEnv, settings.apiKeyEnv].filter((name): name is string => typeof name === "string"),
  ];
  const credentialValues = credentialVariables
    .map((name) => (Object.hasOwn(environment, name) ? environment[name] : undefined))
    .filter((value): value is string => typeof value === "string" && value.length >= 4);
  return { credentialVariables, credentialValues };
}
