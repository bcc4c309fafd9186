import type { KindModule } from "./kind.js";
import { namesOf, textsOf } from "./kind.js";
import { description, retention, sqlReplace, ttl } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

export const materializedView: KindModule = {
  kind: "materialized_view",
  label: "materialized view",
  identity: "name",
  naming: "identifier",
  relation: true,
  home: "engine",
  destructiveToLose: true,
  readsLoosely: false,
  fields: {
    description,
    query: { ...sqlReplace, sql: "query_compatible" },
    target_stream: { compare: "value", updatable: false, default: "" },
    logstore_retention_bytes: retention,
    logstore_retention_ms: retention,
    ttl_expression: ttl,
  },
  // It reads through its query and writes into its target stream.
  ddl: { create: CREATE_RENDERERS.materializedView, drop: { object: "VIEW" } },
  references: (spec) => ({ sql: textsOf(spec, "query"), relations: namesOf(spec, "target_stream"), schemas: [] }),
  sqlAt: () => [["query"]],
  rest: {
    collection: "materialized_views",
    update: "patch-changed",
    // Before 2024-12 there was no /materialized_views: MVs were listed by /views with `materialized: true`.
    olderCollection: { collection: "views", isOfKind: (item) => item["materialized"] === true },
  },
  // An MV without a target keeps its own inner stream, whose omitted retention reads back as -1 (docs/timeplus-api.md §3.3).
  export: { folder: "materialized_views", unset: { logstore_retention_bytes: -1, logstore_retention_ms: -1 } },
};
