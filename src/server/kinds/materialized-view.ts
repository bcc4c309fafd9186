import type { JsonObject } from "../../model/index.js";
import type { Transaction } from "../catalog.js";
import { ENGINE_CODES, engineError, invalidRequest } from "../errors.js";
import { deriveColumns } from "../query.js";
import { Fields } from "../validate.js";
import {
  assertNewView,
  AUDIT_FIELDS,
  columnLookup,
  creationAudit,
  nodeId,
  pick,
  queryLinks,
  retentionChanges,
  topologyNode,
  updateAudit,
} from "./common.js";
import type { KindModule, RouteContext } from "./kind.js";
import { dropRecord, keyOf, nameCollection, nameRoutes, requireRecord } from "./routes.js";

const KIND = "materialized_view";
const LABEL = "materialized view";

/** CreateMaterializedViewRequest (docs/timeplus-api.md §3.3). */
const CREATE_FIELDS = [
  "name",
  "query",
  "description",
  "target_stream",
  "logstore_retention_bytes",
  "logstore_retention_ms",
  "ttl_expression",
];
/** The update schema of both /views/{name} and /materialized_views/{name} (seed spec). */
const PATCH_FIELDS = ["description", "logstore_retention_bytes", "logstore_retention_ms", "query", "ttl_expression"];
/** The TF provider notes the server returns retention -1 for MVs when it is not set (docs/timeplus-api.md §3.3, §4). */
const MV_DEFAULT_RETENTION = -1;

/** The MaterializedView response of the seed spec: no `materialized`, no `ttl`, no `id`. */
const MV_SHAPE = [
  "name",
  "description",
  "query",
  "target_stream",
  "columns",
  "logstore_retention_bytes",
  "logstore_retention_ms",
  "ttl_expression",
  "created_at",
  "created_by",
  "last_updated_at",
  "last_updated_by",
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
  assertNewView(tx, input.name, input.query);
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
  /**
   * Fields that cannot change but that a client sending the whole model includes (the Terraform
   * provider sends `name` and `materialized`, and an MV's `target_stream`): unchanged they are accepted.
   */
  readonly fixed: { readonly name?: string; readonly materialized?: boolean; readonly target_stream?: string };
}

/** The fields of a view/MV PATCH body, type-checked before the workspace is looked at. */
export function readViewPatch(body: unknown): ViewPatch {
  const fields = Fields.of(body, [...PATCH_FIELDS, "name", "materialized", "target_stream"]);
  const changes = retentionChanges(fields);
  const query = fields.string("query");
  const name = fields.string("name");
  const materialized = fields.boolean("materialized");
  const target = fields.string("target_stream");
  const fixed = {
    ...(name !== undefined && name !== "" ? { name } : {}),
    ...(materialized !== undefined ? { materialized } : {}),
    ...(target !== undefined ? { target_stream: target } : {}),
  };
  return query === undefined ? { changes, fixed } : { query, changes, fixed };
}

/**
 * The immutable fields of a view/MV PATCH must match the object: a rename is 400 (the path names
 * the object), turning a view into an MV or back is 400, a different target 48 like a query change.
 */
export function assertFixedUnchanged(patch: ViewPatch, current: JsonObject, materialized: boolean): void {
  const { name, materialized: flag, target_stream: target } = patch.fixed;
  if (name !== undefined && name !== current["name"]) {
    throw invalidRequest(
      `invalid request body: name "${name}" does not match the path's "${String(current["name"])}"; views cannot be renamed`,
    );
  }
  if (flag !== undefined && flag !== materialized) {
    throw invalidRequest(
      `invalid request body: '${String(current["name"])}' is ${materialized ? "a materialized view" : "a view"}; materialized cannot be changed to ${flag}`,
    );
  }
  if (target !== undefined && target !== (current["target_stream"] ?? "")) {
    if (!materialized) throw engineError(ENGINE_CODES.BAD_ARGUMENTS, "target_stream only applies to a materialized view");
    throw engineError(ENGINE_CODES.NOT_IMPLEMENTED, "Updating the target stream of a materialized view is not allowed");
  }
}

/**
 * PATCH of an MV through either endpoint: description, retention and TTL change; "Updating the query
 * of a materialized view is not allowed" (seed spec). Sending the stored query unchanged is accepted.
 */
export function patchMaterializedView(tx: Transaction, context: RouteContext, current: JsonObject, patch: ViewPatch): void {
  assertFixedUnchanged(patch, current, true);
  if (patch.query !== undefined && patch.query !== current["query"]) {
    throw engineError(ENGINE_CODES.NOT_IMPLEMENTED, "Updating the query of a materialized view is not allowed");
  }
  if (Object.keys(patch.changes).length === 0) return;
  tx.put(KIND, String(current["name"]), { ...current, ...patch.changes, ...updateAudit(context) });
}

export function renderMaterializedView(record: JsonObject): JsonObject {
  return pick(record, MV_SHAPE);
}

/**
 * A view or MV as GET /views shows it: the View shape, `materialized` telling them apart. A plain
 * view has no target and no storage of its own, so it reads back target "", retention -1 and TTL ""
 * (docs/fidelity.md); `id` is the name (2025-03+ responses carry one).
 */
export function renderAsView(record: JsonObject, materialized: boolean): JsonObject {
  const storage: JsonObject = materialized ? record : {};
  return {
    id: record["name"] ?? "",
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    query: record["query"] ?? "",
    materialized,
    target_stream: storage["target_stream"] ?? "",
    columns: record["columns"] ?? [],
    logstore_retention_bytes: storage["logstore_retention_bytes"] ?? MV_DEFAULT_RETENTION,
    logstore_retention_ms: storage["logstore_retention_ms"] ?? MV_DEFAULT_RETENTION,
    ttl: storage["ttl_expression"] ?? "",
    ttl_expression: storage["ttl_expression"] ?? "",
    ...pick(record, AUDIT_FIELDS),
  };
}

const COLLECTION = nameCollection({
  kind: KIND,
  label: LABEL,
  path: "/materialized_views",
  render: renderMaterializedView,
});

export function dropMaterializedView(tx: Transaction, name: string): void {
  dropRecord(tx, COLLECTION, name);
}

export const materializedViewModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: true,
  acceptsWrites: false,
  holdsDependencies: true,
  links: (record) => {
    const target = typeof record["target_stream"] === "string" ? record["target_stream"] : "";
    return { ...queryLinks(String(record["query"] ?? "")), writes: target === "" ? [] : [target] };
  },
  node: (record) =>
    topologyNode(KIND, nodeId(String(record["name"])), record, {
      description: record["description"] ?? "",
      query: record["query"] ?? "",
      target_stream: record["target_stream"] ?? "",
    }),
  routes: nameRoutes(
    COLLECTION,
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
      method: "PATCH",
      path: "/materialized_views/:name",
      async handle(context) {
        const name = keyOf(COLLECTION, context);
        const patch = readViewPatch(context.body);
        await context.write((tx) => patchMaterializedView(tx, context, requireRecord(tx, COLLECTION, name), patch));
        return { status: 204 };
      },
    },
  ),
};
