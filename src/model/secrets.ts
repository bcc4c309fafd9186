import type { JsonObject, JsonValue } from "./json.js";
import { isJsonObject, isJsonArray } from "./json.js";
import { escapePointer, pointerSegments, valueAt } from "./pointer.js";

/**
 * Property and setting names that hold credentials. The Timeplus API does not return these on
 * read (docs/timeplus-api.md §4, "Sensitive properties ... are not returned by GET"), so they are
 * never compared by value, never shown, and their drift is tracked by a fingerprint.
 *
 * The client's one rule: validation, the planner, the readers and export all ask isSecretName
 * (the kind modules say where secrets sit). The built-in server's rule of what it hides
 * (server/kinds/secrets.ts) is its own by design: the server shares nothing with the client, so
 * that a mistake here cannot hide itself by being made there too.
 */
const SECRET_NAME =
  /(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|sasl|client[_-]?key|key_value|authorization)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || endsAWordInKey(name);
}

/**
 * A word ending in "key" (`message_key`, `ssl_key`, `apiKey`): which keys a server hides is not
 * documented, and the built-in server, erring towards hiding, hides these (docs/fidelity.md). A key
 * the server hides but tpctl compared by value would differ on every plan and never converge.
 */
function endsAWordInKey(name: string): boolean {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => word.endsWith("key"));
}

/** A copy of `value` (rooted at `/field`) with the secret leaves removed. */
export function withoutSecrets(value: JsonValue, field: string, secretPaths: readonly string[]): JsonValue {
  // Most resources hold no secret: nothing to build the prefix for.
  if (secretPaths.length === 0) return value;
  const prefix = `/${escapePointer(field)}`;
  const inside = secretPaths.filter((path) => path.startsWith(`${prefix}/`)).map((path) => path.slice(prefix.length));
  if (inside.length === 0) return value;
  return strip(value, "", new Set(inside));
}

function strip(value: JsonValue, at: string, secrets: ReadonlySet<string>): JsonValue {
  if (isJsonArray(value)) {
    return value.map((item: JsonValue, index: number) => strip(item, `${at}/${index}`, secrets));
  }
  if (isJsonObject(value)) {
    const result: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      const path = `${at}/${escapePointer(key)}`;
      if (secrets.has(path)) continue;
      result[key] = strip(item, path, secrets);
    }
    return result;
  }
  return value;
}

/**
 * How a secret is named to a person: the path below its field, with a setting named by its key
 * (`properties.password`, `settings.sasl_password`, `auth_context.key_value`).
 */
export function secretLabel(spec: JsonObject, pointer: string): string {
  const segments = pointerSegments(pointer);
  if (segments[0] === "settings" && segments.length === 3 && segments[2] === "value") {
    const key = valueAt(spec, `/settings/${segments[1]}/key`);
    if (typeof key === "string") return `settings.${key}`;
  }
  return segments.join(".");
}

/**
 * Short fingerprints of a resource's secret values, one per secret in label order, kept in its
 * ownership marker so that a changed secret can be noticed (and named) without reading it back.
 * Deliberately short (16 bits each): enough to notice a change, too little to confirm a guessed
 * password offline.
 */
export function fingerprintSecrets(kind: string, spec: JsonObject, secretPaths: readonly string[]): string | undefined {
  if (secretPaths.length === 0) return undefined;
  return labelledFingerprints(kind, spec, secretPaths)
    .map(({ fingerprint }) => fingerprint)
    .join("");
}

/**
 * Labels of the secrets whose fingerprint differs from the one recorded live. When the set of
 * secrets itself changed, every secret counts as changed.
 */
export function changedSecrets(kind: string, spec: JsonObject, secretPaths: readonly string[], recorded: string | undefined): string[] {
  const wanted = labelledFingerprints(kind, spec, secretPaths);
  const live = recorded ?? "";
  if (live.length !== wanted.length * 4) return wanted.map(({ label }) => label);
  return wanted.filter(({ fingerprint }, index) => live.slice(index * 4, index * 4 + 4) !== fingerprint).map(({ label }) => label);
}

function labelledFingerprints(kind: string, spec: JsonObject, secretPaths: readonly string[]): { label: string; fingerprint: string }[] {
  return secretPaths
    .map((path) => ({ label: secretLabel(spec, path), value: JSON.stringify(valueAt(spec, path) ?? null) }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
    .map(({ label, value }) => ({ label, fingerprint: fnv16(`${kind}\n${label}=${value}`) }));
}

/** FNV-1a, 32 bits, folded to 16: pure, and stable across versions and platforms. */
function fnv16(material: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < material.length; index += 1) {
    hash ^= material.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return ((hash ^ (hash >>> 16)) & 0xffff).toString(16).padStart(4, "0");
}
