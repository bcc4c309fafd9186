import type { JsonObject, JsonValue, Kind } from "../model/index.js";
import { isJsonObject, isJsonArray } from "../model/index.js";
import { escapePointer } from "../model/index.js";
import { knownSecretPaths } from "../kinds/index.js";

/**
 * Pointers of values that are secret by nature, even when written literally: `writeOnly` fields of
 * the schema, and what the kind's module names secret (credential properties and settings, a Slack
 * webhook URL; the API does not return them on read, docs/timeplus-api.md §4).
 */
export function secretFieldPaths(kind: Kind, spec: JsonObject, schema: JsonObject): string[] {
  const paths: string[] = [];
  if (holdsWriteOnly(schema)) walkWriteOnly(spec, schema, schema, "", paths);
  return [...paths, ...knownSecretPaths(kind, spec)];
}

// Most kinds' schemas have no writeOnly field at all; walking every manifest against them finds nothing.
const writeOnlyIn = new WeakMap<JsonObject, boolean>();

function holdsWriteOnly(schema: JsonObject): boolean {
  let known = writeOnlyIn.get(schema);
  if (known === undefined) {
    known = mentionsWriteOnly(schema);
    writeOnlyIn.set(schema, known);
  }
  return known;
}

function mentionsWriteOnly(value: JsonValue): boolean {
  if (isJsonArray(value)) return value.some(mentionsWriteOnly);
  if (!isJsonObject(value)) return false;
  return Object.entries(value).some(([key, item]) => (key === "writeOnly" && item === true) || mentionsWriteOnly(item));
}

function walkWriteOnly(value: JsonValue, schema: JsonValue | undefined, root: JsonObject, pointer: string, into: string[]): void {
  const resolved = resolveRef(schema, root);
  if (!isJsonObject(resolved)) return;
  if (resolved["writeOnly"] === true) {
    into.push(pointer);
    return;
  }
  const properties = resolved["properties"];
  if (isJsonObject(value) && isJsonObject(properties)) {
    for (const [key, item] of Object.entries(value)) walkWriteOnly(item, properties[key], root, `${pointer}/${escapePointer(key)}`, into);
  } else if (isJsonArray(value)) {
    value.forEach((item: JsonValue, index: number) => walkWriteOnly(item, resolved["items"], root, `${pointer}/${index}`, into));
  }
}

function resolveRef(schema: JsonValue | undefined, root: JsonObject): JsonValue | undefined {
  if (!isJsonObject(schema) || typeof schema["$ref"] !== "string") return schema;
  const ref = schema["$ref"];
  if (!ref.startsWith("#/")) return schema;
  let current: JsonValue | undefined = root;
  for (const segment of ref.slice(2).split("/")) current = isJsonObject(current) ? current[segment] : undefined;
  return current;
}
