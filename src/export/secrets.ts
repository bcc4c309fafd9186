import type { JsonObject, JsonValue, Kind, LiveResource } from "../model/index.js";
import { escapePointer, isJsonArray, isJsonObject, pointerSegments } from "../model/index.js";
import { KIND_MODULES, knownSecretPaths } from "../kinds/index.js";

// Which values of a live resource an export must not write into a file, and the environment
// variable each is read from instead.

/**
 * Secret fields by name (knownSecretPaths) that came back, plus the secrets the API hides but the
 * resource must have: a Slack webhook URL, a remote UDF's header key, an HTTP sink's OAuth2 client
 * (docs/timeplus-api.md §3.4, §3.8; server/kinds/secrets.ts hides them the same way). Secrets the API hides
 * that nothing implies (a Kafka password, say) cannot be known and are not exported.
 */
export function secretPointers(kind: Kind, spec: JsonObject): string[] {
  const pointers = new Set(knownSecretPaths(kind, spec));
  for (const pointer of KIND_MODULES[kind].export.hiddenSecrets?.(spec) ?? []) pointers.add(pointer);
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
export function envVarName(resource: LiveResource, pointer: string, spec: JsonObject): string {
  const segments = pointerSegments(pointer);
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

export function claimEnvVar(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let index = 2; taken.has(candidate); index += 1) candidate = `${name}_${index}`;
  taken.add(candidate);
  return candidate;
}
