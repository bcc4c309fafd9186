/**
 * The workspace lock as a chain of leases: pure decisions, no I/O, the clock passed in.
 *
 * Generation g of the lock is a view named `tpctl_lock_<g>` (the legacy `tpctl_lock` of older
 * versions counts as generation 0). The lock is whatever the highest generation says. Taking the
 * lock is always creating the next generation, and creating a named view is the one write a
 * Timeplus appserver makes atomic (a second create of the name is refused with code 57). So a
 * lease that expired is replaced by exactly one run: the one whose create of g+1 succeeded. No
 * lease is ever overwritten by a taker, and the highest generation is never deleted, so the
 * number only grows. Why not PATCH or delete-then-create: docs/locking.md.
 */
import { LOCK_PREFIX } from "../model/index.js";

/** About a minute: a run that was killed blocks others for at most this long. */
export const LEASE_TTL_MS = 60_000;
/** The holder renews this often, well inside the lease. */
export const RENEW_EVERY_MS = 15_000;
/**
 * A holder stops trusting its lease this long before it ends by its own clock, and a taker waits
 * this long after it ended by its clock: room for clock skew between machines and a slow request.
 */
export const SKEW_MS = 10_000;

export interface LeaseTiming {
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  readonly skewMs: number;
}

export const DEFAULT_TIMING: LeaseTiming = { ttlMs: LEASE_TTL_MS, renewEveryMs: RENEW_EVERY_MS, skewMs: SKEW_MS };

/** A shorter (or longer) lease keeps the default's proportions: renew at a quarter, a sixth of margin. */
export function timingFor(ttlMs: number): LeaseTiming {
  return { ttlMs, renewEveryMs: Math.floor(ttlMs / 4), skewMs: Math.floor(ttlMs / 6) };
}

export interface Lease {
  readonly holder: string;
  /** Random per run (a UUID): tells our own lease from another's. */
  readonly token: string;
  readonly operation: string;
  /** ISO time the run first took the lock. */
  readonly since: string;
  /** ISO time the lease ends unless renewed. */
  readonly expires: string;
  /** Set by the holder when it is done: the next run takes the lock at once. */
  readonly released?: boolean;
}

export interface LockGeneration {
  readonly generation: number;
  readonly name: string;
  /** Undefined when the description is not a lease we can read (it then counts as expired). */
  readonly lease: Lease | undefined;
}

export function generationName(generation: number): string {
  return generation === 0 ? LOCK_PREFIX : `${LOCK_PREFIX}_${generation}`;
}

/** The generation a view name stands for, or undefined if the view is not part of the lock. */
export function generationOf(name: string): number | undefined {
  if (name === LOCK_PREFIX) return 0;
  const match = /^tpctl_lock_([1-9][0-9]{0,14})$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function parseLease(description: unknown): Lease | undefined {
  if (typeof description !== "string") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(description);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const text = (key: string, fallback: string): string => (typeof record[key] === "string" ? record[key] : fallback);
  const expires = text("expires", "");
  if (Number.isNaN(Date.parse(expires))) return undefined;
  return {
    holder: text("holder", "an unknown run"),
    token: text("token", ""),
    operation: text("operation", "apply"),
    since: text("since", "an unknown time"),
    expires,
    ...(record["released"] === true ? { released: true } : {}),
  };
}

export function renderLease(lease: Lease): string {
  return JSON.stringify(lease);
}

/** The lock's generations among the listed views, highest first. */
export function lockGenerations(views: readonly { name?: unknown; description?: unknown }[]): LockGeneration[] {
  const found: LockGeneration[] = [];
  for (const view of views) {
    if (typeof view.name !== "string") continue;
    const generation = generationOf(view.name);
    if (generation === undefined) continue;
    found.push({ generation, name: view.name, lease: parseLease(view.description) });
  }
  return found.sort((a, b) => b.generation - a.generation);
}

export type LockDecision =
  /** Create generation `generation` (the lock is free, released or expired). */
  | { readonly kind: "take"; readonly generation: number }
  /** Our own lease is the highest: the answer to our create was lost, but it landed. */
  | { readonly kind: "ours"; readonly generation: number }
  /** Another run holds a live lease. */
  | { readonly kind: "held"; readonly lease: Lease; readonly generation: number };

/** What a run holding `token` should do, given the generations it just listed. */
export function decide(generations: readonly LockGeneration[], token: string, nowMs: number, timing = DEFAULT_TIMING): LockDecision {
  const top = generations[0];
  if (!top) return { kind: "take", generation: 1 };
  if (top.lease && top.lease.token === token) return { kind: "ours", generation: top.generation };
  if (top.lease && !top.lease.released && !isExpired(top.lease, nowMs, timing)) {
    return { kind: "held", lease: top.lease, generation: top.generation };
  }
  return { kind: "take", generation: top.generation + 1 };
}

/** Expired for a taker: the lease ended, plus the skew margin, by the taker's clock. */
export function isExpired(lease: Lease, nowMs: number, timing = DEFAULT_TIMING): boolean {
  return nowMs >= Date.parse(lease.expires) + timing.skewMs;
}

/**
 * Whether a run that created generation `generation` won: its generation is the highest now
 * listed. A run whose read was overtaken (it created a generation below one that already exists)
 * lost, and removes what it created.
 */
export function won(generations: readonly LockGeneration[], generation: number, token: string): boolean {
  const top = generations[0];
  return top !== undefined && top.generation === generation && top.lease?.token === token;
}

/** Generations below the winner's: dead leases the winner may delete. */
export function leftovers(generations: readonly LockGeneration[], generation: number): LockGeneration[] {
  return generations.filter((candidate) => candidate.generation < generation);
}

export function newLease(
  input: { holder: string; token: string; operation: string; nowMs: number; since?: string },
  timing = DEFAULT_TIMING,
): Lease {
  return {
    holder: input.holder,
    token: input.token,
    operation: input.operation,
    since: input.since ?? isoTime(input.nowMs),
    expires: isoTime(input.nowMs + timing.ttlMs),
  };
}

export function renewed(lease: Lease, nowMs: number, timing = DEFAULT_TIMING): Lease {
  return { ...lease, expires: isoTime(nowMs + timing.ttlMs) };
}

/**
 * A holder trusts its lease until SKEW_MS before the end of the last renewal it saw confirmed,
 * measured on its own (monotonic) clock from when it sent that renewal. Past that, another run may
 * already have taken the lock, and the holder must stop writing.
 */
export function stillTrusted(lastConfirmedSentAtMs: number, nowMs: number, timing = DEFAULT_TIMING): boolean {
  return nowMs < lastConfirmedSentAtMs + timing.ttlMs - timing.skewMs;
}

/**
 * Epoch milliseconds as an ISO 8601 UTC time ("2026-11-27T10:00:00.000Z"), computed rather than
 * through Date so that this module provably reads no clock (house style); days to a civil date
 * after Howard Hinnant's `civil_from_days`.
 */
export function isoTime(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const inDay = ms - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const pad = (value: number, width = 2): string => String(value).padStart(width, "0");
  const hours = Math.floor(inDay / 3_600_000);
  const minutes = Math.floor((inDay % 3_600_000) / 60_000);
  const seconds = Math.floor((inDay % 60_000) / 1000);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(inDay % 1000, 3)}Z`;
}

/** `30s`, `2m`, `1h`, `500ms` or a bare number of seconds; 0 means "do not wait". */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
  return value * factor;
}
