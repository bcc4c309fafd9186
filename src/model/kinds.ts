/**
 * The resource kinds tpctl manages. What tpctl knows about each (identity, fields, references,
 * endpoints) is in its module under src/kinds/.
 */
export const KINDS = [
  "database",
  "schema",
  "udf",
  "named_collection",
  "stream",
  "mutable_stream",
  "random_stream",
  "external_stream",
  "external_table",
  "dictionary",
  "source",
  "view",
  "materialized_view",
  "task",
  "sink",
  "alert",
  "dashboard",
  "saved_query",
] as const;

export type Kind = (typeof KINDS)[number];

export function isKind(value: unknown): value is Kind {
  return typeof value === "string" && (KINDS as readonly string[]).includes(value);
}

/** The session database: a name without a database qualifier lives here. */
export const DEFAULT_DATABASE = "default";

/**
 * The name a resource goes by in tpctl: its bare name in the default database, `db.name` in any
 * other (docs/sql-driver.md, "Databases"). A database name is an identifier, so it has no dot and
 * the first dot splits the two unambiguously.
 *
 * @example qualifyName("analytics", "events") // "analytics.events"
 * @example qualifyName("default", "events") // "events"
 */
export function qualifyName(database: string | undefined, name: string): string {
  return database === undefined || database === DEFAULT_DATABASE ? name : `${database}.${name}`;
}

/** The database and the bare name of a name `qualifyName` made. */
export function splitQualifiedName(name: string): { readonly database: string; readonly name: string } {
  const dot = name.indexOf(".");
  return dot <= 0 ? { database: DEFAULT_DATABASE, name } : { database: name.slice(0, dot), name: name.slice(dot + 1) };
}

/** "stream/car_live_data" (or "stream/analytics.events" in database analytics): the stable, printable identity of a resource within a workspace. */
export type Address = `${Kind}/${string}`;

export function addressOf(kind: Kind, name: string): Address {
  return `${kind}/${name}`;
}

export function parseAddress(text: string): { readonly kind: Kind; readonly name: string } | undefined {
  const slash = text.indexOf("/");
  if (slash <= 0) return undefined;
  const kind = text.slice(0, slash);
  const name = text.slice(slash + 1);
  if (!isKind(kind) || name === "") return undefined;
  return { kind, name };
}

/** The API's naming rule for streams, views and other named objects (docs/timeplus-api.md §3.1). */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
