import type { Kind } from "../model/index.js";

/**
 * The API collection of each kind, relative to `/api/v1beta2` (docs/timeplus-api.md §2). Saved queries
 * are the one collection whose path is not the snake_case plural of the kind.
 *
 * @example `/${COLLECTION_PATHS.saved_query}` is "/savedqueries"
 */
export const COLLECTION_PATHS: Readonly<Record<Kind, string>> = Object.freeze({
  stream: "streams",
  view: "views",
  materialized_view: "materialized_views",
  external_stream: "external_streams",
  external_table: "external_tables",
  source: "sources",
  sink: "sinks",
  alert: "alerts",
  dashboard: "dashboards",
  udf: "udfs",
  saved_query: "savedqueries",
  schema: "schemas",
});

/** The lineage graph of the workspace (docs/timeplus-api.md §5). */
export const TOPOLOGY_PATH = "/topology";
