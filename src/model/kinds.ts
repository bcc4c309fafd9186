/**
 * The resource kinds tpctl manages, and how each is identified by the Timeplus API.
 * See docs/timeplus-api.md §2: some kinds are addressed by name in their path,
 * the others get a server-generated id and carry `name` as an ordinary, updatable field.
 */
export const KINDS = [
  "schema",
  "udf",
  "stream",
  "external_stream",
  "external_table",
  "source",
  "view",
  "materialized_view",
  "sink",
  "alert",
  "dashboard",
  "saved_query",
] as const;

export type Kind = (typeof KINDS)[number];

/** Kinds whose API identity is a server-generated id rather than the name. */
export const ID_KINDS: ReadonlySet<Kind> = new Set<Kind>(["source", "sink", "alert", "dashboard", "saved_query"]);

/** Kinds that SQL can read with `FROM name`: they share one namespace in the engine. */
export const RELATION_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  "stream",
  "view",
  "materialized_view",
  "external_stream",
  "external_table",
]);

export function isKind(value: unknown): value is Kind {
  return typeof value === "string" && (KINDS as readonly string[]).includes(value);
}

/** "stream/car_live_data": the stable, printable identity of a resource within a workspace. */
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

/**
 * Kinds the API lets be named anything, as the Timeplus UI does ("Fleet overview"): their name is
 * a plain field beside a server id. Only a slash (it separates kind from name in an address) and
 * line breaks are refused.
 */
export const FREE_NAME_KINDS: ReadonlySet<Kind> = new Set<Kind>(["alert", "dashboard", "saved_query"]);
export const FREE_NAME_PATTERN = /^[^/\r\n]{1,256}$/;

export function isValidName(kind: Kind, name: string): boolean {
  return FREE_NAME_KINDS.has(kind) ? FREE_NAME_PATTERN.test(name) && name.trim() !== "" : NAME_PATTERN.test(name);
}

export function nameRuleFor(kind: Kind): string {
  return FREE_NAME_KINDS.has(kind)
    ? "a name has 1 to 256 characters and no slash or line break"
    : "a name starts with a letter and has at most 64 letters, digits or underscores";
}
