/**
 * What the built-in server serves (`tpctl server --profile`):
 * - `2024`: the seed's REST API v1beta2 only;
 * - `2026`: what a Timeplus Enterprise 3.3 appserver documents: REST for the appserver's own kinds,
 *   reads and deletes of engine objects, topology, and `POST /exec` for SQL; REST create and update
 *   of engine objects answer as an undocumented route does (404);
 * - `engine`: only the engine's SQL HTTP interface, as Proton on 8123/3218;
 * - `all` (the default): every one of them, so the embedded default works with either driver.
 */
export type Profile = "all" | "2024" | "2026" | "engine";

export const PROFILES: readonly Profile[] = ["all", "2024", "2026", "engine"];

/** Kinds whose create and update left the public REST spec in June 2025 (SQL DDL replaces them). */
const ENGINE_KINDS: ReadonlySet<string> = new Set([
  "stream",
  "view",
  "materialized_view",
  "udf",
  "schema",
  "external_stream",
  "external_table",
]);
const WRITE_METHODS: ReadonlySet<string> = new Set(["POST", "PATCH", "PUT"]);

export function servesRest(profile: Profile): boolean {
  return profile !== "engine";
}

export function servesExec(profile: Profile): boolean {
  return profile === "all" || profile === "2026";
}

export function servesEngine(profile: Profile): boolean {
  return profile === "all" || profile === "engine";
}

/**
 * Whether a REST route of `kind` (undefined for routes of no kind, such as topology) is served.
 * Actions such as `POST /materialized_views/{name}/pause` are not creates and stay.
 */
export function restRouteServed(profile: Profile, method: string, kind: string | undefined, path: string): boolean {
  if (!servesRest(profile)) return false;
  if (profile !== "2026" || kind === undefined || !ENGINE_KINDS.has(kind) || !WRITE_METHODS.has(method)) return true;
  const segments = path.split("/").filter((segment) => segment !== "");
  // `/streams` (create) and `/streams/:name` (update) are gone; deeper paths are actions.
  return segments.length > 2;
}

/** Paths the engine answers; anything else on the engine port is not the SQL interface. */
export function isEnginePath(pathname: string): boolean {
  return pathname === "/" || pathname === "/ping" || /^\/(timeplusd|proton)\/(ping|info)$/.test(pathname);
}
