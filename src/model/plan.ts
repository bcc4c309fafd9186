import type { Address, Kind } from "./kinds.js";
import type { JsonObject, JsonValue } from "./json.js";
import type { DesiredResource, LiveResource } from "./resource.js";

export const PLAN_FORMAT_VERSION = "1";

export type Action = "create" | "update" | "replace" | "delete";

/** One field that differs between a manifest and the live workspace. */
export interface FieldChange {
  /** Top-level API field name, e.g. "query" or "columns". */
  readonly field: string;
  /** Absent when the field is absent on that side. Never shown when `secret`. */
  readonly before?: JsonValue;
  readonly after?: JsonValue;
  /** SQL fields are rendered as a unified diff. */
  readonly isSql: boolean;
  /** A secret value inside this field changed. Secret values are never rendered; only "(secret changed)". */
  readonly secret: boolean;
  /** Which secrets changed, named below the field (e.g. "password"); never their values. */
  readonly changedSecrets?: readonly string[];
  /** True when the API cannot change this field in place. */
  readonly forcesReplace: boolean;
  /**
   * Where the connected driver decides case by case (over SQL): why this change needs a replace,
   * or what changes it in place (e.g. "ALTER VIEW … MODIFY QUERY, which keeps the view's state").
   */
  readonly explanation?: string;
}

/**
 * What the connected driver can change in place: `rest` what the REST API updates
 * (the field rules' `updatable`, src/kinds/), `sql` what SQL DDL alters (their `sql`).
 */
export type InPlace = "rest" | "sql";

interface ChangeBase {
  readonly kind: Kind;
  readonly name: string;
  readonly address: Address;
  /** One line a person can read: why this action. */
  readonly reason: string;
  /** True where data or a running pipeline would be lost. */
  readonly destructive: boolean;
  readonly fieldChanges: readonly FieldChange[];
}

export interface CreateChange extends ChangeBase {
  readonly action: "create";
  readonly desired: DesiredResource;
}
export interface UpdateChange extends ChangeBase {
  readonly action: "update";
  readonly desired: DesiredResource;
  readonly live: LiveResource;
}
export interface ReplaceChange extends ChangeBase {
  readonly action: "replace";
  readonly desired: DesiredResource;
  readonly live: LiveResource;
  /** Set when this resource is replaced only because something it reads is replaced. */
  readonly cascadedFrom?: Address;
}
export interface DeleteChange extends ChangeBase {
  readonly action: "delete";
  readonly live: LiveResource;
}

export type Change = CreateChange | UpdateChange | ReplaceChange | DeleteChange;

/**
 * The unit apply schedules. A replace is two steps (delete, then create) so that dependents can
 * be dropped between them and recreated after.
 */
export type StepPhase = "delete" | "create" | "update";

export interface Step {
  /** `${phase}:${address}`, unique within a plan. */
  readonly id: string;
  readonly phase: StepPhase;
  readonly address: Address;
  /** Ids of the steps that must have succeeded before this one starts. */
  readonly waitsFor: readonly string[];
}

/**
 * The exact SQL statements each change will send, in order, secrets masked: what the SQL driver
 * says it would run for a plan, shown beside the plan (contract: the JSON plan's `statements`).
 * Absent for a change that sends no SQL (REST, or an appserver kind).
 */
export type PlanStatements = ReadonlyMap<Address, readonly string[]>;

export function stepId(phase: StepPhase, address: Address): string {
  return `${phase}:${address}`;
}

/**
 * Why a plan must not be applied as it stands. The planner returns these as data, in the order it
 * found them, and leaves the choice of what to do to its caller: the CLI stops at the first one
 * with the error class (and so the exit status) of its kind (`plan/refusals.ts`), drift reports
 * around the ones that only matter to a change.
 */
export type RefusalKind =
  /** Two live objects behind one declared address (names of id-addressed kinds are not unique). */
  | "ambiguous_name"
  /** `--target`, `--exclude` or `--replace` names nothing declared or live. */
  | "unmatched_selector"
  /** `--replace` names a live resource no manifest declares: it could not be created again. */
  | "replace_undeclared"
  /** The manifests read each other in a circle. */
  | "dependency_cycle"
  /** A replace would need to drop an object something unmanaged reads. */
  | "unmanaged_reader"
  /** A declared resource reads one this plan deletes for good. */
  | "reads_deleted"
  /** `--exclude` leaves out a resource that must be replaced with what it reads. */
  | "exclude_cascade"
  /** A delete the server would refuse because something this plan leaves in place reads it. */
  | "delete_still_read"
  /** `lifecycle.prevent_destroy` on a resource the plan would delete or replace. */
  | "prevent_destroy"
  /** No manifests, yet deletes: usually the wrong folder, not "delete everything". */
  | "empty_manifests";

export interface Refusal {
  readonly kind: RefusalKind;
  /** One line a person can act on; the CLI prints it as the error. */
  readonly message: string;
  /** JSON-safe details, as the error's `meta` in `--format=json` failure documents. */
  readonly meta: JsonObject;
}

export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  /** Only resources that change, in the order they would be applied. */
  readonly changes: readonly Change[];
  /** The schedule: every step of every change, each naming the steps it waits for. */
  readonly steps: readonly Step[];
  /** Live resources no manifest declares and this project does not own: left alone. */
  readonly unmanaged: readonly Address[];
  /** Things a person should know that do not stop the plan. */
  readonly warnings: readonly string[];
  /** Why this plan must not be applied; empty when it may be. */
  readonly refusals: readonly Refusal[];
}

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
}

export function summarizePlan(plan: Plan): PlanSummary {
  const summary = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const change of plan.changes) summary[change.action] += 1;
  return summary;
}

/** What happened to each step when a plan was applied (never thrown halfway; see apply/). */
export type StepOutcome =
  | { readonly stepId: string; readonly status: "applied" }
  | { readonly stepId: string; readonly status: "failed"; readonly error: string }
  | { readonly stepId: string; readonly status: "not-attempted"; readonly blockedBy: string };

export interface ApplyReport {
  readonly outcomes: readonly StepOutcome[];
}

/** The dependency graph of a set of manifests: an edge means `from` depends on `to`. */
export interface DependencyGraph {
  readonly nodes: readonly { readonly kind: Kind; readonly name: string }[];
  readonly edges: readonly { readonly from: Address; readonly to: Address }[];
}
