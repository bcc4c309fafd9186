import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import { queryPlan } from "../analysis.js";
import { invalidRequest } from "../errors.js";
import { Fields } from "../validate.js";
import { assertQueryRuns, AUDIT_FIELDS, pick, pipelineChanges, queryLinks, topologyNode, updateAudit } from "./common.js";
import type { KindModule } from "./kind.js";
import { actionRoute, type Changes, createRoute, idCollection, idRoutes, replaceRoute, updateRoute, withStatus } from "./routes.js";
import { visibleProperties } from "./secrets.js";

const KIND = "sink";
const LABEL = "sink";

/** CreateSinkRequest (docs/timeplus-api.md §3.4); PUT takes the same body. */
const CREATE_FIELDS = ["name", "query", "type", "description", "properties"];
/** PatchSinkRequest (2024-12-31+): "no query and no type in this body". */
const PATCH_FIELDS = ["name", "description", "properties"];
/** Every sink type of the spec's revisions (docs/timeplus-api.md §3.4); alert actions are sink types too. */
export const SINK_TYPES = ["slack", "http", "redpanda_connect", "kafka", "redpanda", "confluent_cloud", "pulsar", "timeplus"] as const;

const COLLECTION = idCollection({ kind: KIND, label: LABEL, path: "/sinks", render });

/** Properties of a pipeline as GET shows them: no credentials, and no Slack webhook URL (it holds a token). */
export function pipelineProperties(properties: JsonValue | undefined, type: JsonValue | undefined): JsonObject {
  return visibleProperties(properties, type === "slack" ? ["url"] : []);
}

/** The Sink response, with `plan`, the SQL analysis of its query (SQLAnalyzeResult) as of its last create or PUT. */
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
    plan: isJsonObject(record["plan"]) ? record["plan"] : queryPlan(undefined, String(record["query"] ?? "")).analysis,
    ...pick(record, AUDIT_FIELDS),
  };
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

/**
 * PatchSinkRequest: name, description and properties; "no query and no type in this body". A
 * client sending the whole model back may include them unchanged; a change is refused (400).
 */
function readPatch(body: unknown): Changes {
  const fields = Fields.of(body, PATCH_FIELDS);
  const fixed = { query: fields.string("query"), type: fields.string("type") };
  return {
    changes: pipelineChanges(fields),
    check(current) {
      const changed = Object.entries(fixed)
        .filter(([field, value]) => value !== undefined && value !== current[field])
        .map(([field]) => field);
      if (changed.length > 0) {
        throw invalidRequest(
          `invalid request body: PATCH cannot change the ${changed.join(" or ")} of a sink; only name, description and properties can be patched`,
        );
      }
    },
  };
}

/**
 * Sinks: id-based, backed by an MV that reads their query's relations, so those cannot be dropped
 * under them (630, docs/timeplus-api.md §7 [I]). PATCH changes name, description and properties; the
 * deprecated PUT also changes the query, but never the type.
 */
export const sinkModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  holdsDependencies: true,
  links: (record) => queryLinks(String(record["query"] ?? "")),
  node: (record) =>
    topologyNode(KIND, String(record["id"]), record, {
      description: record["description"] ?? "",
      type: record["type"] ?? "",
      query: record["query"] ?? "",
      status: record["status"] ?? "",
    }),
  routes: [
    ...idRoutes(COLLECTION),
    createRoute(COLLECTION, (context) => {
      const body = readBody(context.body);
      // Sinks start running on creation [I] (docs/timeplus-api.md §7).
      // The engine plans the query when the sink is made; the plan is kept as it was then.
      const plan = queryPlan(context.read(), body.query).analysis;
      return { fields: { ...body, status: "running", message: "", plan }, check: (tx) => assertQueryRuns(tx, body.query) };
    }),
    updateRoute(COLLECTION, "PATCH", readPatch),
    replaceRoute(COLLECTION, (raw) => {
      const body = readBody(raw);
      return (current, context, tx) => {
        if (body.type !== current["type"]) {
          throw invalidRequest(
            `invalid request body: the type of a sink cannot be changed (from "${String(current["type"])}" to "${body.type}")`,
          );
        }
        assertQueryRuns(tx, body.query);
        return { ...current, ...body, plan: queryPlan(tx, body.query).analysis, ...updateAudit(context) };
      };
    }),
    actionRoute(COLLECTION, "start", (record) => withStatus(record, "running"), { syncParameter: true }),
    actionRoute(COLLECTION, "stop", (record) => withStatus(record, "stopped"), { syncParameter: true }),
  ],
};
