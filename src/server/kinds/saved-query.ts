import type { JsonObject } from "../../model/index.js";
import { relationsOf } from "../query.js";
import { Fields } from "../validate.js";
import { AUDIT_FIELDS, pick, updateAudit } from "./common.js";
import type { KindModule } from "./kind.js";
import { DATABASE } from "./kind.js";
import { createRoute, idCollection, idRoutes, replaceRoute } from "./routes.js";

const KIND = "saved_query";
const LABEL = "saved query";

/** CreateSavedQueryRequest; PUT takes the same body (docs/timeplus-api.md §3.11). */
const FIELDS = ["name", "sql", "description", "tags"];

const COLLECTION = idCollection({ kind: KIND, label: LABEL, path: "/savedqueries", render });

function render(record: JsonObject): JsonObject {
  return {
    id: record["id"] ?? "",
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    sql: record["sql"] ?? "",
    tags: record["tags"] ?? [],
    ...pick(record, AUDIT_FIELDS),
  };
}

/** The SQL is stored as sent and not checked: saving a query does not run it (docs/timeplus-api.md §7 [I]). */
function readBody(body: unknown): JsonObject {
  const fields = Fields.of(body, FIELDS);
  return {
    name: fields.requiredNonEmpty("name"),
    description: fields.string("description") ?? "",
    sql: fields.requiredNonEmpty("sql"),
    tags: fields.stringArray("tags") ?? [],
  };
}

/**
 * Saved queries: id-based, whole-body PUT. The reference lists no topology type for them; they show
 * up only when `?extraResources=saved_query` asks (an extension of this server).
 */
export const savedQueryModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  holdsDependencies: false,
  extraResource: "saved_query",
  links: (record) => ({ reads: relationsOf(String(record["sql"] ?? "")), writes: [] }),
  node: (record) => ({
    id: String(record["id"]),
    name: String(record["name"]),
    type: KIND,
    db: DATABASE,
    properties: { description: record["description"] ?? "", sql: record["sql"] ?? "" },
    ownership: record["created_by"] ?? null,
  }),
  routes: [
    ...idRoutes(COLLECTION),
    createRoute(COLLECTION, (context) => ({ fields: readBody(context.body) })),
    replaceRoute(COLLECTION, (raw) => {
      const body = readBody(raw);
      return (current, context) => ({ ...current, ...body, ...updateAudit(context) });
    }),
  ],
};
