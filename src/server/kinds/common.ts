import type { JsonObject, JsonValue } from "../../model/index.js";
import type { Catalog, Located } from "../catalog.js";
import { ENGINE_CODES, engineError, idNotFound } from "../errors.js";
import { type ColumnLookup, functionsOf } from "../query.js";
import type { Actor, RouteContext, Use } from "./kind.js";
import { DATABASE } from "./kind.js";

/** The audit fields every object reads back with. */
export const AUDIT_FIELDS = ["created_at", "created_by", "last_updated_at", "last_updated_by"] as const;

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

/**
 * The engine refuses to drop a UDF or schema that something uses. 630 like relations, rather than
 * 610 CANNOT_DROP_FUNCTION, so that clients handle every refused drop alike (docs/fidelity.md).
 */
export function assertUnused(catalog: Catalog, label: string, kind: string, name: string): void {
  const users = catalog.usersOf(kind, name);
  if (users.length === 0) return;
  const names = users.map((user) => describe(user)).join(", ");
  throw engineError(
    ENGINE_CODES.HAVE_DEPENDENT_OBJECTS,
    `Cannot drop ${label} '${name}' because other objects depend on it: ${names}. Drop them first`,
  );
}

/** `view 'v'`, or `sink 's' (id …)` for id-based kinds, whose names need not be unique. */
function describe(located: Located): string {
  const name = `${located.module.label} '${String(located.record["name"])}'`;
  const id = located.record["id"];
  return typeof id === "string" && !located.module.relation ? `${name} (id ${id})` : name;
}

/** The record of an id-based kind, or the appserver's 404. */
export function requireById(catalog: Catalog, kind: string, label: string, id: string): JsonObject {
  const record = catalog.get(kind, id);
  if (!record) throw idNotFound(label, id);
  return record;
}

/** The UDFs that `queries` may call: every function called, since only names that are UDFs ever match. */
export function udfUses(...queries: readonly string[]): Use[] {
  const names = new Set(queries.flatMap((query) => functionsOf(query)));
  return [...names].map((name) => ({ kind: "udf", name }));
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

/** Lists of id-based kinds: by name, then by id, since names need not be unique. */
export function byNameThenId(a: JsonObject, b: JsonObject): number {
  const left = String(a["id"]);
  const right = String(b["id"]);
  return byName(a, b) || (left < right ? -1 : left > right ? 1 : 0);
}

/** Equal but for the audit fields (a whole-body PUT that changes nothing leaves `last_updated_*` alone). */
export function sameContent(a: JsonObject, b: JsonObject): boolean {
  const content = (record: JsonObject): string =>
    JSON.stringify(Object.entries(record).filter(([key]) => !(AUDIT_FIELDS as readonly string[]).includes(key)));
  return content(a) === content(b);
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
