import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import { ENGINE_CODES, engineError, invalidRequest, notFound } from "../errors.js";
import { Fields } from "../validate.js";
import { assertUnused, AUDIT_FIELDS, pick, topologyNode, updateAudit } from "./common.js";
import type { KindModule } from "./kind.js";
import { assertSameName, createRoute, nameCollection, nameRoutes, replaceRoute } from "./routes.js";

const KIND = "udf";
/** Word in messages: the engine speaks of functions. */
const LABEL = "function";

/** UDF / CreateUDFRequest; PUT takes the same body (docs/timeplus-api.md §3.8). */
const FIELDS = [
  "name",
  "type",
  "description",
  "arguments",
  "return_type",
  "url",
  "auth_method",
  "auth_context",
  "source",
  "is_aggregation",
];
const TYPES = ["javascript", "remote"] as const;
const AUTH_METHODS = ["none", "auth_header"] as const;

/**
 * The UDF response, `auth_context.key_value` included: the seed spec's UDF shows it in every
 * response, so clients may decode it. tpctl masks it in everything it prints or writes.
 */
function render(record: JsonObject): JsonObject {
  const out: Record<string, JsonValue> = {
    name: record["name"] ?? "",
    type: record["type"] ?? "",
    description: record["description"] ?? "",
    arguments: record["arguments"] ?? [],
    return_type: record["return_type"] ?? "",
    url: record["url"] ?? "",
    auth_method: record["auth_method"] ?? "",
  };
  const context = record["auth_context"];
  if (isJsonObject(context)) out["auth_context"] = { key_name: context["key_name"] ?? "", key_value: context["key_value"] ?? "" };
  out["source"] = record["source"] ?? "";
  out["is_aggregation"] = record["is_aggregation"] ?? false;
  return { ...out, ...pick(record, AUDIT_FIELDS) };
}

/**
 * A UDF body: `remote` needs `url`, `javascript` needs `source`, and fields "only valid" for the
 * other type must be empty; `auth_header` needs `auth_context.key_name` and `key_value`.
 */
function readBody(body: unknown): JsonObject & { name: string; type: string } {
  const fields = Fields.of(body, FIELDS);
  const name = fields.name();
  const type = fields.oneOf("type", TYPES);
  if (type === undefined) throw invalidRequest(`invalid request body: field "type" is required`);
  const seen = new Set<string>();
  const args = (fields.array("arguments") ?? []).map((item, index) => {
    const argument = Fields.of(item, ["name", "type"], { prefix: `arguments[${index}].` });
    const argumentName = argument.requiredNonEmpty("name");
    if (seen.has(argumentName)) throw engineError(ENGINE_CODES.BAD_ARGUMENTS, `argument '${argumentName}' is declared more than once`);
    seen.add(argumentName);
    return { name: argumentName, type: argument.requiredNonEmpty("type") };
  });
  // The engine's CREATE FUNCTION needs RETURNS <type>.
  const returnType = fields.requiredNonEmpty("return_type");
  const url = fields.string("url") ?? "";
  const authText = fields.string("auth_method") ?? "";
  // "" is the Go zero value a client may send for "not set".
  const authMethod = authText === "" ? "" : (fields.oneOf("auth_method", AUTH_METHODS) ?? "");
  const rawContext = fields.raw("auth_context");
  let authContext: JsonObject | undefined;
  if (rawContext !== undefined) {
    const context = Fields.of(rawContext, ["key_name", "key_value"], { prefix: "auth_context." });
    authContext = { key_name: context.string("key_name") ?? "", key_value: context.string("key_value") ?? "" };
  }
  const source = fields.string("source") ?? "";
  const isAggregation = fields.boolean("is_aggregation") ?? false;

  if (type === "remote") {
    if (url.trim() === "") throw invalidRequest(`invalid request body: field "url" is required for a remote UDF`);
    const onlyJavascript = [source !== "" ? "source" : "", isAggregation ? "is_aggregation" : ""].filter((field) => field !== "");
    if (onlyJavascript.length > 0) throw onlyFor(onlyJavascript, "javascript");
    if (authMethod === "auth_header" && (!authContext || authContext["key_name"] === "" || authContext["key_value"] === "")) {
      throw invalidRequest(`invalid request body: auth_method "auth_header" needs auth_context.key_name and auth_context.key_value`);
    }
  } else {
    if (source.trim() === "") throw invalidRequest(`invalid request body: field "source" is required for a javascript UDF`);
    const onlyRemote = [
      url !== "" ? "url" : "",
      authMethod === "auth_header" ? "auth_method" : "",
      authContext ? "auth_context" : "",
    ].filter((field) => field !== "");
    if (onlyRemote.length > 0) throw onlyFor(onlyRemote, "remote");
  }
  const record: Record<string, JsonValue> = {
    name,
    type,
    description: fields.string("description") ?? "",
    arguments: args,
    return_type: returnType,
    url,
    auth_method: authMethod,
  };
  if (authContext) record["auth_context"] = authContext;
  record["source"] = source;
  record["is_aggregation"] = isAggregation;
  return record as JsonObject & { name: string; type: string };
}

function onlyFor(fields: readonly string[], type: string): Error {
  return invalidRequest(`invalid request body: ${fields.join(", ")} ${fields.length > 1 ? "apply" : "applies"} only to a ${type} UDF`);
}

const COLLECTION = nameCollection({
  kind: KIND,
  label: LABEL,
  path: "/udfs",
  render,
  missing: (name) => notFound(LABEL, name, ENGINE_CODES.UNKNOWN_FUNCTION),
  assertDroppable: (catalog, name) => assertUnused(catalog, LABEL, KIND, name),
});

/**
 * UDFs: by name in the engine's function namespace (not the relation one), whole-body PUT, and not
 * droppable while a view, MV, sink or alert calls them (630). In the topology only with
 * `?extraResources=udf`.
 */
export const udfModule: KindModule = {
  kind: KIND,
  label: LABEL,
  relation: false,
  acceptsWrites: false,
  holdsDependencies: false,
  extraResource: "udf",
  links: () => ({ reads: [], writes: [] }),
  node: (record) =>
    topologyNode(KIND, `udf:${String(record["name"])}`, record, { description: record["description"] ?? "", type: record["type"] ?? "" }),
  routes: nameRoutes(
    COLLECTION,
    createRoute(COLLECTION, (context) => {
      const body = readBody(context.body);
      return {
        fields: body,
        check(tx) {
          if (tx.get(KIND, body.name)) {
            throw engineError(ENGINE_CODES.FUNCTION_ALREADY_EXISTS, `User-defined function '${body.name}' already exists`);
          }
        },
      };
    }),
    replaceRoute(COLLECTION, (raw, name) => {
      const body = readBody(raw);
      assertSameName(body.name, name);
      return (current, context) => {
        if (current["type"] !== body.type) {
          throw invalidRequest(
            `invalid request body: the type of a UDF cannot be changed (from "${String(current["type"])}" to "${body.type}")`,
          );
        }
        return { ...body, ...pick(current, ["created_at", "created_by"]), ...updateAudit(context) };
      };
    }),
  ),
};
