import { TpctlError } from "../errors.js";
import type { Change, DesiredResource, InPlace, LiveResource, Plan, PlanStatements, Step, Transport } from "../model/index.js";
import { TRANSPORT_TEXT } from "../model/index.js";
import type { TimeplusClient } from "./http.js";

export type { Transport } from "../model/index.js";

/** What a plan, apply or drift talks to, safe to print (never credentials). */
export interface TargetDescription {
  /** Scheme, host, port and path prefix; user info removed. */
  readonly address: string;
  readonly workspace: string;
  /** e.g. "Timeplus Enterprise", "Timeplus Proton", "the tpctl built-in server"; "Timeplus" when not probed. */
  readonly product: string;
  /** The engine's or appserver's version when a probe learned it. */
  readonly version?: string;
  readonly transport: Transport;
}

/**
 * The requests through which cli/lock.ts takes, renews, reads and releases the workspace lock: the REST
 * client itself, or over SQL a translation of those requests on the lock view (drivers/sql/lock-channel.ts).
 */
export type LockChannel = Pick<TimeplusClient, "request">;

/**
 * What plan and apply need from a deployment, whatever it speaks. Every driver reads into the same
 * `LiveResource` model (REST field names, ownership and dependencies), so that the same manifests
 * give the same plan whichever driver read the workspace.
 */
export interface Driver {
  readonly target: TargetDescription;
  /** What it changes in place, for the planner (`PlanOptions.inPlace`): over SQL more than over REST. */
  readonly inPlace: InPlace;
  /**
   * Every managed kind, with dependencies and ownership, in a number of requests that does not
   * grow with the number of resources. `readOnly` guarantees that nothing but reads is sent (drift).
   */
  readWorkspace(options?: { readonly readOnly?: boolean }): Promise<LiveResource[]>;
  /** Carries out one step of a plan; throws the typed error of the request that failed. */
  runStep(step: Step, change: Change, project: string): Promise<void>;
  /** Refuses, before anything changes, manifests declaring what this deployment cannot hold. */
  checkDesired(desired: readonly DesiredResource[]): void;
  /** The SQL statements a plan's steps would send over this driver, secrets masked; absent when it sends none. */
  statementsOf?(plan: Plan, project: string): PlanStatements;
  /** Where cli/lock.ts takes, renews, reads and releases the workspace lock (one algorithm for every driver). */
  readonly lockChannel: LockChannel;
}

/** The deployment cannot hold what the manifests declare (e.g. a dashboard on a bare engine). */
export class UnsupportedByTargetError extends TpctlError {
  readonly code = "UNSUPPORTED_BY_TARGET";
}

/**
 * One line naming what tpctl talks to and how.
 *
 * @example describeTarget({address: "https://tp.internal", workspace: "default", product: "Timeplus Enterprise", version: "3.3.1", transport: "exec"})
 *          // "Timeplus Enterprise 3.3.1 at https://tp.internal (workspace default), SQL through /exec"
 */
export function describeTarget(target: TargetDescription): string {
  const product = target.version !== undefined ? `${target.product} ${target.version}` : target.product;
  return `${product} at ${target.address} (workspace ${target.workspace}), ${TRANSPORT_TEXT[target.transport]}`;
}
