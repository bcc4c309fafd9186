/**
 * The view names tpctl keeps for the workspace lock (lock/lease.ts): `tpctl_lock` and
 * `tpctl_lock_<generation>`. Here, below every stage, because the manifest validator refuses them,
 * both drivers' readers hide them and the SQL lock channel recognises them.
 */
export const LOCK_PREFIX = "tpctl_lock";

/** True for every name tpctl keeps for itself: a manifest may not declare one, a plan never shows one. */
export function isReservedName(name: string): boolean {
  return name === LOCK_PREFIX || name.startsWith(`${LOCK_PREFIX}_`);
}
