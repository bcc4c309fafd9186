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
  // Loops rather than every/filter: the planner compares every field of every resource, and the
  // arrays and closures those made per comparison were most of its garbage.
  if (isJsonArray(a) && isJsonArray(b)) {
    if (a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!deepEqual(a[index], b[index])) return false;
    return true;
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    let defined = 0;
    for (const key of Object.keys(a)) {
      if (a[key] === undefined) continue;
      defined++;
      if (!deepEqual(a[key], b[key])) return false;
    }
    for (const key of Object.keys(b)) if (b[key] !== undefined) defined--;
    return defined === 0;
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
