import type { JsonObject, JsonValue } from "../../model/index.js";
import { ENGINE_CODES, engineError } from "../errors.js";
import { deriveColumns } from "../query.js";
import { Fields } from "../validate.js";
import {
  assertNewView,
  assertQueryRuns,
  byName,
  columnLookup,
  creationAudit,
  nodeId,
  queryLinks,
  topologyNode,
  updateAudit,
} from "./common.js";
import type { KindModule, Reply, RouteContext } from "./kind.js";
import {
  assertFixedUnchanged,
  dropMaterializedView,
  insertMaterializedView,
  patchMaterializedView,
  readMaterializedViewInput,
  readViewPatch,
  renderAsView,
} from "./materialized-view.js";
import { dropRecord, keyOf, nameCollection, requireRecord } from "./routes.js";

const KIND = "view";
const LABEL = "view";

/** CreateViewRequest (docs/timeplus-api.md §3.2). */
const CREATE_FIELDS = [
  "name",
  "query",
  "description",
  "materialized",
  "target_stream",
  "logstore_retention_bytes",
  "logstore_retention_ms",
  "ttl_expression",
];
/** Retention and TTL "apply only to MVs" (docs/timeplus-api.md §3.2). */
const MV_ONLY_FIELDS = ["logstore_retention_bytes", "logstore_retention_ms", "ttl_expression"];

const COLLECTION = nameCollection({
  kind: KIND,
  label: LABEL,
  path: "/views",
  render: (record) => renderAsView(record, false),
});

async function createView(context: RouteContext): Promise<Reply> {
  const fields = Fields.of(context.body, CREATE_FIELDS);
  if (fields.boolean("materialized") === true) {
    const input = readMaterializedViewInput(fields);
    const record = await context.write((tx) => insertMaterializedView(tx, context, input));
    return { status: 201, body: renderAsView(record, true) };
  }
  const name = fields.name();
  const query = fields.requiredString("query");
  const description = fields.string("description") ?? "";
  if ((fields.string("target_stream") ?? "") !== "") {
    throw engineError(ENGINE_CODES.BAD_ARGUMENTS, "target_stream is only applicable to a materialized view (materialized: true)");
  }
  refuseMaterializedOnlyFields(fields.present(MV_ONLY_FIELDS));
  const record = await context.write((tx) => {
    assertNewView(tx, name, query);
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
  return { status: 201, body: COLLECTION.render(record) };
}

/** PATCH /views/{name}: a plain view changes description and query; an MV follows the MV rules. */
async function patchView(context: RouteContext): Promise<Reply> {
  const name = keyOf(COLLECTION, context);
  const patch = readViewPatch(context.body);
  await context.write((tx) => {
    const mv = tx.get("materialized_view", name);
    if (mv) return patchMaterializedView(tx, context, mv, patch);
    const current = requireRecord(tx, COLLECTION, name);
    assertFixedUnchanged(patch, current, false);
    refuseMaterializedOnlyFields(Object.keys(patch.changes).filter((field) => MV_ONLY_FIELDS.includes(field)));
    const next: Record<string, JsonValue> = { ...current, ...patch.changes };
    const queryChanged = patch.query !== undefined && patch.query !== current["query"];
    if (patch.query !== undefined && queryChanged) {
      const relations = assertQueryRuns(tx, patch.query);
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
  links: (record) => queryLinks(String(record["query"] ?? "")),
  node: (record) =>
    topologyNode(KIND, nodeId(String(record["name"])), record, { description: record["description"] ?? "", query: record["query"] ?? "" }),
  routes: [
    {
      method: "GET",
      path: "/views",
      handle(context) {
        const catalog = context.read();
        // The real /views lists materialized views too, flagged `materialized: true` (docs/timeplus-api.md §2).
        const all = [
          ...catalog.list(KIND).map((record) => renderAsView(record, false)),
          ...catalog.list("materialized_view").map((record) => renderAsView(record, true)),
        ];
        return { status: 200, body: all.sort(byName) };
      },
    },
    { method: "POST", path: "/views", handle: createView },
    {
      method: "GET",
      path: "/views/:name",
      handle(context) {
        const name = keyOf(COLLECTION, context);
        const catalog = context.read();
        const mv = catalog.get("materialized_view", name);
        return { status: 200, body: renderAsView(mv ?? requireRecord(catalog, COLLECTION, name), mv !== undefined) };
      },
    },
    { method: "PATCH", path: "/views/:name", handle: patchView },
    {
      method: "DELETE",
      path: "/views/:name",
      async handle(context) {
        const name = keyOf(COLLECTION, context);
        await context.write((tx) =>
          tx.get("materialized_view", name) ? dropMaterializedView(tx, name) : dropRecord(tx, COLLECTION, name),
        );
        return { status: 204 };
      },
    },
  ],
};
