import type { JsonObject, JsonValue } from "../../model/index.js";
import type { Catalog } from "../catalog.js";
import { invalidRequest } from "../errors.js";
import { checkQuery, relationsOf } from "../query.js";
import { Fields } from "../validate.js";
import { actionRoute, type IdKind, idOf, idRoutes, putRoute, withStatus } from "./by-id.js";
import { assertRelationsExist, AUDIT_FIELDS, creationAudit, pick, requireById, udfUses, updateAudit } from "./common.js";
import type { KindModule, Reply, RouteContext } from "./kind.js";
import { DATABASE } from "./kind.js";
import { visibleProperties } from "./secrets.js";

const KIND = "sink";
const LABEL = "sink";

/** CreateSinkRequest (reference §3.4); PUT takes the same body. */
const CREATE_FIELDS = ["name", "query", "type", "description", "properties"];
/** PatchSinkRequest (2024-12-31+): "no query and no type in this body". */
const PATCH_FIELDS = ["name", "description", "properties"];
/** Every sink type of the spec's revisions (reference §3.4); alert actions are sink types too. */
export const SINK_TYPES = ["slack", "http", "redpanda_connect", "kafka", "redpanda", "confluent_cloud", "pulsar", "timeplus"] as const;

const SPEC: IdKind = { kind: KIND, label: LABEL, collection: "/sinks", render };

/** Properties of a pipeline as GET shows them: no credentials, and no Slack webhook URL (it holds a token). */
export function pipelineProperties(properties: JsonValue | undefined, type: JsonValue | undefined): JsonObject {
  return visibleProperties(properties, type === "slack" ? ["url"] : []);
}

/** The Sink response; `plan` (the SQL analysis) is left out. */
function render(record: JsonObject): JsonObject {
  return {
    id: record["id"] ?? "",
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    type: record["type"] ?? "",
    query: record["query"] ?? "",
    properties: pipelineProperties(record["properties"], record["type"]),
    status: record["status"] ?? "running",
    message: record["message"] ?? "",
    ...pick(record, AUDIT_FIELDS),
  };
}

/** A pipeline query must parse (62) and read only relations that exist (60), as for views. */
export function assertPipelineQuery(catalog: Catalog, query: string): void {
  assertRelationsExist(catalog, checkQuery(query).relations);
}

interface SinkBody {
  readonly name: string;
  readonly query: string;
  readonly type: string;
  readonly description: string;
  readonly properties: JsonObject;
}

function readBody(body: unknown): SinkBody {
  const fields = Fields.of(body, CREATE_FIELDS);
  const name = fields.name();
  const query = fields.requiredNonEmpty("query");
  const type = fields.oneOf("type", SINK_TYPES);
  if (type === undefined) throw invalidRequest(`invalid request body: field "type" is required`);
  return { name, query, type, description: fields.string("description") ?? "", properties: fields.object("properties") ?? {} };
}

async function create(context: RouteContext): Promise<Reply> {
  const body = readBody(context.body);
  const record: JsonObject = {
    id: context.newId(),
    ...body,
    // Sinks start running on creation [I] (reference §7).
    status: "running",
    message: "",
    ...creationAudit(context),
  };
  await context.write((tx) => {
    assertPipelineQuery(tx, body.query);
    tx.put(KIND, String(record["id"]), record);
  });
  return { status: 201, body: render(record) };
}

async function patch(context: RouteContext): Promise<Reply> {
  const fields = Fields.of(context.body, PATCH_FIELDS, { known: ["query", "type"] });
  const fixed = fields.present(["query", "type"]);
  if (fixed.length > 0) {
    throw invalidRequest(
      `invalid request body: PATCH cannot change the ${fixed.join(" or ")} of a sink; only name, description and properties can be patched`,
    );
  }
  const changes: Record<string, JsonValue> = {};
  if (fields.has("name")) changes["name"] = fields.name();
  const description = fields.string("description");
  if (description !== undefined) changes["description"] = description;
  const properties = fields.object("properties");
  if (properties !== undefined) changes["properties"] = properties;
  const id = idOf(context);
  const next = await context.write((tx) => {
    const current = requireById(tx, KIND, LABEL, id);
    if (Object.keys(changes).length === 0) return current;
    const updated: JsonObject = { ...current, ...changes, ...updateAudit(context) };
    tx.put(KIND, id, updated);
    return updated;
  });
  return { status: 200, body: render(next) };
}

/**
 * Sinks: id-based, backed by an MV that reads their query's relations, so those cannot be dropped
 * under them (630, reference §7 [I]). PATCH changes name, description and properties; the
 * deprecated PUT also changes the query, but never the type.
 */
export const sinkModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  holdsDependencies: true,
  links: (record) => {
    const query = String(record["query"] ?? "");
    return { reads: relationsOf(query), writes: [], uses: udfUses(query) };
  },
  node: (record) => ({
    id: String(record["id"]),
    name: String(record["name"]),
    type: KIND,
    db: DATABASE,
    properties: {
      description: record["description"] ?? "",
      type: record["type"] ?? "",
      query: record["query"] ?? "",
      status: record["status"] ?? "",
    },
    ownership: record["created_by"] ?? null,
  }),
  routes: [
    ...idRoutes(SPEC),
    { method: "POST", path: "/sinks", handle: create },
    { method: "PATCH", path: "/sinks/:id", handle: patch },
    putRoute(SPEC, (raw) => {
      const body = readBody(raw);
      return (current, context, tx) => {
        if (body.type !== current["type"]) {
          throw invalidRequest(`invalid request body: the type of a sink cannot be changed (from "${String(current["type"])}" to "${body.type}")`);
        }
        assertPipelineQuery(tx, body.query);
        return { ...current, ...body, ...updateAudit(context) };
      };
    }),
    actionRoute(SPEC, "start", (record) => withStatus(record, "running"), { syncParameter: true }),
    actionRoute(SPEC, "stop", (record) => withStatus(record, "stopped"), { syncParameter: true }),
  ],
};
