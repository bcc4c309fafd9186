import type { JsonObject } from "../../model/index.js";
import type { Catalog } from "../catalog.js";
import { ApiFailure, ENGINE_CODES, engineError, invalidRequest } from "../errors.js";
import { Fields } from "../validate.js";
import { AUDIT_FIELDS, pick, pipelineChanges, topologyNode } from "./common.js";
import type { KindModule, RouteContext } from "./kind.js";
import { actionRoute, type Changes, type Creation, createRoute, idCollection, idRoutes, updateRoute, withStatus } from "./routes.js";
import { visibleProperties } from "./secrets.js";

const KIND = "source";
const LABEL = "source";

/** CreateSourceRequest (docs/timeplus-api.md §3.5). */
const CREATE_FIELDS = ["name", "stream", "type", "description", "properties"];
/** UpdateSourceRequest / PatchSourceRequest: "`type` is not updatable" (docs/timeplus-api.md §3.5). */
const UPDATE_FIELDS = ["name", "description", "properties", "stream"];
/** Current types plus those of older builds (docs/timeplus-api.md §3.5); a preview takes the same. */
export const SOURCE_TYPES = [
  "stream_generator",
  "websocket",
  "nats",
  "nats_jetstream",
  "redpanda_connect",
  "kafka",
  "redpanda",
  "confluent_cloud",
  "pulsar",
  "ably",
] as const;

const COLLECTION = idCollection({ kind: KIND, label: LABEL, path: "/sources", render });

/** The Source response: properties without secrets, and its running state (docs/timeplus-api.md §3.5). */
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

function readCreation(context: RouteContext): Creation {
  const fields = Fields.of(context.body, CREATE_FIELDS);
  const name = fields.name();
  const stream = fields.requiredNonEmpty("stream");
  const type = fields.oneOf("type", SOURCE_TYPES);
  if (type === undefined) throw invalidRequest(`invalid request body: field "type" is required`);
  return {
    fields: {
      name,
      description: fields.string("description") ?? "",
      type,
      stream,
      properties: fields.object("properties") ?? {},
      // Sources start on creation (the spec's examples read back "running").
      status: "running",
      message: "",
      start_time: unixSeconds(context.now),
    },
    check: (tx) => assertTargetStream(tx, stream),
  };
}

/** PATCH and PUT /sources/{id}: the same body, fields given are changed, and only while stopped. */
function readUpdate(body: unknown): Changes {
  const fields = Fields.of(body, UPDATE_FIELDS);
  // A client sending the whole model back includes `type`: unchanged it is accepted, as a Go decoder would.
  const type = fields.string("type");
  const changes = pipelineChanges(fields);
  if (fields.has("stream")) changes["stream"] = fields.requiredNonEmpty("stream");
  return {
    changes,
    check(current, tx) {
      if (type !== undefined && type !== current["type"]) {
        throw invalidRequest(
          `invalid request body: the type of a source cannot be updated (from "${String(current["type"])}" to "${type}")`,
        );
      }
      if (current["status"] !== "stopped") {
        throw new ApiFailure(
          400,
          400,
          `source '${String(current["name"])}' is ${String(current["status"])}: only stopped sources can be updated; stop it first (POST /sources/${String(current["id"])}/stop)`,
          "neutron",
        );
      }
      if (typeof changes["stream"] === "string" && changes["stream"] !== current["stream"]) assertTargetStream(tx, changes["stream"]);
    },
  };
}

/**
 * Sources: id-based, they write into an existing stream, start running on creation, and change
 * only while stopped (docs/timeplus-api.md §3.5, §7).
 */
export const sourceModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  // The stream a source writes into cannot be dropped under it (630): stricter than Timeplus may be [I].
  holdsDependencies: true,
  links: (record) => ({ reads: [], writes: [String(record["stream"] ?? "")] }),
  node: (record) =>
    topologyNode(KIND, String(record["id"]), record, {
      description: record["description"] ?? "",
      type: record["type"] ?? "",
      stream: record["stream"] ?? "",
      status: record["status"] ?? "",
    }),
  routes: [
    ...idRoutes(COLLECTION),
    createRoute(COLLECTION, readCreation),
    updateRoute(COLLECTION, "PATCH", readUpdate),
    updateRoute(COLLECTION, "PUT", readUpdate),
    actionRoute(COLLECTION, "start", (record, context) => withStatus(record, "running", { start_time: unixSeconds(context.now) })),
    actionRoute(COLLECTION, "stop", (record) => withStatus(record, "stopped")),
  ],
};
