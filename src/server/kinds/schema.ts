import type { JsonObject } from "../../model/index.js";
import { ENGINE_CODES, engineError, invalidRequest, notFound } from "../errors.js";
import { Fields } from "../validate.js";
import { assertUnused, AUDIT_FIELDS, pick, topologyNode, updateAudit } from "./common.js";
import type { KindModule } from "./kind.js";
import { assertSameName, createRoute, nameCollection, nameRoutes, replaceRoute } from "./routes.js";

const KIND = "schema";
const LABEL = "schema";

/** CreateSchemaRequest; PUT takes the same body (docs/timeplus-api.md §3.12). */
const FIELDS = ["name", "type", "content"];
const TYPES = ["Protobuf"] as const;

/** The Schema response: `content` exactly as stored. */
function render(record: JsonObject): JsonObject {
  return { name: record["name"] ?? "", type: record["type"] ?? "", content: record["content"] ?? "", ...pick(record, AUDIT_FIELDS) };
}

function readBody(body: unknown): { name: string; type: string; content: string } {
  const fields = Fields.of(body, FIELDS);
  const name = fields.name();
  const type = fields.oneOf("type", TYPES);
  if (type === undefined) throw invalidRequest(`invalid request body: field "type" is required`);
  return { name, type, content: fields.requiredNonEmpty("content") };
}

const COLLECTION = nameCollection({
  kind: KIND,
  label: LABEL,
  path: "/schemas",
  render,
  missing: (name) => notFound(LABEL, name, ENGINE_CODES.RESOURCE_NOT_FOUND),
  assertDroppable: (catalog, name) => assertUnused(catalog, LABEL, KIND, name),
});

/**
 * Protobuf schemas: by name in their own namespace, whole-body PUT, not droppable while an external
 * stream's `format_schema` names them (630). In the topology only with `?extraResources=schema`.
 */
export const schemaModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  holdsDependencies: false,
  extraResource: "schema",
  links: () => ({ reads: [], writes: [] }),
  node: (record) => topologyNode(KIND, `schema:${String(record["name"])}`, record, { type: record["type"] ?? "" }),
  routes: nameRoutes(
    COLLECTION,
    createRoute(COLLECTION, (context) => {
      const body = readBody(context.body);
      return {
        fields: body,
        check(tx) {
          if (tx.get(KIND, body.name)) throw engineError(ENGINE_CODES.RESOURCE_ALREADY_EXISTS, `schema '${body.name}' exists`);
        },
      };
    }),
    replaceRoute(COLLECTION, (raw, name) => {
      const body = readBody(raw);
      assertSameName(body.name, name);
      return (current, context) => ({ ...current, ...body, ...updateAudit(context) });
    }),
  ),
};
