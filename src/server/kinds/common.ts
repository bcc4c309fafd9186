import type { JsonObject, JsonValue } from "../../model/index.js";
import type { Catalog, Located } from "../catalog.js";
import { ENGINE_CODES, engineError } from "../errors.js";
import { checkQuery, type ColumnLookup, functionsOf, relationsOf } from "../query.js";
import type { Fields } from "../validate.js";
import type { Actor, Links, RouteContext, TopologyNode, Use } from "./kind.js";
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

/** The engine refuses to drop an object others read or write into (630 HAVE_DEPENDENT_OBJECTS, docs/timeplus-api.md §7). */
export function assertNoDependents(catalog: Catalog, label: string, name: string): void {
  refuseDropWhileUsed(label, name, catalog.dependentsOf(name));
}

/**
 * The engine refuses to drop a UDF or schema that something uses. 630 like relations, rather than
 * 610 CANNOT_DROP_FUNCTION, so that clients handle every refused drop alike (docs/fidelity.md).
 */
export function assertUnused(catalog: Catalog, label: string, kind: string, name: string): void {
  refuseDropWhileUsed(label, name, catalog.usersOf(kind, name));
}

function refuseDropWhileUsed(label: string, name: string, dependents: readonly Located[]): void {
  if (dependents.length === 0) return;
  const names = dependents.map((dependent) => describe(dependent)).join(", ");
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

/** The UDFs that `queries` may call: every function called, since only names that are UDFs ever match. */
function udfUses(...queries: readonly string[]): Use[] {
  const names = new Set(queries.flatMap((query) => functionsOf(query)));
  return [...names].map((name) => ({ kind: "udf", name }));
}

/** A query may read only relations that exist: 60 UNKNOWN_STREAM, with 400 since the request is at fault. */
export function assertRelationsExist(catalog: Catalog, relations: readonly string[]): void {
  for (const relation of relations) {
    // A dictionary (kept by the SQL side as `sql_dictionary`, server/sql/objects.ts) is read with FROM too.
    if (!catalog.relation(relation) && !catalog.get("sql_dictionary", relation)) {
      throw engineError(ENGINE_CODES.UNKNOWN_STREAM, `stream '${relation}' doesn't exist`);
    }
  }
}

/**
 * A stored query (of a view, sink or alert) must parse (62) and read only relations that exist
 * (60); returns what it reads.
 */
export function assertQueryRuns(catalog: Catalog, query: string): readonly string[] {
  const { relations } = checkQuery(query);
  assertRelationsExist(catalog, relations);
  return relations;
}

/** A new view or MV: its query must parse (62), its name be free (57) and what it reads exist (60), checked in that order. */
export function assertNewView(catalog: Catalog, name: string, query: string): void {
  const { relations } = checkQuery(query);
  assertNameFree(catalog, name);
  assertRelationsExist(catalog, relations);
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

/** What an object whose SQL is `queries` reads (each relation once) and the UDFs it calls. */
export function queryLinks(...queries: readonly string[]): Links {
  return { reads: [...new Set(queries.flatMap((query) => relationsOf(query)))], writes: [], uses: udfUses(...queries) };
}

/** The topology node of an object: `id` is its node id, `properties` what the topology shows of it. */
export function topologyNode(kind: string, id: string, record: JsonObject, properties: JsonObject): TopologyNode {
  return { id, name: String(record["name"]), type: kind, db: DATABASE, properties, ownership: record["created_by"] ?? null };
}

/** The description, retention and TTL a stream or view PATCH gives, each only when present. */
export function retentionChanges(fields: Fields): Record<string, JsonValue> {
  const changes: Record<string, JsonValue> = {};
  const description = fields.string("description");
  if (description !== undefined) changes["description"] = description;
  for (const field of ["logstore_retention_bytes", "logstore_retention_ms"]) {
    const value = fields.integer(field);
    if (value !== undefined) changes[field] = value;
  }
  const ttl = fields.string("ttl_expression");
  if (ttl !== undefined) changes["ttl_expression"] = ttl;
  return changes;
}

/** The name, description and properties a sink or source update gives, each only when present. */
export function pipelineChanges(fields: Fields): Record<string, JsonValue> {
  const changes: Record<string, JsonValue> = {};
  if (fields.has("name")) changes["name"] = fields.name();
  const description = fields.string("description");
  if (description !== undefined) changes["description"] = description;
  const properties = fields.object("properties");
  if (properties !== undefined) changes["properties"] = properties;
  return changes;
}
