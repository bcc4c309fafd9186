import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { description, fixed } from "./rules.js";

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
  references: () => NO_REFERENCES,
  rest: { collection: "udfs", update: "put-whole" },
  export: { folder: "udfs" },
};
