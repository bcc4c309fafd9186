import type { JsonObject, JsonValue } from "../../model/index.js";
import type { Catalog } from "../catalog.js";
import { ApiFailure, ENGINE_CODES, engineError, invalidRequest } from "../errors.js";
import { Fields } from "../validate.js";
import { actionRoute, type IdKind, idOf, idRoutes, withStatus } from "./by-id.js";
import { AUDIT_FIELDS, creationAudit, pick, requireById, updateAudit } from "./common.js";
import type { KindModule, Reply, RouteContext } from "./kind.js";
import { DATABASE } from "./kind.js";
import { visibleProperties } from "./secrets.js";

const KIND = "source";
const LABEL = "source";

/** CreateSourceRequest (reference §3.5). */
const CREATE_FIELDS = ["name", "stream", "type", "description", "properties"];
/** UpdateSourceRequest / PatchSourceRequest: "`type` is not updatable" (reference §3.5). */
const UPDATE_FIELDS = ["name", "description", "properties", "stream"];
/** Current types plus those of older builds (reference §3.5). */
const TYPES = [
  "stream_generator", "websocket", "nats", "nats_jetstream", "redpanda_connect", "kafka", "redpanda", "confluent_cloud", "pulsar", "ably",
] as const;

const SPEC: IdKind = { kind: KIND, label: LABEL, collection: "/sources", render };

/** The Source response: properties without secrets, and its running state (reference §3.5). */
function render(record: JsonObject): JsonObject {
  return {
    id: record["id"] ?? "",
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    type: record["type"] ?? "",
    stream: record["stream"] ?? "",
    properties: visibleProperties(record["properties"]),
    status: record["status"] ?? "running",
    message: record["message"] ?? "",
    start_time: record["start_time"] ?? 0,
    ...pick(record, AUDIT_FIELDS),
  };
}

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** A source writes into a stream that "needs to be created first" (60), and only into a stream (36). */
function assertTargetStream(catalog: Catalog, name: string): void {
  const target = catalog.relation(name);
  if (!target) throw engineError(ENGINE_CODES.UNKNOWN_STREAM, `stream '${name}' doesn't exist`);
  if (target.module.kind !== "stream") {
    throw engineError(ENGINE_CODES.BAD_ARGUMENTS, `'${name}' is a ${target.module.label}; a source can only write into a stream`);
  }
}

async function create(context: RouteContext): Promise<Reply> {
  const fields = Fields.of(context.body, CREATE_FIELDS);
  const name = fields.name();
  const stream = fields.requiredNonEmpty("stream");
  const type = fields.oneOf("type", TYPES);
  if (type === undefined) throw invalidRequest(`invalid request body: field "type" is required`);
  const record: JsonObject = {
    id: context.newId(),
    name,
    description: fields.string("description") ?? "",
    type,
    stream,
    properties: fields.object("properties") ?? {},
    // Sources start on creation (the spec's examples read back "running").
    status: "running",
    message: "",
    start_time: unixSeconds(context.now),
    ...creationAudit(context),
  };
  await context.write((tx) => {
    assertTargetStream(tx, stream);
    tx.put(KIND, String(record["id"]), record);
  });
  return { status: 201, body: render(record) };
}

/** PATCH and PUT /sources/{id}: the same body, fields given are changed, and only while stopped. */
async function update(context: RouteContext): Promise<Reply> {
  const fields = Fields.of(context.body, UPDATE_FIELDS, { known: ["type"] });
  if (fields.has("type")) throw invalidRequest("invalid request body: the type of a source cannot be updated");
  const changes: Record<string, JsonValue> = {};
  if (fields.has("name")) changes["name"] = fields.name();
  const description = fields.string("description");
  if (description !== undefined) changes["description"] = description;
  const properties = fields.object("properties");
  if (properties !== undefined) changes["properties"] = properties;
  if (fields.has("stream")) changes["stream"] = fields.requiredNonEmpty("stream");
  const id = idOf(context);
  const next = await context.write((tx) => {
    const current = requireById(tx, KIND, LABEL, id);
    if (current["status"] !== "stopped") {
      throw new ApiFailure(
        400,
        400,
        `source '${String(current["name"])}' is ${String(current["status"])}: only stopped sources can be updated; stop it first (POST /sources/${id}/stop)`,
        "appserver",
      );
    }
    if (typeof changes["stream"] === "string" && changes["stream"] !== current["stream"]) assertTargetStream(tx, changes["stream"]);
    if (Object.keys(changes).length === 0) return current;
    const updated: JsonObject = { ...current, ...changes, ...updateAudit(context) };
    tx.put(KIND, id, updated);
    return updated;
  });
  return { status: 200, body: render(next) };
}

/**
 * Sources: id-based, they write into an existing stream, start running on creation, and change
 * only while stopped (reference §3.5, §7).
 */
export const sourceModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  // The stream a source writes into cannot be dropped under it (630): stricter than Timeplus may be [I].
  holdsDependencies: true,
  links: (record) => ({ reads: [], writes: [String(record["stream"] ?? "")] }),
  node: (record) => ({
    id: String(record["id"]),
    name: String(record["name"]),
    type: KIND,
    db: DATABASE,
    properties: {
      description: record["description"] ?? "",
      type: record["type"] ?? "",
      stream: record["stream"] ?? "",
      status: record["status"] ?? "",
    },
    ownership: record["created_by"] ?? null,
  }),
  routes: [
    ...idRoutes(SPEC),
    { method: "POST", path: "/sources", handle: create },
    { method: "PATCH", path: "/sources/:id", handle: update },
    { method: "PUT", path: "/sources/:id", handle: update },
    actionRoute(SPEC, "start", (record, context) => withStatus(record, "running", { start_time: unixSeconds(context.now) })),
    actionRoute(SPEC, "stop", (record) => withStatus(record, "stopped")),
  ],
};
