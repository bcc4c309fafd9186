import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import { invalidRequest } from "../errors.js";
import { relationsOf } from "../query.js";
import { Fields } from "../validate.js";
import { AUDIT_FIELDS, pick, updateAudit } from "./common.js";
import type { KindModule } from "./kind.js";
import { DATABASE } from "./kind.js";
import { createRoute, idCollection, idRoutes, replaceRoute } from "./routes.js";

const KIND = "dashboard";
const LABEL = "dashboard";

/** CreateDashboardRequest; PUT takes the same body (docs/timeplus-api.md §3.7). */
const FIELDS = ["name", "description", "panels"];
const PANEL_FIELDS = ["id", "title", "description", "position", "viz_type", "viz_content", "viz_config"];
const POSITION_FIELDS = ["x", "y", "w", "h", "nextX", "nextY"];
const VIZ_TYPES = ["chart", "markdown"] as const;

const COLLECTION = idCollection({ kind: KIND, label: LABEL, path: "/dashboards", render });

function render(record: JsonObject): JsonObject {
  return {
    id: record["id"] ?? "",
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    panels: record["panels"] ?? [],
    ...pick(record, AUDIT_FIELDS),
  };
}

interface DashboardBody {
  readonly name: string;
  readonly description: string;
  readonly panels: JsonObject[];
}

/**
 * Panels are stored in the full panel shape, absent strings as "" and absent objects as {}. Panel
 * SQL is not checked: the server does not validate it at save time (docs/timeplus-api.md §7 [I]).
 */
function readBody(body: unknown): DashboardBody {
  const fields = Fields.of(body, FIELDS);
  // The spec states no naming rule for dashboards: any non-empty name.
  const name = fields.requiredNonEmpty("name");
  const seen = new Set<string>();
  const panels = (fields.array("panels") ?? []).map((item, index) => {
    const prefix = `panels[${index}].`;
    const panel = Fields.of(item, PANEL_FIELDS, { prefix });
    const id = panel.string("id") ?? "";
    if (id !== "" && seen.has(id)) throw invalidRequest(`invalid request body: panel id "${id}" is used by more than one panel`);
    seen.add(id);
    const position: Record<string, JsonValue> = {};
    const rawPosition = panel.raw("position");
    if (rawPosition !== undefined) {
      const positionFields = Fields.of(rawPosition, POSITION_FIELDS, { prefix: `${prefix}position.` });
      for (const key of POSITION_FIELDS) {
        const value = positionFields.number(key);
        if (value !== undefined) position[key] = value;
      }
    }
    return {
      id,
      title: panel.string("title") ?? "",
      description: panel.string("description") ?? "",
      position,
      viz_type: panel.oneOf("viz_type", VIZ_TYPES) ?? "",
      viz_content: panel.string("viz_content") ?? "",
      viz_config: panel.object("viz_config") ?? {},
    };
  });
  return { name, description: fields.string("description") ?? "", panels };
}

/** What the chart panels' SQL reads, for the topology only: a dashboard never blocks a drop. */
function panelReads(panels: JsonValue | undefined): string[] {
  if (!Array.isArray(panels)) return [];
  const reads = (panels as readonly JsonValue[]).flatMap((panel) =>
    isJsonObject(panel) && panel["viz_type"] !== "markdown" ? relationsOf(String(panel["viz_content"] ?? "")) : [],
  );
  return [...new Set(reads)];
}

/** Dashboards: id-based, whole-body PUT, in the topology only when `?extraResources=dashboard` asks. */
export const dashboardModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  holdsDependencies: false,
  extraResource: "dashboard",
  links: (record) => ({ reads: panelReads(record["panels"]), writes: [] }),
  node: (record) => ({
    id: String(record["id"]),
    name: String(record["name"]),
    type: KIND,
    db: DATABASE,
    properties: { description: record["description"] ?? "" },
    ownership: record["created_by"] ?? null,
  }),
  routes: [
    ...idRoutes(COLLECTION),
    createRoute(COLLECTION, (context) => ({ fields: { ...readBody(context.body) } })),
    replaceRoute(COLLECTION, (raw) => {
      const body = readBody(raw);
      return (current, context) => ({ ...current, ...body, ...updateAudit(context) });
    }),
  ],
};
