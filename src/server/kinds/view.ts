import type { JsonObject, JsonValue } from "../../model/index.js";
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
import type { KindModule, Reply, RouteContext } from "./kind.js";
import { DATABASE } from "./kind.js";
import {
  dropMaterializedView,
  insertMaterializedView,
  MV_DEFAULT_RETENTION,
  patchMaterializedView,
  readMaterializedViewInput,
  readViewPatch,
  renderMaterializedViewAsView,
} from "./materialized-view.js";

const KIND = "view";
const LABEL = "view";

/** CreateViewRequest (reference §3.2). */
const CREATE_FIELDS = [
  "name", "query", "description", "materialized", "target_stream", "logstore_retention_bytes", "logstore_retention_ms", "ttl_expression",
];
/** Retention and TTL "apply only to MVs" (reference §3.2). */
const MV_ONLY_FIELDS = ["logstore_retention_bytes", "logstore_retention_ms", "ttl_expression"];

/**
 * A plain view as the View response shows it. Retention reads back -1 and TTL "" because a plain
 * view has no storage of its own (docs/fidelity.md); `id` is the name (2025-03+ responses carry one).
 */
export function renderView(record: JsonObject): JsonObject {
  return {
    id: record["name"] ?? "",
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    query: record["query"] ?? "",
    materialized: false,
    target_stream: "",
    columns: record["columns"] ?? [],
    logstore_retention_bytes: MV_DEFAULT_RETENTION,
    logstore_retention_ms: MV_DEFAULT_RETENTION,
    ttl: "",
    ttl_expression: "",
    ...pick(record, ["created_at", "created_by", "last_updated_at", "last_updated_by"]),
  };
}

async function createView(context: RouteContext): Promise<Reply> {
  const fields = Fields.of(context.body, CREATE_FIELDS);
  if (fields.boolean("materialized") === true) {
    const input = readMaterializedViewInput(fields);
    const record = await context.write((tx) => insertMaterializedView(tx, context, input));
    return { status: 201, body: renderMaterializedViewAsView(record) };
  }
  const name = fields.name();
  const query = fields.requiredString("query");
  const description = fields.string("description") ?? "";
  if ((fields.string("target_stream") ?? "") !== "") {
    throw engineError(ENGINE_CODES.BAD_ARGUMENTS, "target_stream is only applicable to a materialized view (materialized: true)");
  }
  refuseMaterializedOnlyFields(fields.present(MV_ONLY_FIELDS));
  const record = await context.write((tx) => {
    const { relations } = checkQuery(query);
    assertNameFree(tx, name);
    assertRelationsExist(tx, relations);
    const created: JsonObject = {
      name,
      description,
      query,
      columns: deriveColumns(query, columnLookup(tx)),
      ...creationAudit(context),
    };
    tx.put(KIND, name, created);
    return created;
  });
  return { status: 201, body: renderView(record) };
}

/** PATCH /views/{name}: a plain view changes description and query; an MV follows the MV rules. */
async function patchView(context: RouteContext): Promise<Reply> {
  const name = context.params["name"] ?? "";
  const patch = readViewPatch(context.body);
  await context.write((tx) => {
    const mv = tx.get("materialized_view", name);
    if (mv) return patchMaterializedView(tx, context, mv, patch);
    const current = tx.get(KIND, name);
    if (!current) throw notFound(LABEL, name);
    refuseMaterializedOnlyFields(Object.keys(patch.changes).filter((field) => MV_ONLY_FIELDS.includes(field)));
    const next: Record<string, JsonValue> = { ...current, ...patch.changes };
    const queryChanged = patch.query !== undefined && patch.query !== current["query"];
    if (patch.query !== undefined && queryChanged) {
      const { relations } = checkQuery(patch.query);
      assertRelationsExist(tx, relations);
      if (tx.reaches(relations, name)) {
        throw engineError(ENGINE_CODES.BAD_ARGUMENTS, `view '${name}' would read itself through its query`);
      }
      next["query"] = patch.query;
      next["columns"] = deriveColumns(patch.query, columnLookup(tx));
    }
    if (!queryChanged && Object.keys(patch.changes).length === 0) return;
    tx.put(KIND, name, { ...next, ...updateAudit(context) });
  });
  return { status: 204 };
}

function refuseMaterializedOnlyFields(present: readonly string[]): void {
  if (present.length > 0) {
    throw engineError(ENGINE_CODES.BAD_ARGUMENTS, `${present.join(", ")} only apply to a materialized view`);
  }
}

export const viewModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: true,
  acceptsWrites: false,
  holdsDependencies: true,
  links: (record) => {
    const query = String(record["query"] ?? "");
    return { reads: relationsOf(query), writes: [], uses: udfUses(query) };
  },
  node: (record) => ({
    id: nodeId(String(record["name"])),
    name: String(record["name"]),
    type: KIND,
    db: DATABASE,
    properties: { description: record["description"] ?? "", query: record["query"] ?? "" },
    ownership: record["created_by"] ?? null,
  }),
  routes: [
    {
      method: "GET",
      path: "/views",
      handle(context) {
        const catalog = context.read();
        // The real /views lists materialized views too, flagged `materialized: true` (reference §2).
        const all = [
          ...catalog.list(KIND).map(renderView),
          ...catalog.list("materialized_view").map(renderMaterializedViewAsView),
        ];
        return { status: 200, body: all.sort(byName) };
      },
    },
    { method: "POST", path: "/views", handle: createView },
    {
      method: "GET",
      path: "/views/:name",
      handle(context) {
        const name = context.params["name"] ?? "";
        const catalog = context.read();
        const mv = catalog.get("materialized_view", name);
        if (mv) return { status: 200, body: renderMaterializedViewAsView(mv) };
        const record = catalog.get(KIND, name);
        if (!record) throw notFound(LABEL, name);
        return { status: 200, body: renderView(record) };
      },
    },
    { method: "PATCH", path: "/views/:name", handle: patchView },
    {
      method: "DELETE",
      path: "/views/:name",
      async handle(context) {
        const name = context.params["name"] ?? "";
        await context.write((tx) => {
          if (tx.get("materialized_view", name)) return dropMaterializedView(tx, name);
          if (!tx.get(KIND, name)) throw notFound(LABEL, name);
          assertNoDependents(tx, LABEL, name);
          tx.remove(KIND, name);
        });
        return { status: 204 };
      },
    },
  ],
};
