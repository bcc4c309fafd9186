import type { JsonObject, JsonValue } from "../../model/index.js";
import type { Transaction } from "../catalog.js";
import { ENGINE_CODES, engineError, notFound } from "../errors.js";
import { checkQuery, deriveColumns, relationsOf } from "../query.js";
import { Fields } from "../validate.js";
import {
  assertNameFree,
  assertNoDependents,
  assertRelationsExist,
  byName,
  columnLookup,
  creationAudit,
  nodeId,
  pick,
  udfUses,
  updateAudit,
} from "./common.js";
import type { KindModule, RouteContext } from "./kind.js";
import { DATABASE } from "./kind.js";

const KIND = "materialized_view";
const LABEL = "materialized view";

/** CreateMaterializedViewRequest (reference §3.3). */
const CREATE_FIELDS = ["name", "query", "description", "target_stream", "logstore_retention_bytes", "logstore_retention_ms", "ttl_expression"];
/** The update schema of both /views/{name} and /materialized_views/{name} (seed spec). */
const PATCH_FIELDS = ["description", "logstore_retention_bytes", "logstore_retention_ms", "query", "ttl_expression"];
/** The TF provider notes the server returns retention -1 for MVs when it is not set (reference §3.3, §4). */
export const MV_DEFAULT_RETENTION = -1;

/** The MaterializedView response of the seed spec: no `materialized`, no `ttl`, no `id`. */
const MV_SHAPE = [
  "name", "description", "query", "target_stream", "columns", "logstore_retention_bytes", "logstore_retention_ms",
  "ttl_expression", "created_at", "created_by", "last_updated_at", "last_updated_by",
];

export interface MaterializedViewInput {
  readonly name: string;
  readonly query: string;
  readonly description: string;
  readonly targetStream: string;
  readonly retentionBytes: number;
  readonly retentionMs: number;
  readonly ttl: string;
}

/** The MV fields of a create body, for POST /materialized_views and POST /views with `materialized: true`. */
export function readMaterializedViewInput(fields: Fields): MaterializedViewInput {
  return {
    name: fields.name(),
    query: fields.requiredString("query"),
    description: fields.string("description") ?? "",
    targetStream: fields.string("target_stream") ?? "",
    retentionBytes: fields.integer("logstore_retention_bytes") ?? MV_DEFAULT_RETENTION,
    retentionMs: fields.integer("logstore_retention_ms") ?? MV_DEFAULT_RETENTION,
    ttl: fields.string("ttl_expression") ?? "",
  };
}

/**
 * Creates the MV in the workspace: the query must parse (62), the name be free (57), everything it
 * reads exist (60), and `target_stream`, when given, be an existing stream (60) it can write into.
 */
export function insertMaterializedView(tx: Transaction, context: RouteContext, input: MaterializedViewInput): JsonObject {
  const { relations } = checkQuery(input.query);
  assertNameFree(tx, input.name);
  assertRelationsExist(tx, relations);
  if (input.targetStream !== "") {
    const target = tx.relation(input.targetStream);
    if (!target) throw engineError(ENGINE_CODES.UNKNOWN_STREAM, `target stream '${input.targetStream}' doesn't exist`);
    if (!target.module.acceptsWrites) {
      throw engineError(
        ENGINE_CODES.BAD_ARGUMENTS,
        `target_stream '${input.targetStream}' is a ${target.module.label}; a materialized view can only write into a stream`,
      );
    }
  }
  const record: JsonObject = {
    name: input.name,
    description: input.description,
    query: input.query,
    target_stream: input.targetStream,
    columns: deriveColumns(input.query, columnLookup(tx)),
    logstore_retention_bytes: input.retentionBytes,
    logstore_retention_ms: input.retentionMs,
    ttl_expression: input.ttl,
    ...creationAudit(context),
  };
  tx.put(KIND, input.name, record);
  return record;
}

export interface ViewPatch {
  readonly query?: string;
  /** Fields to overwrite as they are, already type-checked. */
  readonly changes: JsonObject;
}

/** The fields of a view/MV PATCH body, type-checked before the workspace is looked at. */
export function readViewPatch(body: unknown): ViewPatch {
  const fields = Fields.of(body, PATCH_FIELDS);
  const changes: Record<string, JsonValue> = {};
  const description = fields.string("description");
  if (description !== undefined) changes["description"] = description;
  for (const field of ["logstore_retention_bytes", "logstore_retention_ms"]) {
    const value = fields.integer(field);
    if (value !== undefined) changes[field] = value;
  }
  const ttl = fields.string("ttl_expression");
  if (ttl !== undefined) changes["ttl_expression"] = ttl;
  const query = fields.string("query");
  return query === undefined ? { changes } : { query, changes };
}

/**
 * PATCH of an MV through either endpoint: description, retention and TTL change; "Updating the query
 * of a materialized view is not allowed" (seed spec). Sending the stored query unchanged is accepted.
 */
export function patchMaterializedView(tx: Transaction, context: RouteContext, current: JsonObject, patch: ViewPatch): void {
  if (patch.query !== undefined && patch.query !== current["query"]) {
    throw engineError(ENGINE_CODES.NOT_IMPLEMENTED, "Updating the query of a materialized view is not allowed");
  }
  if (Object.keys(patch.changes).length === 0) return;
  tx.put(KIND, String(current["name"]), { ...current, ...patch.changes, ...updateAudit(context) });
}

export function renderMaterializedView(record: JsonObject): JsonObject {
  return pick(record, MV_SHAPE);
}

/** An MV as GET /views shows it: the View shape with `materialized: true`. */
export function renderMaterializedViewAsView(record: JsonObject): JsonObject {
  return {
    id: record["name"] ?? "",
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    query: record["query"] ?? "",
    materialized: true,
    target_stream: record["target_stream"] ?? "",
    columns: record["columns"] ?? [],
    logstore_retention_bytes: record["logstore_retention_bytes"] ?? MV_DEFAULT_RETENTION,
    logstore_retention_ms: record["logstore_retention_ms"] ?? MV_DEFAULT_RETENTION,
    ttl: record["ttl_expression"] ?? "",
    ttl_expression: record["ttl_expression"] ?? "",
    ...pick(record, ["created_at", "created_by", "last_updated_at", "last_updated_by"]),
  };
}

export function dropMaterializedView(tx: Transaction, name: string): void {
  if (!tx.get(KIND, name)) throw notFound(LABEL, name);
  assertNoDependents(tx, LABEL, name);
  tx.remove(KIND, name);
}

export const materializedViewModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: true,
  acceptsWrites: false,
  holdsDependencies: true,
  links: (record) => {
    const target = typeof record["target_stream"] === "string" ? record["target_stream"] : "";
    const query = String(record["query"] ?? "");
    return { reads: relationsOf(query), writes: target === "" ? [] : [target], uses: udfUses(query) };
  },
  node: (record) => ({
    id: nodeId(String(record["name"])),
    name: String(record["name"]),
    type: KIND,
    db: DATABASE,
    properties: {
      description: record["description"] ?? "",
      query: record["query"] ?? "",
      target_stream: record["target_stream"] ?? "",
    },
    ownership: record["created_by"] ?? null,
  }),
  routes: [
    {
      method: "GET",
      path: "/materialized_views",
      handle: (context) => ({ status: 200, body: context.read().list(KIND).sort(byName).map(renderMaterializedView) }),
    },
    {
      method: "POST",
      path: "/materialized_views",
      async handle(context) {
        const input = readMaterializedViewInput(Fields.of(context.body, CREATE_FIELDS));
        const record = await context.write((tx) => insertMaterializedView(tx, context, input));
        return { status: 201, body: renderMaterializedView(record) };
      },
    },
    {
      method: "GET",
      path: "/materialized_views/:name",
      handle(context) {
        const name = context.params["name"] ?? "";
        const record = context.read().get(KIND, name);
        if (!record) throw notFound(LABEL, name);
        return { status: 200, body: renderMaterializedView(record) };
      },
    },
    {
      method: "PATCH",
      path: "/materialized_views/:name",
      async handle(context) {
        const name = context.params["name"] ?? "";
        const patch = readViewPatch(context.body);
        await context.write((tx) => {
          const current = tx.get(KIND, name);
          if (!current) throw notFound(LABEL, name);
          patchMaterializedView(tx, context, current, patch);
        });
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      path: "/materialized_views/:name",
      async handle(context) {
        await context.write((tx) => dropMaterializedView(tx, context.params["name"] ?? ""));
        return { status: 204 };
      },
    },
  ],
};
