import type { JsonObject } from "../../model/index.js";
import { Fields } from "../validate.js";
import { assertNameFree, AUDIT_FIELDS, nodeId, pick, topologyNode } from "./common.js";
import { parseSettings, requireSettings } from "./external-stream.js";
import type { KindModule } from "./kind.js";
import { createRoute, nameCollection, nameRoutes } from "./routes.js";
import { visibleSettings } from "./secrets.js";

const KIND = "external_table";
const LABEL = "external table";

/** ExternalTableDef (docs/timeplus-api.md §3.10). */
const CREATE_FIELDS = ["name", "description", "settings"];

/** The ExternalTable response: the spec shows no columns, and settings without secrets. */
function render(record: JsonObject): JsonObject {
  return {
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    type: record["type"] ?? "",
    settings: visibleSettings(record["settings"]),
    ...pick(record, AUDIT_FIELDS),
  };
}

const COLLECTION = nameCollection({
  kind: KIND,
  label: LABEL,
  path: "/external_tables",
  render,
});

/** External tables (e.g. ClickHouse): by name, in the relation namespace, with no update endpoint (docs/timeplus-api.md §2). */
export const externalTableModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: true,
  // An MV may write INTO an external table (e.g. a ClickHouse table).
  acceptsWrites: true,
  holdsDependencies: false,
  links: () => ({ reads: [], writes: [] }),
  node: (record) =>
    topologyNode(KIND, nodeId(String(record["name"])), record, { description: record["description"] ?? "", type: record["type"] ?? "" }),
  routes: nameRoutes(
    COLLECTION,
    createRoute(COLLECTION, (context) => {
      const fields = Fields.of(context.body, CREATE_FIELDS);
      const name = fields.name();
      const description = fields.string("description") ?? "";
      const parsed = parseSettings(fields, LABEL);
      requireSettings(parsed, "clickhouse", ["address"], LABEL);
      return { fields: { name, description, type: parsed.type, settings: parsed.settings }, check: (tx) => assertNameFree(tx, name) };
    }),
  ),
};
