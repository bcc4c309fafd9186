import type { JsonObject, Kind } from "../model/index.js";
import { KINDS, NAME_PATTERN } from "../model/index.js";
import { alert } from "./alert.js";
import { dashboard } from "./dashboard.js";
import { externalStream } from "./external-stream.js";
import { externalTable } from "./external-table.js";
import type { KindModule } from "./kind.js";
import { materializedView } from "./materialized-view.js";
import { savedQuery } from "./saved-query.js";
import { schema } from "./schema.js";
import { sink } from "./sink.js";
import { source } from "./source.js";
import { stream } from "./stream.js";
import { udf } from "./udf.js";
import { view } from "./view.js";

export type { KindModule } from "./kind.js";
export type { FieldRule } from "./rules.js";

/** Every kind's module: the one place a per-kind fact lives. */
export const KIND_MODULES: Readonly<Record<Kind, KindModule>> = Object.freeze({
  schema,
  udf,
  stream,
  external_stream: externalStream,
  external_table: externalTable,
  source,
  view,
  materialized_view: materializedView,
  sink,
  alert,
  dashboard,
  saved_query: savedQuery,
});

function kindsWhere(test: (module: KindModule) => boolean): ReadonlySet<Kind> {
  return new Set(KINDS.filter((kind) => test(KIND_MODULES[kind])));
}

/** Kinds whose API identity is a server-generated id rather than the name. */
export const ID_KINDS = kindsWhere((module) => module.identity === "id");
/** Kinds that SQL can read with `FROM name`: they share one namespace in the engine. */
export const RELATION_KINDS = kindsWhere((module) => module.relation);
/** Kinds that exist only in the appserver: no DDL, always REST. */
export const APPSERVER_KINDS = kindsWhere((module) => module.home === "appserver");

/** Only a slash (it separates kind from name in an address) and line breaks are refused in a free name. */
const FREE_NAME_PATTERN = /^[^/\r\n]{1,256}$/;

export function isValidName(kind: Kind, name: string): boolean {
  return KIND_MODULES[kind].naming === "free" ? FREE_NAME_PATTERN.test(name) && name.trim() !== "" : NAME_PATTERN.test(name);
}

export function nameRuleFor(kind: Kind): string {
  return KIND_MODULES[kind].naming === "free"
    ? "a name has 1 to 256 characters and no slash or line break"
    : "a name starts with a letter and has at most 64 letters, digits or underscores";
}

/**
 * "/streams": the REST collection of a kind, relative to `/api/v1beta2` (docs/timeplus-api.md §2).
 * Throws for a kind only SQL reaches: the drivers refuse those before anything is sent.
 */
export function restCollectionPath(kind: Kind): string {
  const rest = KIND_MODULES[kind].rest;
  if (!rest) throw new TypeError(`a ${KIND_MODULES[kind].label} has no REST endpoint`);
  return `/${rest.collection}`;
}

/**
 * "/streams/my%20stream": one object of a kind over REST, by its id (kinds with server ids) or its name.
 *
 * @example restItemPath("saved_query", "a b/c?") // "/savedqueries/a%20b%2Fc%3F"
 */
export function restItemPath(kind: Kind, identity: string): string {
  return `${restCollectionPath(kind)}/${encodeURIComponent(identity)}`;
}

/**
 * JSON pointers of the values in `spec` that are secret by their field name, sorted: credentials in
 * properties (sinks, sources, alerts), Slack webhook URLs (which embed a token), a remote UDF's
 * `auth_context.key_value`, and credential settings of external streams and tables.
 */
export function knownSecretPaths(kind: Kind, spec: JsonObject): string[] {
  return [...new Set(KIND_MODULES[kind].secrets?.(spec) ?? [])].sort();
}
