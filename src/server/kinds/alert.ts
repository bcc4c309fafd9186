import { queryPlan } from "../analysis.js";
import type { JsonObject } from "../../model/index.js";
import type { Catalog } from "../catalog.js";
import { invalidRequest } from "../errors.js";
import { Fields } from "../validate.js";
import { assertQueryRuns, AUDIT_FIELDS, pick, queryLinks, topologyNode, updateAudit } from "./common.js";
import type { KindModule } from "./kind.js";
import { actionRoute, createRoute, idCollection, idRoutes, replaceRoute, withStatus } from "./routes.js";
import { pipelineProperties, SINK_TYPES } from "./sink.js";

const KIND = "alert";
const LABEL = "alert";

/** CreateAlertRequest; PUT uses the same schema (docs/timeplus-api.md §3.6). */
const FIELDS = ["name", "severity", "action", "trigger_sql", "resolve_sql", "description", "properties"];

const COLLECTION = idCollection({ kind: KIND, label: LABEL, path: "/alerts", render });

/**
 * A Query object of the seed spec for an alert's trigger or resolve SQL. Nothing runs here, so the
 * timings are 0 and the status follows the alert's ("running" or "canceled", values the SDK accepts).
 */
function queryObject(sql: string, running: boolean): JsonObject {
  const plan = queryPlan(undefined, sql).analysis;
  const header = ((plan["result_columns"] as JsonObject[] | undefined) ?? []).map((column) => ({
    name: column["column"] ?? "",
    type: column["column_type"] ?? "",
  }));
  return {
    analysis: plan,
    description: "",
    duration: 0,
    end_time: 0,
    id: "",
    message: "",
    name: "",
    response_time: 0,
    result: { header },
    sql,
    start_time: 0,
    status: running ? "running" : "canceled",
    tags: [],
    timeColumns: { eventTime: 0, windowStart: 0, windowEnd: 0 },
  };
}

/**
 * The Alert response: the seed's required `instance` (the current incident; none is ever raised
 * here, so it is empty) and the trigger and resolve Query objects.
 */
function render(record: JsonObject): JsonObject {
  const running = (record["status"] ?? "running") === "running";
  return {
    id: record["id"] ?? "",
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    severity: record["severity"] ?? 0,
    action: record["action"] ?? "",
    trigger_sql: record["trigger_sql"] ?? "",
    resolve_sql: record["resolve_sql"] ?? "",
    properties: pipelineProperties(record["properties"], record["action"]),
    status: record["status"] ?? "running",
    message: record["message"] ?? "",
    instance: { id: "", status: "", timeline: [] },
    trigger_query: queryObject(String(record["trigger_sql"] ?? ""), running),
    resolve_query: queryObject(String(record["resolve_sql"] ?? ""), running),
    ...pick(record, AUDIT_FIELDS),
  };
}

interface AlertBody {
  readonly name: string;
  readonly severity: number;
  readonly action: string;
  readonly trigger_sql: string;
  readonly resolve_sql: string;
  readonly description: string;
  readonly properties: JsonObject;
}

function readBody(body: unknown): AlertBody {
  const fields = Fields.of(body, FIELDS);
  // The spec states no naming rule for alerts (unlike sinks and sources): any non-empty name.
  const name = fields.requiredNonEmpty("name");
  const severity = fields.requiredInteger("severity");
  const action = fields.oneOf("action", SINK_TYPES);
  if (action === undefined) throw invalidRequest(`invalid request body: field "action" is required`);
  return {
    name,
    severity,
    action,
    trigger_sql: fields.requiredNonEmpty("trigger_sql"),
    resolve_sql: fields.string("resolve_sql") ?? "",
    description: fields.string("description") ?? "",
    properties: fields.object("properties") ?? {},
  };
}

function assertQueries(catalog: Catalog, body: AlertBody): void {
  assertQueryRuns(catalog, body.trigger_sql);
  if (body.resolve_sql.trim() !== "") assertQueryRuns(catalog, body.resolve_sql);
}

/**
 * Alerts: id-based, their trigger and resolve queries run like sinks, so what they read cannot be
 * dropped under them (630 [I]). PUT replaces the whole body except the action (TF: RequiresReplace).
 */
export const alertModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  holdsDependencies: true,
  links: (record) => queryLinks(String(record["trigger_sql"] ?? ""), String(record["resolve_sql"] ?? "")),
  node: (record) =>
    topologyNode(KIND, String(record["id"]), record, {
      description: record["description"] ?? "",
      action: record["action"] ?? "",
      severity: record["severity"] ?? 0,
      status: record["status"] ?? "",
    }),
  routes: [
    ...idRoutes(COLLECTION),
    createRoute(COLLECTION, (context) => {
      const body = readBody(context.body);
      return { fields: { ...body, status: "running", message: "" }, check: (tx) => assertQueries(tx, body) };
    }),
    replaceRoute(COLLECTION, (raw) => {
      const body = readBody(raw);
      return (current, context, tx) => {
        if (body.action !== current["action"]) {
          throw invalidRequest(
            `invalid request body: the action of an alert cannot be changed (from "${String(current["action"])}" to "${body.action}")`,
          );
        }
        assertQueries(tx, body);
        return { ...current, ...body, ...updateAudit(context) };
      };
    }),
    actionRoute(COLLECTION, "start", (record) => withStatus(record, "running")),
    actionRoute(COLLECTION, "stop", (record) => withStatus(record, "stopped")),
    // A manual resolve re-arms a triggered alert; no incident is simulated, so nothing changes.
    actionRoute(COLLECTION, "resolve", () => undefined),
  ],
};
