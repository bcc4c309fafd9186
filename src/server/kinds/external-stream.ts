import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import type { Catalog } from "../catalog.js";
import { ENGINE_CODES, engineError, invalidRequest } from "../errors.js";
import { Fields } from "../validate.js";
import { assertNameFree, AUDIT_FIELDS, nodeId, pick, topologyNode } from "./common.js";
import type { KindModule, RouteContext } from "./kind.js";
import { type Creation, createRoute, nameCollection, nameRoutes } from "./routes.js";
import { visibleSettings } from "./secrets.js";
import { parseColumns } from "./stream.js";

const KIND = "external_stream";
const LABEL = "external stream";

/** ExternalStreamDef (docs/timeplus-api.md §3.9). */
const CREATE_FIELDS = ["name", "description", "settings", "columns"];
/** The setting naming a Protobuf schema, as `schema_name:MessageName`. */
const FORMAT_SCHEMA = "format_schema";

export interface ParsedSettings {
  /** Every `{key, value}` as sent, secrets included: the server keeps them, GET hides them. */
  readonly settings: JsonObject[];
  readonly values: ReadonlyMap<string, string>;
  /** The `type` setting, which every external stream and table needs. */
  readonly type: string;
}

/**
 * `settings[] {key, value}` of an external stream or table (docs/timeplus-api.md §3.9, §3.10): the shape is the
 * appserver's to check (400), a missing `type` or a key given twice the engine's (36).
 */
export function parseSettings(fields: Fields, label: string): ParsedSettings {
  const items = fields.array("settings");
  if (items === undefined) throw invalidRequest(`invalid request body: field "settings" is required`);
  const values = new Map<string, string>();
  const settings = items.map((item, index) => {
    const setting = Fields.of(item, ["key", "value"], { prefix: `settings[${index}].` });
    const key = setting.requiredNonEmpty("key");
    const value = setting.requiredString("value");
    if (values.has(key)) throw badArgument(`setting '${key}' is given more than once`);
    values.set(key, value);
    return { key, value };
  });
  const type = values.get("type")?.trim() ?? "";
  if (type === "") throw badArgument(`an ${label} needs the setting 'type' (for example kafka)`);
  return { settings, values, type };
}

/** Settings without which an external object of `type` cannot work: the engine's 36. */
export function requireSettings(parsed: ParsedSettings, type: string, keys: readonly string[], label: string): void {
  if (parsed.type.toLowerCase() !== type) return;
  const missing = keys.filter((key) => (parsed.values.get(key) ?? "").trim() === "");
  if (missing.length > 0) {
    throw badArgument(
      `a ${type} ${label} needs the setting${missing.length > 1 ? "s" : ""} ${missing.map((key) => `'${key}'`).join(", ")}`,
    );
  }
}

/** The schema a `format_schema` setting names (`schema_name:MessageName`), or undefined. */
function formatSchemaOf(settings: JsonValue | undefined): string | undefined {
  if (!Array.isArray(settings)) return undefined;
  const setting = (settings as readonly JsonValue[]).find((item) => isJsonObject(item) && item["key"] === FORMAT_SCHEMA);
  return isJsonObject(setting) ? String(setting["value"] ?? "").split(":")[0] : undefined;
}

/** `format_schema` must read `schema_name:MessageName` and name an existing schema (36 otherwise). */
function assertFormatSchema(catalog: Catalog, parsed: ParsedSettings): void {
  const value = parsed.values.get(FORMAT_SCHEMA);
  if (value === undefined) return;
  const colon = value.indexOf(":");
  const schema = colon < 0 ? "" : value.slice(0, colon);
  const message = colon < 0 ? "" : value.slice(colon + 1);
  if (schema === "" || message === "") {
    throw badArgument(`setting '${FORMAT_SCHEMA}' must be 'schema_name:MessageName', not '${value}'`);
  }
  if (!catalog.get("schema", schema)) throw badArgument(`format schema '${schema}' doesn't exist`);
}

/** The ExternalStream response: settings without secrets, `type` (2025-03+), columns as for streams. */
function render(record: JsonObject): JsonObject {
  return {
    name: record["name"] ?? "",
    description: record["description"] ?? "",
    type: record["type"] ?? "",
    settings: visibleSettings(record["settings"]),
    columns: record["columns"] ?? [],
    ...pick(record, AUDIT_FIELDS),
  };
}

const COLLECTION = nameCollection({
  kind: KIND,
  label: LABEL,
  path: "/external_streams",
  render,
});

function readCreation(context: RouteContext): Creation {
  const fields = Fields.of(context.body, CREATE_FIELDS);
  const name = fields.name();
  const description = fields.string("description") ?? "";
  const parsed = parseSettings(fields, LABEL);
  const items = fields.array("columns") ?? [];
  const kafka = parsed.type.toLowerCase() === "kafka";
  if (kafka && items.length === 0) throw invalidRequest(`invalid request body: field "columns" is required for a kafka external stream`);
  const columns = items.length === 0 ? [] : parseColumns(items);
  requireSettings(parsed, "kafka", ["brokers", "topic"], LABEL);
  return {
    fields: { name, description, type: parsed.type, settings: parsed.settings, columns },
    check(tx) {
      assertNameFree(tx, name);
      assertFormatSchema(tx, parsed);
    },
  };
}

/** External streams: by name, in the engine's relation namespace, with no update endpoint (docs/timeplus-api.md §2). */
export const externalStreamModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: true,
  // An MV may write INTO an external stream (e.g. to produce to Kafka).
  acceptsWrites: true,
  // It holds only the schema its format_schema names.
  holdsDependencies: true,
  links: (record) => {
    const schema = formatSchemaOf(record["settings"]);
    return { reads: [], writes: [], uses: schema ? [{ kind: "schema", name: schema }] : [] };
  },
  node: (record) =>
    topologyNode(KIND, nodeId(String(record["name"])), record, { description: record["description"] ?? "", type: record["type"] ?? "" }),
  routes: nameRoutes(COLLECTION, createRoute(COLLECTION, readCreation)),
};

function badArgument(message: string): Error {
  return engineError(ENGINE_CODES.BAD_ARGUMENTS, message);
}
