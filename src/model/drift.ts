import type { Address, Kind } from "./kinds.js";
import type { JsonValue } from "./json.js";

/** What `tpctl drift` reports (plan/drift.ts assembles it, render/drift.ts prints it). */
export const DRIFT_FORMAT_VERSION = "1";

/**
 * changed: declared and live, with fields that differ; missing: declared but not live (deleted out
 * of band); orphaned: carries this project's ownership marker but is no longer declared.
 */
export type DriftStatus = "changed" | "missing" | "orphaned";

/**
 * One field that drifted. Read as "what happened out of band": `before` is what the manifests
 * declare, `after` is what is live now (the reverse of a plan, which shows live -> desired).
 * Both are absent when `secret`, so no renderer can show a secret value.
 */
export interface DriftField {
  readonly field: string;
  readonly before?: JsonValue;
  readonly after?: JsonValue;
  /** SQL fields are rendered as a line diff. */
  readonly isSql: boolean;
  readonly secret: boolean;
  /** Which secrets changed, named below the field; never their values. */
  readonly changedSecrets?: readonly string[];
}

export interface DriftEntry {
  readonly kind: Kind;
  readonly name: string;
  readonly address: Address;
  readonly status: DriftStatus;
  /** Only for "changed"; a missing or orphaned resource differs as a whole. */
  readonly fields: readonly DriftField[];
}

export interface DriftReport {
  readonly formatVersion: typeof DRIFT_FORMAT_VERSION;
  /** The project whose ownership marker makes a live resource ours. */
  readonly project: string;
  /** In kind order (schemas and UDFs first, as apply creates them), then by name. */
  readonly drift: readonly DriftEntry[];
  /** Live resources no manifest declares and this project does not own: not drift by default. */
  readonly unmanaged: readonly Address[];
}

export interface DriftSummary {
  readonly changed: number;
  readonly missing: number;
  readonly orphaned: number;
  readonly unmanaged: number;
}

export function summarizeDrift(report: DriftReport): DriftSummary {
  const count = (status: DriftStatus): number => report.drift.filter((entry) => entry.status === status).length;
  return { changed: count("changed"), missing: count("missing"), orphaned: count("orphaned"), unmanaged: report.unmanaged.length };
}
