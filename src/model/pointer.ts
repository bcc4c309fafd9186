import type { JsonValue } from "./json.js";
import { isJsonArray, isJsonObject } from "./json.js";

/**
 * JSON pointers (RFC 6901), the one way tpctl names a value inside a resource: secret paths,
 * validation issues, masks and exported secrets all use them. `~` is written `~0`, `/` is `~1`.
 */
export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** "/properties/a~1b" as ["properties", "a/b"]; "" (the whole value) as []. */
export function pointerSegments(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map(unescapePointer);
}

/** ["columns", 1, "type"] as "/columns/1/type". */
export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${escapePointer(segment)}`).join("");
}

/** The value a pointer names, or undefined when there is none. */
export function valueAt(value: JsonValue | undefined, pointer: string): JsonValue | undefined {
  let current = value;
  for (const segment of pointerSegments(pointer)) {
    if (isJsonArray(current)) current = current[Number(segment)];
    else if (isJsonObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** A copy of `value` with the value at `pointer` set (or, with `undefined`, removed), creating objects on the way. */
export function setAt(value: JsonValue, pointer: string, replacement: JsonValue | undefined): JsonValue {
  const [head, ...rest] = pointerSegments(pointer);
  if (head === undefined) return replacement ?? null;
  const restPointer = pointerOf(rest);
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

/** "/properties/oauth2/client_secret" as "properties.oauth2.client_secret", a list index as "[2]": how a person reads a pointer. */
export function describePointer(pointer: string): string {
  return pointerSegments(pointer)
    .map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join("");
}
