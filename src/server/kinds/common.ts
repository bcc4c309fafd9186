import type { JsonObject, JsonValue } from "../../model/index.js";
import type { Catalog, Located } from "../catalog.js";
import { ENGINE_CODES, engineError } from "../errors.js";
import type { ColumnLookup } from "../query.js";
import type { Actor, RouteContext } from "./kind.js";
import { DATABASE } from "./kind.js";

/** Timestamps read back as "2023-02-01 23:22:59" (UTC), per the spec's examples. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

export function ownerOf(actor: Actor): JsonObject {
  return { id: actor.id, name: actor.name };
}

/** `created_*` and `last_updated_*` of a new object. */
export function creationAudit(context: RouteContext): JsonObject {
  const at = formatTimestamp(context.now);
  const by = ownerOf(context.actor);
  return { created_at: at, created_by: by, last_updated_at: at, last_updated_by: by };
}

export function updateAudit(context: RouteContext): JsonObject {
  return { last_updated_at: formatTimestamp(context.now), last_updated_by: ownerOf(context.actor) };
}

/** Streams, views and MVs share one engine namespace: any of them holding the name is a conflict (57). */
export function assertNameFree(catalog: Catalog, name: string): void {
  const existing = catalog.relation(name);
  if (existing) {
    throw engineError(ENGINE_CODES.STREAM_ALREADY_EXISTS, `${existing.module.label} '${name}' exists`);
  }
}

/** The engine refuses to drop an object others read or write into (630 HAVE_DEPENDENT_OBJECTS, reference §7). */
export function assertNoDependents(catalog: Catalog, label: string, name: string): void {
  const dependents = catalog.dependentsOf(name);
  if (dependents.length === 0) return;
  const names = dependents.map((dependent) => describe(dependent)).join(", ");
  throw engineError(
    ENGINE_CODES.HAVE_DEPENDENT_OBJECTS,
    `Cannot drop ${label} '${name}' because other objects depend on it: ${names}. Drop them first`,
  );
}

function describe(located: Located): string {
  return `${located.module.label} '${String(located.record["name"])}'`;
}

/** A query may read only relations that exist: 60 UNKNOWN_STREAM, with 400 since the request is at fault. */
export function assertRelationsExist(catalog: Catalog, relations: readonly string[]): void {
  for (const relation of relations) {
    if (!catalog.relation(relation)) {
      throw engineError(ENGINE_CODES.UNKNOWN_STREAM, `stream '${relation}' doesn't exist`);
    }
  }
}

/** Columns of the relation `name`, for deriving view columns from `SELECT *` and plain column references. */
export function columnLookup(catalog: Catalog): ColumnLookup {
  return (name) => {
    const columns = catalog.relation(name)?.record["columns"];
    return Array.isArray(columns) ? (columns as readonly JsonValue[]) : undefined;
  };
}

export function nodeId(name: string): string {
  return `${DATABASE}.${name}`;
}

export function byName(a: JsonObject, b: JsonObject): number {
  const left = String(a["name"]);
  const right = String(b["name"]);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Picks `fields` of a stored record in that order (the response shape of one endpoint). */
export function pick(record: JsonObject, fields: readonly string[]): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const field of fields) {
    const value = record[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}
