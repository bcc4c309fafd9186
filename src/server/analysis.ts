import type { JsonObject } from "../model/index.js";
import { analyzeSql } from "../sql/index.js";
import { memoizeByText } from "../sql/memo.js";
import type { Catalog } from "./catalog.js";
import { assertRelationsExist, columnLookup } from "./kinds/common.js";
import { DATABASE } from "./kinds/kind.js";
import { checkQuery, deriveColumns } from "./query.js";

/** The SQLAnalyzeResult of a query against the workspace: 62 when it does not parse, 60 when it reads what does not exist. */
export function analyzeQuery(catalog: Catalog, sql: string): JsonObject {
  checkQuery(sql);
  const plan = queryPlan(catalog, sql);
  assertRelationsExist(catalog, plan.relations);
  return plan.analysis;
}

/** The analysis of a stored query (a sink's `plan`): never throws, and reads what exists. */
export function queryPlan(catalog: Catalog | undefined, sql: string): { analysis: JsonObject; relations: readonly string[] } {
  if (catalog === undefined) return planWithoutCatalog(sql);
  try {
    return planUnsafe(catalog, sql);
  } catch {
    return { analysis: planUnsafe(undefined, "").analysis, relations: [] };
  }
}

/**
 * queryPlan without a catalog depends on the text alone (an alert's trigger and resolve SQL in
 * every alert listed), so it is remembered; the answer is only ever serialised, never changed.
 */
const planWithoutCatalog = memoizeByText((sql: string): { analysis: JsonObject; relations: readonly string[] } => {
  try {
    return planUnsafe(undefined, sql);
  } catch {
    return { analysis: planUnsafe(undefined, "").analysis, relations: [] };
  }
});

function planUnsafe(catalog: Catalog | undefined, sql: string): { analysis: JsonObject; relations: readonly string[] } {
  const analysis = analyzeSql(
    sql,
    (relation) => {
      const located = catalog?.relation(relation);
      if (!located) return undefined;
      const columns = ((located.record["columns"] as JsonObject[] | undefined) ?? []).map((column) => ({
        name: String(column["name"]),
        type: String(column["type"] ?? ""),
      }));
      return { columns, isView: located.module.kind === "view" || located.module.kind === "materialized_view" };
    },
    DATABASE,
  );
  const { relations, ...result } = analysis;
  const lookup = catalog ? columnLookup(catalog) : () => undefined;
  const full = {
    ...result,
    result_columns: deriveColumns(sql, lookup).map((column) => ({
      column: String(column["name"]),
      column_type: String(column["type"]),
      database: "",
      is_view: false,
      table: "",
    })),
  } as unknown as JsonObject;
  return { analysis: full, relations };
}
