import { InternalError } from "../../errors.js";
import type { Change, DesiredResource, JsonValue, Step } from "../../model/index.js";
import { isJsonObject, withOwnershipMarker } from "../../model/index.js";
import { callsForStep } from "../../apply/calls.js";
import type { ApiCall } from "../../live/client.js";
import { fingerprintSecrets } from "../../plan/secrets.js";
import {
  renderAlterNamedCollection,
  renderAlter,
  renderCreate,
  renderDrop,
  secretValuesOfResource,
  type AlterCommand,
  type DdlStatement,
} from "../../sql/ddl/index.js";
import { APPSERVER_KINDS } from "../../kinds/index.js";

/** A DDL statement to send, with the secrets it carries (masked from any error it meets). */
export interface SqlStep {
  readonly statement: DdlStatement;
  readonly secrets: readonly string[];
}

export type StepWork =
  { readonly via: "sql"; readonly statements: readonly SqlStep[] } | { readonly via: "rest"; readonly calls: readonly ApiCall[] };

/**
 * What carries out one step of a plan over SQL. The appserver's own kinds go through REST, as
 * apply/calls.ts says. Engine objects get the DDL of src/sql/ddl/: delete is `DROP … IF EXISTS`
 * (a re-run converges, as a 404 on DELETE does over REST), create is `CREATE`, and an update does
 * what the planner decided in place, the SQL way: a view, UDF or format schema is re-created with
 * `CREATE OR REPLACE`, a stream's or MV's description, TTL and retention change with `ALTER`.
 * The planner's decisions are the REST planner's: what it replaces is dropped and created.
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

function create(desired: DesiredResource, project: string, orReplace: boolean): SqlStep[] {
  const fingerprint = fingerprintSecrets(desired.kind, desired.spec, desired.secretPaths);
  const secrets = secretsOf(desired);
  return renderCreate(desired, {
    project,
    ...(fingerprint !== undefined ? { secretsFingerprint: fingerprint } : {}),
    ...(orReplace ? { orReplace } : {}),
  }).map((statement) => ({ statement, secrets }));
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

function update(change: Extract<Change, { action: "update" }>, project: string): SqlStep[] {
  const { desired } = change;
  switch (change.kind) {
    case "view":
    case "udf":
    case "schema":
    case "dictionary":
    case "task":
      return create(desired, project, true);
    case "stream":
    case "materialized_view": {
      const storage: AlterCommand[] = [];
      const settings: Record<string, JsonValue> = {};
      let comment: AlterCommand | undefined;
      for (const { field } of change.fieldChanges) {
        const value = desired.spec[field];
        if (field === "description") {
          const fingerprint = fingerprintSecrets(desired.kind, desired.spec, desired.secretPaths);
          comment = { op: "modify_comment", comment: withOwnershipMarker(typeof value === "string" ? value : "", project, fingerprint) };
        } else if (field === "ttl_expression") {
          storage.push(typeof value === "string" && value !== "" ? { op: "modify_ttl", ttl: value } : { op: "remove_ttl" });
        } else if (STORAGE_FIELDS.has(field) && value !== undefined) {
          settings[field] = value;
        } else if (!STORAGE_FIELDS.has(field)) {
          throw new InternalError(`${change.address}: the plan updates ${field} in place, which SQL cannot do`);
        }
      }
      if (Object.keys(settings).length > 0) storage.push({ op: "modify_settings", settings });
      const statements: SqlStep[] = [];
      if (change.kind === "stream") {
        const commands = [...storage, ...(comment ? [comment] : [])];
        if (commands.length > 0) statements.push({ statement: renderAlter("stream", desired.name, commands), secrets: [] });
      } else {
        // An MV's comment is the view's (ALTER VIEW); its TTL and retention its inner stream's (ALTER STREAM).
        if (comment) statements.push({ statement: renderAlter("materialized_view", desired.name, [comment]), secrets: [] });
        if (storage.length > 0) statements.push({ statement: renderAlter("materialized_view", desired.name, storage), secrets: [] });
      }
      return statements;
    }
    case "random_stream":
    case "mutable_stream":
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
