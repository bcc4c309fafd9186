import type { JsonObject } from "../../model/index.js";
import { ENGINE_CODES, engineError, invalidRequest, notFound } from "../errors.js";
import { Fields } from "../validate.js";
import { assertUnused, AUDIT_FIELDS, byName, creationAudit, pick, updateAudit } from "./common.js";
import type { KindModule, Reply, RouteContext } from "./kind.js";
import { DATABASE } from "./kind.js";

const KIND = "schema";
const LABEL = "schema";

/** CreateSchemaRequest; PUT takes the same body (reference §3.12). */
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

function missing(name: string): Error {
  return notFound(LABEL, name, ENGINE_CODES.RESOURCE_NOT_FOUND);
}

async function create(context: RouteContext): Promise<Reply> {
  const body = readBody(context.body);
  const record: JsonObject = { ...body, ...creationAudit(context) };
  await context.write((tx) => {
    if (tx.get(KIND, body.name)) throw engineError(ENGINE_CODES.RESOURCE_ALREADY_EXISTS, `schema '${body.name}' exists`);
    tx.put(KIND, body.name, record);
  });
  return { status: 201, body: render(record) };
}

async function replace(context: RouteContext): Promise<Reply> {
  const name = context.params["name"] ?? "";
  const body = readBody(context.body);
  if (body.name !== name) throw invalidRequest(`invalid request body: name "${body.name}" does not match the path's "${name}"`);
  const next = await context.write((tx) => {
    const current = tx.get(KIND, name);
    if (!current) throw missing(name);
    if (current["type"] === body.type && current["content"] === body.content) return current;
    const updated: JsonObject = { ...current, ...body, ...updateAudit(context) };
    tx.put(KIND, name, updated);
    return updated;
  });
  return { status: 200, body: render(next) };
}

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
  node: (record) => ({
    id: `schema:${String(record["name"])}`,
    name: String(record["name"]),
    type: KIND,
    db: DATABASE,
    properties: { type: record["type"] ?? "" },
    ownership: record["created_by"] ?? null,
  }),
  routes: [
    { method: "GET", path: "/schemas", handle: (context) => ({ status: 200, body: context.read().list(KIND).sort(byName).map(render) }) },
    { method: "POST", path: "/schemas", handle: create },
    {
      method: "GET",
      path: "/schemas/:name",
      handle(context) {
        const name = context.params["name"] ?? "";
        const record = context.read().get(KIND, name);
        if (!record) throw missing(name);
        return { status: 200, body: render(record) };
      },
    },
    { method: "PUT", path: "/schemas/:name", handle: replace },
    {
      method: "DELETE",
      path: "/schemas/:name",
      async handle(context) {
        const name = context.params["name"] ?? "";
        await context.write((tx) => {
          if (!tx.get(KIND, name)) throw missing(name);
          assertUnused(tx, LABEL, KIND, name);
          tx.remove(KIND, name);
        });
        return { status: 204 };
      },
    },
  ],
};
