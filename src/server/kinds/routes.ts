import type { JsonObject, JsonValue } from "../../model/index.js";
import type { Catalog, Transaction } from "../catalog.js";
import { idNotFound, invalidRequest, notFound } from "../errors.js";
import { assertNoDependents, byName, byNameThenId, creationAudit, sameContent, updateAudit } from "./common.js";
import type { Route, RouteContext } from "./kind.js";

/**
 * Where the objects of one kind live and how a path addresses one of them: by a server-made `id`
 * (sinks, sources, alerts, dashboards, saved queries, whose names need not be unique) or by `name`
 * (streams, views, external streams and tables, UDFs, schemas).
 */
export interface Collection {
  readonly kind: string;
  readonly label: string;
  /** e.g. "/sinks" */
  readonly path: string;
  readonly key: "id" | "name";
  render(record: JsonObject): JsonObject;
  /** The 404 for a key that names nothing. */
  missing(key: string): Error;
  /** Refuses a drop the engine refuses while something depends on the object (630). */
  assertDroppable?(catalog: Catalog, key: string): void;
}

/** An id-addressed kind: the appserver's 404 `… with id '…' not found` (docs/timeplus-api.md §3.4-§3.7, §3.11). */
export function idCollection(spec: Pick<Collection, "kind" | "label" | "path" | "render">): Collection {
  return { ...spec, key: "id", missing: (id) => idNotFound(spec.label, id) };
}

/**
 * A name-addressed kind: the engine's 404, UNKNOWN_STREAM (60) unless `missing` says otherwise, and
 * by default the relations' drop rule: not while anything reads or writes into it (630).
 */
export function nameCollection(
  spec: Pick<Collection, "kind" | "label" | "path" | "render"> & Partial<Pick<Collection, "missing" | "assertDroppable">>,
): Collection {
  return {
    missing: (name) => notFound(spec.label, name),
    assertDroppable: (catalog, name) => assertNoDependents(catalog, spec.label, name),
    ...spec,
    key: "name",
  };
}

/** The key of the object a request's path names. */
export function keyOf(collection: Collection, context: RouteContext): string {
  return context.params[collection.key] ?? "";
}

/** The stored record `key` names, or the collection's 404. */
export function requireRecord(catalog: Catalog, collection: Collection, key: string): JsonObject {
  const record = catalog.get(collection.kind, key);
  if (!record) throw collection.missing(key);
  return record;
}

/** Removes the object `key` names: 404 if there is none, 630 if something depends on it. */
export function dropRecord(tx: Transaction, collection: Collection, key: string): void {
  requireRecord(tx, collection, key);
  collection.assertDroppable?.(tx, key);
  tx.remove(collection.kind, key);
}

const DATABASE_SCOPED: ReadonlySet<string> = new Set(["stream", "view", "materialized_view", "external_stream", "external_table"]);

/**
 * The REST API of 2024 knows only database default: an object SQL made in another database (kept
 * under the catalog key `db.name`, server/sql/format.ts) is not listed over REST.
 */
export function inDefaultDatabase(kind: string, record: JsonObject): boolean {
  return !DATABASE_SCOPED.has(kind) || !String(record["name"] ?? "").includes(".");
}

/** GET {path}: every object, by name (then by id, for id-addressed kinds). */
export function listRoute(collection: Collection): Route {
  const order = collection.key === "id" ? byNameThenId : byName;
  return {
    method: "GET",
    path: collection.path,
    handle: (context) => ({
      status: 200,
      body: context
        .read()
        .list(collection.kind)
        .filter((record) => inDefaultDatabase(collection.kind, record))
        .sort(order)
        .map((record) => collection.render(record)),
    }),
  };
}

/** GET {path}/:key */
export function getRoute(collection: Collection): Route {
  return {
    method: "GET",
    path: itemPath(collection),
    handle: (context) => ({ status: 200, body: collection.render(requireRecord(context.read(), collection, keyOf(collection, context))) }),
  };
}

/** DELETE {path}/:key: 204, unless the object is missing (404) or something depends on it (630). */
export function deleteRoute(collection: Collection): Route {
  return {
    method: "DELETE",
    path: itemPath(collection),
    async handle(context) {
      const key = keyOf(collection, context);
      await context.write((tx) => dropRecord(tx, collection, key));
      return { status: 204 };
    },
  };
}

/** GET {path}, GET {path}/:id and DELETE {path}/:id (204) of an id-addressed kind. */
export function idRoutes(collection: Collection): Route[] {
  return [listRoute(collection), getRoute(collection), deleteRoute(collection)];
}

/**
 * The routes of a name-addressed kind in the order the engine lists them (the order shows in a 405's
 * `Allow`): GET {path}, POST {path}, GET {path}/:name, the update route if any, DELETE {path}/:name.
 */
export function nameRoutes(collection: Collection, create: Route, update?: Route): Route[] {
  return [listRoute(collection), create, getRoute(collection), ...(update ? [update] : []), deleteRoute(collection)];
}

/** What a create body becomes: the stored fields (without key and audit) and a check against the workspace. */
export interface Creation {
  readonly fields: JsonObject;
  /** Throws to refuse, e.g. a name already taken (57) or a query reading what does not exist (60). */
  check?(tx: Transaction): void;
}

/**
 * POST {path}: `read` checks the body; the record is stored under a fresh id (taken only once the
 * body is valid) or under its `name`, with the creation audit. 201 with the record as GET shows it.
 */
export function createRoute(collection: Collection, read: (context: RouteContext) => Creation): Route {
  return {
    method: "POST",
    path: collection.path,
    async handle(context) {
      const creation = read(context);
      const record: JsonObject =
        collection.key === "id"
          ? { id: context.newId(), ...creation.fields, ...creationAudit(context) }
          : { ...creation.fields, ...creationAudit(context) };
      await context.write((tx) => {
        creation.check?.(tx);
        tx.put(collection.kind, String(record[collection.key]), record);
      });
      return { status: 201, body: collection.render(record) };
    },
  };
}

/**
 * PUT {path}/:key with a whole body (sinks, alerts, dashboards, saved queries, UDFs, schemas): `read`
 * checks the body, and what it returns turns the current record into the next one (throwing to
 * refuse). 200 with the result; a PUT that changes nothing leaves `last_updated_*` alone.
 */
export function replaceRoute(
  collection: Collection,
  read: (body: unknown, key: string) => (current: JsonObject, context: RouteContext, tx: Transaction) => JsonObject,
): Route {
  return {
    method: "PUT",
    path: itemPath(collection),
    async handle(context) {
      const key = keyOf(collection, context);
      const build = read(context.body, key);
      const next = await context.write((tx) => {
        const current = requireRecord(tx, collection, key);
        const record = build(current, context, tx);
        if (sameContent(current, record)) return current;
        tx.put(collection.kind, key, record);
        return record;
      });
      return { status: 200, body: collection.render(next) };
    },
  };
}

/** The fields a partial update sets, and a check of the current record against the workspace. */
export interface Changes {
  readonly changes: Readonly<Record<string, JsonValue>>;
  /** Throws to refuse, e.g. a source that is still running. */
  check?(current: JsonObject, tx: Transaction): void;
}

/**
 * PATCH (or PUT) {path}/:key where only the fields given change: 200 with the result. A body that
 * names no field leaves the record, `last_updated_*` included, alone.
 */
export function updateRoute(collection: Collection, method: "PATCH" | "PUT", read: (body: unknown) => Changes): Route {
  return {
    method,
    path: itemPath(collection),
    async handle(context) {
      const key = keyOf(collection, context);
      const parsed = read(context.body);
      const { changes } = parsed;
      const check = parsed.check?.bind(parsed);
      const next = await context.write((tx) => {
        const current = requireRecord(tx, collection, key);
        check?.(current, tx);
        if (Object.keys(changes).length === 0) return current;
        const updated: JsonObject = { ...current, ...changes, ...updateAudit(context) };
        tx.put(collection.kind, key, updated);
        return updated;
      });
      return { status: 200, body: collection.render(next) };
    },
  };
}

/**
 * POST {path}/:id/{action} (start, stop, resolve): 204, and idempotent, since "if the alert is
 * already running, the API does nothing and returns 204" (docs/timeplus-api.md §2). `change` returns the next
 * record, or undefined when there is nothing to change.
 */
export function actionRoute(
  collection: Collection,
  action: string,
  change: (record: JsonObject, context: RouteContext) => JsonObject | undefined,
  options: { readonly syncParameter?: boolean } = {},
): Route {
  return {
    method: "POST",
    path: `${itemPath(collection)}/${action}`,
    bodyless: true,
    async handle(context) {
      if (options.syncParameter) readSync(context);
      const key = keyOf(collection, context);
      await context.write((tx) => {
        const next = change(requireRecord(tx, collection, key), context);
        if (next) tx.put(collection.kind, key, next);
      });
      return { status: 204 };
    },
  };
}

/** `?sync=true|false` of sink start/stop (default true); anything else is a bad request. */
function readSync(context: RouteContext): boolean {
  const value = context.query.get("sync");
  if (value === null || value === "true") return true;
  if (value === "false") return false;
  throw invalidRequest(`invalid query parameter sync="${value}": expected true or false`);
}

/** `status` of a running pipeline, with unchanged records left alone so that repeats are no-ops. */
export function withStatus(record: JsonObject, status: "running" | "stopped", extra: JsonObject = {}): JsonObject | undefined {
  if (record["status"] === status) return undefined;
  return { ...record, status, ...extra };
}

/** A whole-body PUT to /{kind}/{name} must not name another object (400). */
export function assertSameName(bodyName: string, pathName: string): void {
  if (bodyName !== pathName) throw invalidRequest(`invalid request body: name "${bodyName}" does not match the path's "${pathName}"`);
}

function itemPath(collection: Collection): string {
  return `${collection.path}/:${collection.key}`;
}
