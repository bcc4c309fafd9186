import type { JsonObject } from "../model/index.js";
import { isJsonObject } from "../model/index.js";
import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { description, fixed } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

export const udf: KindModule = {
  kind: "udf",
  label: "UDF",
  identity: "name",
  naming: "identifier",
  relation: false,
  home: "engine",
  destructiveToLose: false,
  readsLoosely: false,
  fields: {
    description,
    type: fixed,
    arguments: { compare: "value", updatable: true, default: [] },
    return_type: { compare: "value", updatable: true },
    url: { compare: "value", updatable: true },
    auth_method: { compare: "value", updatable: true, computed: true },
    auth_context: { compare: "value", updatable: true, computed: true },
    source: { compare: "text", updatable: true },
    is_aggregation: { compare: "value", updatable: true, default: false },
  },
  // CREATE REMOTE FUNCTION has no COMMENT, and no body to carry a comment line (docs/sql-ddl.md, "Ownership").
  sqlHoldsNoMarker: (spec) => (spec["type"] === "remote" ? "a remote function has no COMMENT and no body" : undefined),
  ddl: { create: CREATE_RENDERERS.function, drop: { object: "FUNCTION", global: true } },
  references: () => NO_REFERENCES,
  // A remote UDF's header key (docs/timeplus-api.md §3.8).
  secrets: (spec) =>
    isJsonObject(spec["auth_context"]) && spec["auth_context"]["key_value"] !== undefined ? ["/auth_context/key_value"] : [],
  // The seed spec shows a remote UDF's `auth_context.key_value` returned: it goes entirely on read
  // (the field was never returned before), so that no plan, drift or export holds it.
  rest: { collection: "udfs", update: "put-whole", readBack: withoutKeyValue },
  // A remote UDF's header key, hidden on read (docs/timeplus-api.md §3.8).
  export: { folder: "udfs", hiddenSecrets: (spec) => (spec["auth_method"] === "auth_header" ? ["/auth_context/key_value"] : []) },
};

function withoutKeyValue(spec: JsonObject): JsonObject {
  const auth = spec["auth_context"];
  if (!isJsonObject(auth) || auth["key_value"] === undefined) return spec;
  const { key_value: _secret, ...rest } = auth;
  return { ...spec, auth_context: rest };
}
