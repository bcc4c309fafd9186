import type { Address, Change, DesiredResource, DriftEntry, DriftField, DriftReport, Kind, LiveResource } from "../model/index.js";
import { DRIFT_FORMAT_VERSION, pointerSegments, KINDS } from "../model/index.js";
import { assemblePlan } from "./plan.js";
import { throwIfRefused } from "./refusals.js";

export interface DriftOptions {
  readonly project: string;
  /** `--target`: only these addresses and the declared resources they need; empty means all. */
  readonly targets?: readonly Address[];
  /** `--exclude`: leave these out, and what reads them. */
  readonly excludes?: readonly Address[];
}

/**
 * Where the live workspace differs from the manifests, derived from the plan that would undo it:
 * create -> missing, update or replace with field changes -> changed, delete -> orphaned. Pure.
 *
 * The plan is made in its "drift" mode: it deletes nothing, so every undeclared resource lands
 * in `unmanaged` and those carrying our marker are orphans; it follows no live dependency edges,
 * so no replace cascades (a cascade is not drift); and it refuses nothing on safety grounds
 * (`prevent_destroy`, a delete something still reads), which only matter to a change. What it
 * still refuses (a cycle in the manifests, an ambiguous name, a selector that matches nothing)
 * is thrown as the error of the first refusal.
 *
 * @example assembleDriftReport(loaded.resources, live, { project: loaded.project })
 */
export function assembleDriftReport(
  desired: readonly DesiredResource[],
  live: readonly LiveResource[],
  options: DriftOptions,
): DriftReport {
  const targets = options.targets ?? [];
  const liveByAddress = new Map(live.map((resource) => [resource.address, resource]));
  const plan = throwIfRefused(
    assemblePlan(desired, live, { project: options.project, mode: "drift", targets, excludes: options.excludes ?? [] }),
  );

  const drift: DriftEntry[] = [];
  for (const change of plan.changes) {
    const entry = entryOf(change);
    if (entry) drift.push(entry);
  }
  const unmanaged: Address[] = [];
  const excludes = options.excludes ?? [];
  const inScope = (address: Address): boolean => (targets.length === 0 || targets.includes(address)) && !excludes.includes(address);
  for (const address of plan.unmanaged) {
    const resource = liveByAddress.get(address);
    if (!resource || !inScope(address)) continue;
    if (resource.owner === options.project) {
      drift.push({ kind: resource.kind, name: resource.name, address, status: "orphaned", fields: [] });
    } else {
      unmanaged.push(address);
    }
  }

  const kindRank = new Map<Kind, number>(KINDS.map((kind, index) => [kind, index]));
  drift.sort((a, b) => (kindRank.get(a.kind) ?? 0) - (kindRank.get(b.kind) ?? 0) || compareText(a.name, b.name));
  return Object.freeze({
    formatVersion: DRIFT_FORMAT_VERSION,
    project: options.project,
    drift: Object.freeze(drift),
    unmanaged: Object.freeze(unmanaged.sort(compareText)),
  });
}

/** Whether the report should fail a cron job (exit 2). Unmanaged objects count only when asked. */
export function hasDrift(report: DriftReport, options: { readonly failOnUnmanaged?: boolean } = {}): boolean {
  return report.drift.length > 0 || (options.failOnUnmanaged === true && report.unmanaged.length > 0);
}

function entryOf(change: Change): DriftEntry | undefined {
  const base = { kind: change.kind, name: change.name, address: change.address };
  switch (change.action) {
    case "create":
      return { ...base, status: "missing", fields: [] };
    case "delete":
      // Not reached: a drift plan deletes nothing. Kept so that the mapping is total.
      return { ...base, status: "orphaned", fields: [] };
    case "update":
    case "replace": {
      // A replace only because something it reads is replaced has no field changes: not drift.
      if (change.fieldChanges.length === 0) return undefined;
      const secretFields = fieldsHoldingSecrets(change.desired.secretPaths);
      const fields = change.fieldChanges.map((fieldChange): DriftField => {
        const secret = fieldChange.secret || secretFields.has(fieldChange.field);
        if (secret) {
          return {
            field: fieldChange.field,
            isSql: fieldChange.isSql,
            secret: true,
            ...(fieldChange.changedSecrets ? { changedSecrets: fieldChange.changedSecrets } : {}),
          };
        }
        // The plan's before is live and its after is desired; drift reads the other way.
        return {
          field: fieldChange.field,
          ...(fieldChange.after !== undefined ? { before: fieldChange.after } : {}),
          ...(fieldChange.before !== undefined ? { after: fieldChange.before } : {}),
          isSql: fieldChange.isSql,
          secret: false,
        };
      });
      return { ...base, status: "changed", fields };
    }
  }
}

/**
 * A field that holds any secret keeps none of its values in the report, even when only its
 * non-secret part drifted: the secret leaves are stripped there already, but the report must not
 * depend on every renderer getting that right.
 */
function fieldsHoldingSecrets(secretPaths: readonly string[]): Set<string> {
  return new Set(secretPaths.map((path) => pointerSegments(path)[0] ?? "").filter((field) => field !== ""));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
