import type { JsonObject, Kind } from "../model/index.js";
import { DEFAULT_DATABASE, KINDS, NAME_PATTERN, splitQualifiedName } from "../model/index.js";
import { DdlRenderError, renderDrop as dropStatement, type DdlResource, type DdlStatement, type RenderOptions } from "../sql/ddl/index.js";
import { alert } from "./alert.js";
import { dashboard } from "./dashboard.js";
import { database } from "./database.js";
import { dictionary } from "./dictionary.js";
import { externalStream } from "./external-stream.js";
import { externalTable } from "./external-table.js";
import type { KindModule } from "./kind.js";
import { materializedView } from "./materialized-view.js";
import { savedQuery } from "./saved-query.js";
import { schema } from "./schema.js";
import { sink } from "./sink.js";
import { source } from "./source.js";
import { mutableStream } from "./mutable-stream.js";
import { namedCollection } from "./named-collection.js";
import { randomStream } from "./random-stream.js";
import { stream } from "./stream.js";
import { task } from "./task.js";
import { udf } from "./udf.js";
import { view } from "./view.js";

export type { KindModule } from "./kind.js";
export type { FieldRule } from "./rules.js";

/** Every kind's module: the one place a per-kind fact lives. */
export const KIND_MODULES: Readonly<Record<Kind, KindModule>> = Object.freeze({
  database,
  schema,
  udf,
  named_collection: namedCollection,
  stream,
  mutable_stream: mutableStream,
  random_stream: randomStream,
  external_stream: externalStream,
  external_table: externalTable,
  dictionary,
  source,
  view,
  materialized_view: materializedView,
  task,
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
/** Kinds the v1beta2 REST API has: the others only SQL reaches. */
export const REST_KINDS: readonly Kind[] = KINDS.filter((kind) => KIND_MODULES[kind].rest !== undefined);

/**
 * Kinds that belong to no database: functions, format schemas, named collections and databases
 * themselves are global in the engine (a `db.` before their name fails to parse).
 */
export const GLOBAL_KINDS = kindsWhere((module) => module.ddl?.drop.global === true);

/** Only a slash (it separates kind from name in an address) and line breaks are refused in a free name. */
const FREE_NAME_PATTERN = /^[^/\r\n]{1,256}$/;

/**
 * A free name by the free rule; an SQL name bare, or as `db.name` (a resource in another database,
 * model/kinds.ts `qualifyName`) except for the global kinds.
 */
export function isValidName(kind: Kind, name: string): boolean {
  if (KIND_MODULES[kind].naming === "free") return FREE_NAME_PATTERN.test(name) && name.trim() !== "";
  if (NAME_PATTERN.test(name)) return true;
  const qualified = splitQualifiedName(name);
  return (
    !GLOBAL_KINDS.has(kind) &&
    qualified.database !== DEFAULT_DATABASE &&
    NAME_PATTERN.test(qualified.database) &&
    NAME_PATTERN.test(qualified.name)
  );
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

/**
 * The statements that create a resource over SQL, as its kind module's DDL renders them.
 *
 * @example renderCreate({kind: "view", name: "v", spec: {name: "v", query: "SELECT 1"}})[0].sql
 *          // "CREATE VIEW `v` AS\nSELECT 1"
 * @throws {DdlRenderError} when a field cannot be written as DDL, or the kind has none (the appserver's own kinds).
 */
export function renderCreate(resource: DdlResource, options: RenderOptions = {}): DdlStatement[] {
  return ddlOf(resource.kind, `${resource.kind}/${resource.name}`).create(resource, options);
}

/** `DROP … IF EXISTS` of a resource, as its kind module says DROP names it. */
export function renderDrop(kind: Kind, name: string, options: { database?: string } = {}): DdlStatement {
  const target = `${kind}/${name}`;
  return dropStatement(ddlOf(kind, target).drop, target, name, options);
}

function ddlOf(kind: Kind, target: string): NonNullable<KindModule["ddl"]> {
  const ddl = KIND_MODULES[kind].ddl;
  if (!ddl) throw new DdlRenderError(target, `a ${kind} exists only in the Timeplus appserver and has no SQL DDL`);
  return ddl;
}
