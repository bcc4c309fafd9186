/** JSON values as they travel between manifests, the API and plans. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `Array.isArray` for JSON: narrows to JSON values, where the built-in narrows to `any[]`. */
export function isJsonArray(value: unknown): value is readonly JsonValue[] {
  return Array.isArray(value);
}

/** Structural equality of JSON values; a key whose value is `undefined` counts as absent. */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (isJsonArray(a) && isJsonArray(b)) {
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
    return keysA.length === keysB.length && keysA.every((key) => deepEqual(a[key], b[key]));
  }
  return false;
}

/**
 * `value` frozen all the way down, so that no stage can change a resource after validation. It
 * freezes in place and returns `value` itself: the manifest pipeline hands over objects it built
 * for the resource, and copying each of them again was a sizeable share of reading a large
 * workspace. An already frozen object is still walked, since freezing is shallow.
 */
export function deepFreeze(value: JsonValue): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  if (isJsonArray(value)) {
    for (const item of value) deepFreeze(item);
  } else {
    for (const key of Object.keys(value)) deepFreeze(value[key] as JsonValue);
  }
  return Object.freeze(value);
}
