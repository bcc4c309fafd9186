import type { JsonObject } from "../../model/index.js";
import type { Transaction } from "../catalog.js";
import { invalidRequest } from "../errors.js";
import { byNameThenId, requireById, sameContent } from "./common.js";
import type { Route, RouteContext } from "./kind.js";

/** Where an id-based kind lives: its stored kind, its label in messages, and its collection path. */
export interface IdKind {
  readonly kind: string;
  readonly label: string;
  /** e.g. "/sinks" */
  readonly collection: string;
  render(record: JsonObject): JsonObject;
}

/** GET {collection}, GET {collection}/:id and DELETE {collection}/:id (204) of an id-based kind. */
export function idRoutes(spec: IdKind): Route[] {
  return [
    {
      method: "GET",
      path: spec.collection,
      handle: (context) => ({ status: 200, body: context.read().list(spec.kind).sort(byNameThenId).map(spec.render) }),
    },
    {
      method: "GET",
      path: `${spec.collection}/:id`,
      handle: (context) => ({ status: 200, body: spec.render(requireById(context.read(), spec.kind, spec.label, idOf(context))) }),
    },
    {
      method: "DELETE",
      path: `${spec.collection}/:id`,
      async handle(context) {
        const id = idOf(context);
        await context.write((tx) => {
          requireById(tx, spec.kind, spec.label, id);
          tx.remove(spec.kind, id);
        });
        return { status: 204 };
      },
    },
  ];
}

/**
 * PUT {collection}/:id with a whole body (sinks, alerts, dashboards, saved queries): `read` checks
 * the body, and what it returns turns the current record into the next one (throwing to refuse).
 * 200 with the result; a PUT that changes nothing leaves `last_updated_*` alone.
 */
export function putRoute(
  spec: IdKind,
  read: (body: unknown) => (current: JsonObject, context: RouteContext, tx: Transaction) => JsonObject,
): Route {
  return {
    method: "PUT",
    path: `${spec.collection}/:id`,
    async handle(context) {
      const id = idOf(context);
      const build = read(context.body);
      const next = await context.write((tx) => {
        const current = requireById(tx, spec.kind, spec.label, id);
        const record = build(current, context, tx);
        if (sameContent(current, record)) return current;
        tx.put(spec.kind, id, record);
        return record;
      });
      return { status: 200, body: spec.render(next) };
    },
  };
}

/**
 * POST {collection}/:id/{action} (start, stop, resolve): 204, and idempotent, since "if the alert
 * is already running, the API does nothing and returns 204" (reference §2). `change` returns the
 * next record, or undefined when there is nothing to change.
 */
export function actionRoute(
  spec: IdKind,
  action: string,
  change: (record: JsonObject, context: RouteContext) => JsonObject | undefined,
  options: { readonly syncParameter?: boolean } = {},
): Route {
  return {
    method: "POST",
    path: `${spec.collection}/:id/${action}`,
    bodyless: true,
    async handle(context) {
      if (options.syncParameter) readSync(context);
      const id = idOf(context);
      await context.write((tx) => {
        const next = change(requireById(tx, spec.kind, spec.label, id), context);
        if (next) tx.put(spec.kind, id, next);
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

export function idOf(context: RouteContext): string {
  return context.params["id"] ?? "";
}
