import type { JsonObject } from "../../model/index.js";
import { notFound } from "../errors.js";
import { Fields } from "../validate.js";
import { assertNameFree, assertNoDependents, AUDIT_FIELDS, byName, creationAudit, nodeId, pick } from "./common.js";
import { parseSettings, requireSettings } from "./external-stream.js";
import type { KindModule, Reply, RouteContext } from "./kind.js";
import { DATABASE } from "./kind.js";
import { visibleSettings } from "./secrets.js";

const KIND = "external_table";
const LABEL = "external table";

/** ExternalTableDef (reference §3.10). */
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

async function create(context: RouteContext): Promise<Reply> {
  const fields = Fields.of(context.body, CREATE_FIELDS);
  const name = fields.name();
  const description = fields.string("description") ?? "";
  const parsed = parseSettings(fields, LABEL);
  requireSettings(parsed, "clickhouse", ["address"], LABEL);
  const record: JsonObject = { name, description, type: parsed.type, settings: parsed.settings, ...creationAudit(context) };
  await context.write((tx) => {
    assertNameFree(tx, name);
    tx.put(KIND, name, record);
  });
  return { status: 201, body: render(record) };
}

/** External tables (e.g. ClickHouse): by name, in the relation namespace, with no update endpoint (reference §2). */
export const externalTableModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: true,
  // An MV may write INTO an external table (e.g. a ClickHouse table).
  acceptsWrites: true,
  holdsDependencies: false,
  links: () => ({ reads: [], writes: [] }),
  node: (record) => ({
    id: nodeId(String(record["name"])),
    name: String(record["name"]),
    type: KIND,
    db: DATABASE,
    properties: { description: record["description"] ?? "", type: record["type"] ?? "" },
    ownership: record["created_by"] ?? null,
  }),
  routes: [
    {
      method: "GET",
      path: "/external_tables",
      handle: (context) => ({ status: 200, body: context.read().list(KIND).sort(byName).map(render) }),
    },
    { method: "POST", path: "/external_tables", handle: create },
    {
      method: "GET",
      path: "/external_tables/:name",
      handle(context) {
        const name = context.params["name"] ?? "";
        const record = context.read().get(KIND, name);
        if (!record) throw notFound(LABEL, name);
        return { status: 200, body: render(record) };
      },
    },
    {
      method: "DELETE",
      path: "/external_tables/:name",
      async handle(context) {
        const name = context.params["name"] ?? "";
        await context.write((tx) => {
          if (!tx.get(KIND, name)) throw notFound(LABEL, name);
          assertNoDependents(tx, LABEL, name);
          tx.remove(KIND, name);
        });
        return { status: 204 };
      },
    },
  ],
};
