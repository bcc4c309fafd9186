/**
 * Which tpctl project created a live resource is recorded in the resource itself, the way
 * Kubernetes tools use a managed-by label: a marker at the end of its `description` (for schemas,
 * which have none, a comment line at the end of the Protobuf `content`). It is written in the same
 * API call that creates the resource, so no crash can leave a resource created but unrecorded, and
 * a fresh checkout in CI reads it back with the list calls it makes anyway. The marker is folded
 * away before any comparison, so users never see it as a difference.
 *
 * The marker also carries a short fingerprint of the resource's secret values: the API never
 * returns secrets, so this is the only way to notice that a secret changed (see model/secrets.ts).
 */
const MARKER = /(?:^|\s)\[tpctl:([A-Za-z0-9_.-]{1,64})(?: secrets=([0-9a-f]{1,256}))?\]$/;
const SCHEMA_MARKER = /\n?\/\/ \[tpctl:([A-Za-z0-9_.-]{1,64})(?: secrets=([0-9a-f]{1,256}))?\]\s*$/;

export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export interface OwnershipRecord {
  readonly owner?: string;
  readonly secretsFingerprint?: string;
}

function markerText(project: string, secretsFingerprint: string | undefined): string {
  return `[tpctl:${project}${secretsFingerprint ? ` secrets=${secretsFingerprint}` : ""}]`;
}

export function withOwnershipMarker(description: string, project: string, secretsFingerprint?: string): string {
  const marker = markerText(project, secretsFingerprint);
  return description === "" ? marker : `${description} ${marker}`;
}

/** Splits a live description into what the user wrote and the ownership record, if any. */
export function readOwnershipMarker(description: string): OwnershipRecord & { readonly description: string } {
  return split(description, MARKER, (text) => text.trimEnd(), "description");
}

/** For Protobuf schemas: the marker is a trailing `// [tpctl:…]` comment line of `content`. */
export function withSchemaOwnershipMarker(content: string, project: string): string {
  return `${content.replace(/\s+$/, "")}\n// ${markerText(project, undefined)}\n`;
}

export function readSchemaOwnershipMarker(content: string): OwnershipRecord & { readonly content: string } {
  return split(content, SCHEMA_MARKER, (text) => text, "content");
}

function split<K extends string>(
  text: string,
  pattern: RegExp,
  tidy: (rest: string) => string,
  key: K,
): OwnershipRecord & { readonly [P in K]: string } {
  const match = pattern.exec(text);
  if (!match || match[1] === undefined) return { [key]: text } as OwnershipRecord & { readonly [P in K]: string };
  return {
    [key]: tidy(text.slice(0, match.index)),
    owner: match[1],
    ...(match[2] !== undefined ? { secretsFingerprint: match[2] } : {}),
  } as OwnershipRecord & { readonly [P in K]: string };
}

/** The line a JavaScript UDF body ends with to carry its description (CREATE FUNCTION has no COMMENT). */
const FUNCTION_DESCRIPTION_PREFIX = "// tpctl description: ";

/**
 * A JavaScript function's body with its description and ownership marker as trailing `//` lines:
 * over SQL a function has no COMMENT, so the body is the one place that travels with it
 * (docs/sql-ddl.md, "Ownership"). JSON keeps the description on one line; `\/` keeps `*\/` and `//` out of it.
 */
export function withFunctionBodyMarkers(source: string, description: string, project?: string, secretsFingerprint?: string): string {
  let body = source.replace(/\s+$/, "");
  if (description !== "") body += `\n${FUNCTION_DESCRIPTION_PREFIX}${JSON.stringify(description).replace(/\//g, "\\/")}`;
  if (project !== undefined) body += `\n// ${markerText(project, secretsFingerprint)}`;
  return body;
}

/**
 * Splits a JavaScript function's body as `withFunctionBodyMarkers` wrote it into the source, the
 * description (undefined when the body carries none) and the ownership record. Whoever reads the
 * function (SHOW CREATE, system.functions, the REST API's `source`) sees the same body.
 */
export function readFunctionBodyMarkers(body: string): OwnershipRecord & { readonly source: string; readonly description?: string } {
  const marker = readSchemaOwnershipMarker(body);
  const lines = marker.content.split("\n");
  const last = lines.at(-1) ?? "";
  const record = {
    ...(marker.owner !== undefined ? { owner: marker.owner } : {}),
    ...(marker.secretsFingerprint !== undefined ? { secretsFingerprint: marker.secretsFingerprint } : {}),
  };
  if (last.startsWith(FUNCTION_DESCRIPTION_PREFIX)) {
    try {
      const parsed: unknown = JSON.parse(last.slice(FUNCTION_DESCRIPTION_PREFIX.length));
      if (typeof parsed === "string") return { ...record, source: lines.slice(0, -1).join("\n"), description: parsed };
    } catch {
      // Someone else's comment: it stays part of the source.
    }
  }
  return { ...record, source: marker.content };
}
