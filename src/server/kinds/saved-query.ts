import type { JsonObject } from "../../model/index.js";
import { relationsOf } from "../query.js";
import { Fields } from "../validate.js";
import { type IdKind, idRoutes, putRoute } from "./by-id.js";
import { AUDIT_FIELDS, creationAudit, pick, updateAudit } from "./common.js";
import type { KindModule, Reply, RouteContext } from "./kind.js";
import { DATABASE } from "./kind.js";

const KIND = "saved_query";
const LABEL = "saved query";

/** CreateSavedQueryRequest; PUT takes the same body (reference §3.11). */
const FIELDS = ["name", "sql", "description", "tags"];

const SPEC: IdKind = { kind: KIND, label: LABEL, collection: "/savedqueries", render };

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

/** The SQL is stored as sent and not checked: saving a query does not run it (reference §7 [I]). */
function readBody(body: unknown): JsonObject {
  const fields = Fields.of(body, FIELDS);
  return {
    name: fields.requiredNonEmpty("name"),
    description: fields.string("description") ?? "",
    sql: fields.requiredNonEmpty("sql"),
    tags: fields.stringArray("tags") ?? [],
  };
}

async function create(context: RouteContext): Promise<Reply> {
  const record: JsonObject = { id: context.newId(), ...readBody(context.body), ...creationAudit(context) };
  await context.write((tx) => tx.put(KIND, String(record["id"]), record));
  return { status: 201, body: render(record) };
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
    ...idRoutes(SPEC),
    { method: "POST", path: "/savedqueries", handle: create },
    putRoute(SPEC, (raw) => {
      const body = readBody(raw);
      return (current, context) => ({ ...current, ...body, ...updateAudit(context) });
    }),
  ],
};
