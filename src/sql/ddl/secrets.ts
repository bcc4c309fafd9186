import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import { tokenizeSql } from "../tokenize.js";
import { quoteString } from "./quote.js";

export const MASK = "***";

/**
 * The planner's rule for credential names (model/secrets.ts `isSecretName`), repeated here because
 * sql/ may not import plan/; a test keeps the two equal. A name the diff compares but the reading
 * leaves out would differ on every plan.
 */
const SECRET_NAME =
  /(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|sasl|client[_-]?key|key_value|authorization)/i;

export function isSecretSettingName(name: string): boolean {
  return (
    SECRET_NAME.test(name) ||
    name
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .some((word) => word.endsWith("key"))
  );
}

/**
 * The secret strings of a spec: those its JSON pointers name, and, whatever the manifest marked,
 * the values of credential settings of external streams and tables and a remote UDF's key.
 */
export function secretValuesOfResource(kind: string, spec: JsonObject, secretPaths: readonly string[]): string[] {
  const extra: string[] = [];
  const settings = spec["settings"];
  if ((kind === "external_stream" || kind === "external_table") && Array.isArray(settings)) {
    (settings as readonly JsonValue[]).forEach((setting, index) => {
      if (isJsonObject(setting) && typeof setting["key"] === "string" && isSecretSettingName(setting["key"]))
        extra.push(`/settings/${index}/value`);
    });
  }
  if (kind === "udf" && isJsonObject(spec["auth_context"])) extra.push("/auth_context/key_value");
  if (kind === "named_collection" && Array.isArray(settings)) {
    (settings as readonly JsonValue[]).forEach((_setting, index) => extra.push(`/settings/${index}/value`));
  }
  // A dictionary's SOURCE carries its credentials (`PASSWORD 'p'`) in plain text.
  const source = spec["source"];
  if (kind === "dictionary" && isJsonObject(source)) {
    for (const key of Object.keys(source)) if (isSecretSettingName(key)) extra.push(`/source/${key}`);
  }
  return secretValues(spec, [...secretPaths, ...extra]);
}

/**
 * The secret strings of a spec, found by the JSON pointers the manifest loader recorded
 * (`${secret:…}` values and secret fields). A pointer that names an object or array takes every
 * string under it.
 */
export function secretValues(spec: JsonObject, secretPaths: readonly string[]): string[] {
  const values = new Set<string>();
  for (const pointer of secretPaths) {
    collectStrings(resolvePointer(spec, pointer), values);
  }
  values.delete("");
  // Longest first, so that a secret containing another is masked whole.
  return [...values].sort((a, b) => b.length - a.length);
}

function resolvePointer(root: JsonValue, pointer: string): JsonValue | undefined {
  if (pointer === "") return root;
  let current: JsonValue | undefined = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) current = (current as readonly JsonValue[])[Number(key)];
    else if (isJsonObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function collectStrings(value: JsonValue | undefined, into: Set<string>): void {
  if (typeof value === "string") into.add(value);
  else if (Array.isArray(value)) for (const item of value as readonly JsonValue[]) collectStrings(item, into);
  else if (isJsonObject(value)) for (const item of Object.values(value)) collectStrings(item, into);
}

/**
 * `text` with every secret replaced by `***`: for the JSON plan's `statements`, and for error
 * messages, where the engine may echo the statement in its own formatting. A string literal that
 * holds a secret is replaced whole (`'***'`), so no part of it (nor its length) shows; then any
 * remaining occurrence, raw or in its escaped literal form, is replaced as text, which also
 * covers text that is not SQL at all.
 *
 * @example maskSecrets("... password = 'hunter2'", ["hunter2"]) // "... password = '***'"
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  const wanted = [...new Set(secrets.filter((secret) => secret !== ""))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return text;
  let masked = text;
  try {
    masked = tokenizeSql(text)
      .map((token) => (token.type === "string" && wanted.some((secret) => token.value.includes(secret)) ? `'${MASK}'` : token.text))
      .join("");
  } catch {
    // Not SQL (an unterminated literal in an error message): the textual pass below still applies.
  }
  for (const secret of wanted) {
    masked = masked.split(secret).join(MASK);
    const escaped = quoteString(secret).slice(1, -1);
    if (escaped !== secret) masked = masked.split(escaped).join(MASK);
  }
  return masked;
}
