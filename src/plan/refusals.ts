import { DependencyCycleError, LiveStateError, SafetyRefusal, UsageError, type TpctlError } from "../errors.js";
import type { Change, JsonObject, Plan, Refusal, RefusalKind } from "../model/index.js";

export function refusal(kind: RefusalKind, message: string, meta: JsonObject = {}): Refusal {
  return Object.freeze({ kind, message, meta: Object.freeze({ ...meta }) });
}

/**
 * The error each kind of refusal has always been, so that the CLI's exit status, its message and
 * the `code` and `meta` of a `--format=json` failure stay what they were when the planner threw:
 * bad flags are usage errors (2), a workspace tpctl cannot plan against is a live-state error (1),
 * protection and an empty manifest set are safety refusals (3).
 */
const ERROR_OF: Readonly<Record<RefusalKind, (refused: Refusal) => TpctlError>> = {
  ambiguous_name: (refused) => new LiveStateError(refused.message, { meta: refused.meta }),
  unmatched_selector: (refused) => new UsageError(refused.message, { meta: refused.meta }),
  replace_undeclared: (refused) => new UsageError(refused.message, { meta: refused.meta }),
  dependency_cycle: (refused) => new DependencyCycleError(cycleOf(refused)),
  unmanaged_reader: (refused) => new LiveStateError(refused.message, { meta: refused.meta }),
  reads_deleted: (refused) => new LiveStateError(refused.message, { meta: refused.meta }),
  exclude_cascade: (refused) => new UsageError(refused.message, { meta: refused.meta }),
  delete_still_read: (refused) => new LiveStateError(refused.message, { meta: refused.meta }),
  prevent_destroy: (refused) => new SafetyRefusal(refused.message, { meta: refused.meta }),
  empty_manifests: (refused) => new SafetyRefusal(refused.message, { meta: refused.meta }),
};

export function refusalError(refused: Refusal): TpctlError {
  return ERROR_OF[refused.kind](refused);
}

/**
 * A plan that may be applied, or the error of its first refusal: the first one found is the one
 * the user meets first (the inputs before the changes, the changes before their safety).
 *
 * @example const plan = throwIfRefused(assemblePlan(desired, live, { project }));
 */
export function throwIfRefused(plan: Plan): Plan {
  const first = plan.refusals[0];
  if (first) throw refusalError(first);
  return plan;
}

/** A cycle refusal from the error graph.ts throws, keeping the cycle it names. */
export function cycleRefusal(error: DependencyCycleError): Refusal {
  return refusal("dependency_cycle", error.message, { cycle: [...error.cycle] });
}

function cycleOf(refused: Refusal): string[] {
  const cycle = refused.meta["cycle"];
  return Array.isArray(cycle) ? cycle.map(String) : [];
}

/**
 * No manifests at all usually means the wrong folder, not "delete everything": planning that is
 * what `tpctl destroy` is for.
 */
export function emptyManifests(declaredCount: number, changes: readonly Change[], project: string): Refusal[] {
  if (declaredCount > 0) return [];
  const deletes = changes.filter((change) => change.action === "delete").length;
  if (deletes === 0) return [];
  return [
    refusal(
      "empty_manifests",
      `no manifests were found, so this plan would delete all ${deletes} resources project "${project}" created; check the path, or use tpctl destroy to remove them on purpose`,
      { deletes },
    ),
  ];
}
