import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import { tokenizeSql } from "../tokenize.js";
import { quoteString } from "./quote.js";

export const MASK = "***";

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
      .map((token) =>
        token.type === "string" && wanted.some((secret) => token.value.includes(secret)) ? `'${MASK}'` : token.text,
      )
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
