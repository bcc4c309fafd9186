import type { Address, Change, DesiredResource, LiveResource, Refusal } from "../model/index.js";
import { refusal } from "./refusals.js";

/**
 * The rules of `tpctl destroy`, which plans an empty manifest set in which what the manifests
 * declare counts as ours to delete, as what the project created does; everything else is left
 * alone. `assemblePlan` applies them in its "destroy" mode.
 */

/**
 * `prevent_destroy` on a declared resource that is live and in scope refuses the whole destroy,
 * before anything else is looked at: destroy exists to delete, so there is no plan to show.
 */
export function protectedFromDestroy(
  declared: readonly DesiredResource[],
  live: readonly LiveResource[],
  selection: { readonly targets?: readonly Address[]; readonly excludes?: readonly Address[] },
): Refusal[] {
  const targets = selection.targets ?? [];
  const excludes = selection.excludes ?? [];
  const liveAddresses = new Set(live.map((resource) => resource.address));
  const refusals: Refusal[] = [];
  for (const resource of declared) {
    if (!resource.lifecycle.preventDestroy) continue;
    const inScope = (targets.length === 0 || targets.includes(resource.address)) && !excludes.includes(resource.address);
    if (!inScope || !liveAddresses.has(resource.address)) continue;
    refusals.push(
      refusal(
        "prevent_destroy",
        `${resource.address} has lifecycle.prevent_destroy set, so destroy will not delete it; lift the protection first, or leave it out with --target`,
        { address: resource.address, action: "delete" },
      ),
    );
  }
  return refusals;
}

/** Why destroy deletes a live resource the manifests declare (what the project created says so itself). */
export const DESTROY_DECLARED_REASON = "declared in the manifests, so destroy deletes it";

/**
 * Destroy deletes what the manifests declare even when another project's marker is on it; as
 * plan does before such a change, it says so.
 */
export function destroyWarnings(changes: readonly Change[], declared: ReadonlySet<Address>, project: string): string[] {
  const warnings: string[] = [];
  for (const change of changes) {
    if (!declared.has(change.address) || change.action !== "delete") continue;
    const owner = change.live.owner;
    if (owner !== undefined && owner !== project) {
      warnings.push(`${change.address} is declared here but was created by project "${owner}"; destroy deletes it all the same`);
    }
  }
  return warnings;
}
