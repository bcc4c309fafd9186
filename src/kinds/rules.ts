import type { JsonValue } from "../model/index.js";

/**
 * How the diff treats one manifest field of a kind, and what the Timeplus REST API lets tpctl do
 * with it (docs/timeplus-api.md §3 and §4).
 */
export interface FieldRule {
  /** How values are compared. */
  readonly compare: "value" | "sql" | "columns" | "text" | "sparse" | "settings";
  /** The REST API changes this field in place; otherwise a change forces a replace. */
  readonly updatable: boolean;
  /**
   * The value the server stores when the field is omitted. When a manifest omits a field with a
   * known default, the live value is compared with the default (so removing a description clears it).
   */
  readonly default?: JsonValue;
  /**
   * The server fills the field in when omitted, with a value that depends on the deployment
   * (retention, TTL): compared only when the manifest declares it.
   */
  readonly computed?: boolean;
  /** The API does not return it on read, so it cannot be compared (e.g. a stream's replication_factor). */
  readonly writeOnly?: boolean;
  /**
   * Over SQL, where it differs from `updatable` (docs/sql-driver.md, "In place over SQL"): a boolean
   * says it outright; a name says which test of src/sql/ddl/in-place.ts decides per change
   * (`columns_appended`: only new columns after the existing ones; `query_compatible`: a
   * materialized view's query that ALTER VIEW … MODIFY QUERY can take).
   */
  readonly sql?: boolean | "columns_appended" | "query_compatible";
}

export const sqlReplace: FieldRule = { compare: "sql", updatable: false };
export const sqlUpdate: FieldRule = { compare: "sql", updatable: true };
export const description: FieldRule = { compare: "text", updatable: true, default: "" };
export const fixed: FieldRule = { compare: "value", updatable: false };
export const fixedComputed: FieldRule = { compare: "value", updatable: false, computed: true };
/** Accepted on create but not returned by GET (the seed's Stream response; the Terraform provider): cannot be compared. */
export const writeOnly: FieldRule = { compare: "value", updatable: false, writeOnly: true };
export const retention: FieldRule = { compare: "value", updatable: true, computed: true };
export const ttl: FieldRule = { compare: "sql", updatable: true, computed: true };
export const properties: FieldRule = { compare: "sparse", updatable: true, default: {} };
