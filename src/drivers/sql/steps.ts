import { InternalError } from "../../errors.js";
import type { Change, DesiredResource, JsonObject, JsonValue, Step } from "../../model/index.js";
import { deepEqual, isJsonObject, withOwnershipMarker } from "../../model/index.js";
import { callsForStep } from "../rest/calls.js";
import type { ApiCall } from "../http.js";
import { fingerprintSecrets } from "../../model/secrets.js";
import {
  renderAlterNamedCollection,
  renderAlter,
  renderRename,
  secretValuesOfResource,
  type AlterCommand,
  type DdlStatement,
} from "../../sql/ddl/index.js";
import { APPSERVER_KINDS, renderCreate, renderDrop } from "../../kinds/index.js";

/** A DDL statement to send, with the secrets it carries (masked from any error it meets). */
export interface SqlStep {
  readonly statement: DdlStatement;
  readonly secrets: readonly string[];
}

export type StepWork =
  { readonly via: "sql"; readonly statements: readonly SqlStep[] } | { readonly via: "rest"; readonly calls: readonly ApiCall[] };

/**
 * What carries out one step of a plan over SQL. The appserver's own kinds go through REST, as
 * drivers/rest/calls.ts says. Engine objects get the DDL of src/sql/ddl/: delete is `DROP … IF EXISTS`
 * (a re-run converges, as a 404 on DELETE does over REST), create is `CREATE`, and an update does
 * what the planner decided in place, the SQL way: a view, UDF or format schema is re-created with
 * `CREATE OR REPLACE`, a stream's or MV's description, TTL and retention change with `ALTER`, new
 * columns of a stream with `ALTER STREAM … ADD COLUMN`, an MV's query with `ALTER VIEW … MODIFY
 * QUERY` (which keeps its state), a stream's name with `RENAME STREAM`. What the planner replaces is dropped and created.
 */
export function workForStep(step: Step, change: Change, project: string): StepWork {
  if (APPSERVER_KINDS.has(change.kind)) return { via: "rest", calls: callsForStep(step, change, project) };
  switch (step.phase) {
    case "delete":
      if (change.action !== "delete" && change.action !== "replace") break;
      return { via: "sql", statements: [{ statement: renderDrop(change.kind, change.live.name), secrets: [] }] };
    case "create":
      if (change.action !== "create" && change.action !== "replace") break;
      return { via: "sql", statements: create(change.desired, project, false) };
    case "update":
      if (change.action !== "update") break;
      return { via: "sql", statements: update(change, project) };
  }
  throw new InternalError(`step ${step.id} does not fit a ${change.action} of ${change.address}`);
}

function secretsOf(desired: DesiredResource): string[] {
  return secretValuesOfResource(desired.kind, desired.spec, desired.secretPaths);
}

/**
 * The statements that create `desired` for `project`, rendered once per resource and project: a
 * run asks for them twice (the plan's statements, then the apply), and a resource never changes
 * once loaded (it is frozen).
 */
const rendered = new WeakMap<DesiredResource, Map<string, readonly SqlStep[]>>();

function create(desired: DesiredResource, project: string, orReplace: boolean): readonly SqlStep[] {
  const key = `${orReplace ? "replace" : "create"}\u0000${project}`;
  let forResource = rendered.get(desired);
  const known = forResource?.get(key);
  if (known) return known;
  const fingerprint = fingerprintSecrets(desired.kind, desired.spec, desired.secretPaths);
  const secrets = secretsOf(desired);
  const statements = renderCreate(desired, {
    project,
    ...(fingerprint !== undefined ? { secretsFingerprint: fingerprint } : {}),
    ...(orReplace ? { orReplace } : {}),
  }).map((statement) => ({ statement, secrets }));
  if (!forResource) {
    forResource = new Map();
    rendered.set(desired, forResource);
  }
  forResource.set(key, statements);
  return statements;
}

/** `ALTER STREAM … MODIFY COMMENT`: the one change in place of a kind whose only updatable field is its description. */
function updateComment(change: Extract<Change, { action: "update" }>, project: string): SqlStep[] {
  const { desired } = change;
  for (const { field } of change.fieldChanges) {
    if (field !== "description") throw new InternalError(`${change.address}: the plan updates ${field} in place, which SQL cannot do`);
  }
  const value = desired.spec["description"];
  const fingerprint = fingerprintSecrets(desired.kind, desired.spec, desired.secretPaths);
  const comment = withOwnershipMarker(typeof value === "string" ? value : "", project, fingerprint);
  return [{ statement: renderAlter(desired.kind, desired.name, [{ op: "modify_comment", comment }]), secrets: [] }];
}

/** Fields an ALTER changes in place, per kind; the planner lets nothing else be updated for these kinds. */
const STORAGE_FIELDS = new Set(["ttl_expression", "logstore_retention_bytes", "logstore_retention_ms"]);

function update(change: Extract<Change, { action: "update" }>, project: string): readonly SqlStep[] {
  const { desired } = change;
  switch (change.kind) {
    case "view":
    case "udf":
    case "schema":
    case "dictionary":
    case "task":
      return create(desired, project, true);
    case "stream":
    case "mutable_stream":
    case "materialized_view": {
      const streamLike = change.kind === "stream" || change.kind === "mutable_stream";
      const columns: AlterCommand[] = [];
      const storage: AlterCommand[] = [];
      const settings: Record<string, JsonValue> = {};
      let comment: AlterCommand | undefined;
      let query: AlterCommand | undefined;
      let rename: SqlStep | undefined;
      const indexes: AlterCommand[] = [];
      for (const fieldChange of change.fieldChanges) {
        const { field } = fieldChange;
        const value = desired.spec[field];
        if (field === "name" && change.kind === "stream") {
          // previous_name: renamed first, so that the ALTERs below name the stream by its new name.
          rename = { statement: renderRename("stream", change.live.name, desired.name), secrets: [] };
        } else if (field === "description") {
          const fingerprint = fingerprintSecrets(desired.kind, desired.spec, desired.secretPaths);
          comment = { op: "modify_comment", comment: withOwnershipMarker(typeof value === "string" ? value : "", project, fingerprint) };
        } else if (field === "ttl_expression") {
          storage.push(typeof value === "string" && value !== "" ? { op: "modify_ttl", ttl: value } : { op: "remove_ttl" });
        } else if (STORAGE_FIELDS.has(field)) {
          if (value !== undefined) settings[field] = value;
        } else if (field === "columns" && streamLike) {
          // The planner let only new columns after the live ones through (sql/ddl/in-place.ts).
          for (const column of appendedColumns(fieldChange.before, value, change.address)) columns.push({ op: "add_column", column });
        } else if (field === "secondary_indexes" && streamLike) {
          indexes.push(...indexCommands(fieldChange.before, value));
        } else if (field === "query" && change.kind === "materialized_view" && typeof value === "string") {
          query = { op: "modify_query", query: value };
        } else {
          throw new InternalError(`${change.address}: the plan updates ${field} in place, which SQL cannot do`);
        }
      }
      if (Object.keys(settings).length > 0) storage.push({ op: "modify_settings", settings });
      const statements: SqlStep[] = rename ? [rename] : [];
      if (streamLike) {
        const commands = [...columns, ...storage, ...(comment ? [comment] : [])];
        if (commands.length > 0) statements.push({ statement: renderAlter(change.kind, desired.name, commands), secrets: [] });
        // One index per statement, after the new columns it may cover.
        for (const command of indexes) statements.push({ statement: renderAlter(change.kind, desired.name, [command]), secrets: [] });
      } else {
        // MODIFY QUERY is a statement of its own; an MV's comment is the view's (ALTER VIEW); its
        // TTL and retention its inner stream's (ALTER STREAM).
        if (query) statements.push({ statement: renderAlter("materialized_view", desired.name, [query]), secrets: [] });
        if (comment) statements.push({ statement: renderAlter("materialized_view", desired.name, [comment]), secrets: [] });
        if (storage.length > 0) statements.push({ statement: renderAlter("materialized_view", desired.name, storage), secrets: [] });
      }
      return statements;
    }
    case "random_stream":
      return updateComment(change, project);
    case "named_collection": {
      const declared = Array.isArray(desired.spec["settings"]) ? desired.spec["settings"] : [];
      const keys = (settings: JsonValue | undefined): string[] =>
        (Array.isArray(settings) ? settings : []).flatMap((setting) =>
          isJsonObject(setting) && typeof setting["key"] === "string" ? [setting["key"]] : [],
        );
      const kept = new Set(keys(declared));
      const removed = keys(change.live.spec["settings"]).filter((key) => !kept.has(key));
      return [{ statement: renderAlterNamedCollection(desired.name, declared, removed, secretsOf(desired)), secrets: secretsOf(desired) }];
    }
    default:
      throw new InternalError(`${change.address}: a ${change.kind} has no in-place update over SQL`);
  }
}

/** A mutable stream's indexes by name: the removed and changed ones dropped, then the new and changed ones added. */
function indexCommands(before: JsonValue | undefined, after: JsonValue | undefined): AlterCommand[] {
  const list = (value: JsonValue | undefined): JsonObject[] => (Array.isArray(value) ? value.filter(isJsonObject) : []);
  const old = new Map(list(before).map((index) => [String(index["name"]), index]));
  const next = new Map(list(after).map((index) => [String(index["name"]), index]));
  const same = (a: JsonObject | undefined, b: JsonObject): boolean => a !== undefined && deepEqual(a, b);
  return [
    ...[...old].filter(([name, index]) => !same(next.get(name), index)).map(([name]): AlterCommand => ({ op: "drop_index", name })),
    ...[...next].filter(([name, index]) => !same(old.get(name), index)).map(([, index]): AlterCommand => ({ op: "add_index", index })),
  ];
}

/** The declared columns after the live ones (`before` is the live list without the engine's `_tp_*`). */
function appendedColumns(before: JsonValue | undefined, after: JsonValue | undefined, address: string): JsonObject[] {
  if (!Array.isArray(before) || !Array.isArray(after) || after.length <= before.length) {
    throw new InternalError(`${address}: the plan adds columns in place, but none come after the live ones`);
  }
  return after.slice(before.length).filter(isJsonObject);
}
