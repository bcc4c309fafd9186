import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { ApiError, InterruptedError, NetworkError, TimeoutError, TpctlError, UsageError } from "../errors.js";
import type { TimeplusClient } from "../drivers/http.js";
import {
  decide,
  generationName,
  leftovers,
  lockGenerations,
  newLease,
  parseLease,
  renderLease,
  renewed,
  DEFAULT_TIMING,
  timingFor,
  type LeaseTiming,
  stillTrusted,
  won,
  type Lease,
  type LockGeneration,
} from "../lock/lease.js";

/**
 * One writer at a time, across machines and CI runners: the lock is a chain of lease views in the
 * workspace itself (lock/lease.ts decides; this file only talks to the API). tpctl never plans or
 * shows these views (drivers/rest/normalize.ts skips them). Why this is safe: docs/locking.md.
 */
export class LockHeldError extends TpctlError {
  readonly code = "LOCK_HELD";
}

/** The lease was taken over while this run held it (it stalled past its lease): stop writing. */
export class LockLostError extends TpctlError {
  readonly code = "LOCK_LOST";
}

export interface HeldLock {
  /** Aborted when the lease can no longer be trusted; the run must stop starting writes. */
  readonly lost: AbortSignal;
  /**
   * Stops renewing and marks the lease released, only if it is still ours, retrying transient
   * failures. Never throws: a release that fails is a warning (the lease ends by itself).
   */
  release(): Promise<{ warning?: string }>;
}

export interface LockClock {
  now(): number;
  /**
   * Resolves after `ms`, or early when `signal` aborts. With `background`, the wait does not keep
   * the process alive on its own (renewals); without, it does (waiting for the lock is the work).
   */
  sleep(ms: number, signal?: AbortSignal, background?: boolean): Promise<void>;
}

type Client = Pick<TimeplusClient, "request">;

const systemClock: LockClock = {
  now: () => Date.now(),
  sleep: (ms, signal, background) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      if (background) timer.unref();
      function done(): void {
        signal?.removeEventListener("abort", done);
        clearTimeout(timer);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** How often a waiting run looks again at a held lock. */
const POLL_MS = 2_000;
/** Failures in transit tolerated in a row, with backoff, before giving up. */
const TRANSIENT_RETRIES = 5;

export interface AcquireOptions {
  readonly holder: string;
  readonly operation: string;
  readonly token: string;
  /** How long to wait for a held lock; 0 refuses at once. */
  readonly timeoutMs: number;
  readonly clock?: LockClock;
  /** Cancels waiting (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** How long a lease lasts, how often it is renewed (default: lock/lease.ts). */
  readonly timing?: LeaseTiming;
  /** Overrides the timing's renewal interval (tests). */
  readonly renewEveryMs?: number;
  /** Overrides POLL_MS, how often a waiting run looks again (tests). */
  readonly pollMs?: number;
}

/** A lock, and what was read while its taking was being confirmed. */
export interface HeldLockWith<T> {
  readonly lock: HeldLock;
  readonly value: T;
}

/** Takes the workspace lock for `operation`, as this process. */
export async function takeWorkspaceLock(
  client: Client,
  environment: Readonly<Record<string, string | undefined>>,
  operation: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HeldLock> {
  return (await takeWorkspaceLockAndRead(client, environment, operation, options, () => Promise.resolve(undefined))).lock;
}

/**
 * Takes the workspace lock for `operation` and runs `read` once the lease is created, alongside
 * the listing that confirms it (acquireLockAndRead): the read a locked command makes first
 * costs no round trip of its own.
 */
export function takeWorkspaceLockAndRead<T>(
  client: Client,
  environment: Readonly<Record<string, string | undefined>>,
  operation: string,
  options: { timeoutMs?: number; signal?: AbortSignal },
  read: () => Promise<T>,
): Promise<HeldLockWith<T>> {
  return acquireLockAndRead(
    client,
    {
      holder: describeHolder(environment),
      operation,
      token: randomUUID(),
      timeoutMs: options.timeoutMs ?? 0,
      timing: leaseTimingFrom(environment),
      ...(options.signal ? { signal: options.signal } : {}),
    },
    read,
  );
}

/**
 * `TPCTL_LOCK_LEASE_MS` (1000 to 600000, default 60000): how long a lease lasts, i.e. how long a
 * killed run blocks others. Every run against one workspace should use the same value.
 */
export function leaseTimingFrom(environment: Readonly<Record<string, string | undefined>>): LeaseTiming {
  const text = environment["TPCTL_LOCK_LEASE_MS"];
  if (text === undefined || text === "") return DEFAULT_TIMING;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1000 || value > 600_000) {
    throw new UsageError(`TPCTL_LOCK_LEASE_MS must be a whole number of milliseconds from 1000 to 600000, not "${text}"`);
  }
  return timingFor(value);
}

export function describeHolder(environment: Readonly<Record<string, string | undefined>>): string {
  const explicit = environment["TPCTL_LOCK_HOLDER"];
  if (explicit) return explicit;
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry in some containers
  }
  const ci = environment["GITHUB_RUN_ID"] ? ` (GitHub run ${environment["GITHUB_RUN_ID"]})` : "";
  return `${user}@${hostname()} pid ${process.pid}${ci}`;
}

export async function acquireLock(client: Client, options: AcquireOptions): Promise<HeldLock> {
  return (await acquireLockAndRead(client, options, () => Promise.resolve(undefined))).lock;
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

/**
 * acquireLock, with `read` started the moment our lease view is created, alongside the listing
 * that confirms we won. The lease is ours from its create on if that listing says we won, so what
 * `read` saw was read under the lock; if we lost, its answer is dropped and the loop goes on. A
 * `read` that fails after we won releases the lock before its error is thrown.
 */
export async function acquireLockAndRead<T>(client: Client, options: AcquireOptions, read: () => Promise<T>): Promise<HeldLockWith<T>> {
  const clock = options.clock ?? systemClock;
  const timing = options.timing ?? DEFAULT_TIMING;
  const deadline = clock.now() + options.timeoutMs;
  const transient = retryBudget(clock);
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError("Interrupted while waiting for the workspace lock; nothing was changed.");
    let generations: LockGeneration[];
    try {
      generations = await listGenerations(client);
    } catch (error) {
      await transient.absorb(error);
      continue;
    }
    const sentAt = clock.now();
    const decision = decide(generations, options.token, sentAt, timing);
    if (decision.kind === "ours") {
      // Our create landed though its answer was lost.
      const lease = generations[0]?.lease as Lease;
      const lock = holdLease(client, clock, { ...options, generation: decision.generation, lease, confirmedAt: sentAt }, generations);
      return await withRead(lock, await settle(read()));
    }
    if (decision.kind === "held") {
      const now = clock.now();
      if (now >= deadline) throw heldError(decision.lease, decision.generation, options.timeoutMs);
      await clock.sleep(Math.min(options.pollMs ?? Math.min(POLL_MS, timing.renewEveryMs), deadline - now), options.signal);
      continue;
    }
    const lease = newLease({ holder: options.holder, token: options.token, operation: options.operation, nowMs: sentAt }, timing);
    try {
      await client.request({
        method: "POST",
        path: "/views",
        body: { name: generationName(decision.generation), query: "SELECT 1 AS locked", description: renderLease(lease) },
      });
    } catch (error) {
      // 57: another run created this generation first; listing again tells who holds the lock now.
      if (error instanceof ApiError && error.apiCode === 57) continue;
      // Lost in transit: the create may have landed; listing again tells (decision "ours").
      await transient.absorb(error);
      continue;
    }
    // The confirming listing goes out before the read: a read is many requests, and a listing
    // sent after them waited behind them all (for a slot here, then in the server's queue), so
    // that it was the last answer in.
    const confirming = settle(listGenerations(client));
    const alongside = settle(read());
    const listed = await confirming;
    if (!listed.ok) {
      await alongside;
      await transient.absorb(listed.error);
      continue;
    }
    const after = listed.value;
    if (won(after, decision.generation, options.token)) {
      const lock = holdLease(client, clock, { ...options, generation: decision.generation, lease, confirmedAt: sentAt }, after);
      return await withRead(lock, await alongside);
    }
    await alongside;
    // Our read was overtaken: a higher generation exists. What we created is below it; remove it.
    await client.request({ method: "DELETE", path: `/views/${generationName(decision.generation)}`, alsoOk: [404] }).catch(() => undefined);
  }
}

async function withRead<T>(lock: HeldLock, read: Settled<T>): Promise<HeldLockWith<T>> {
  if (read.ok) return { lock, value: read.value };
  await lock.release();
  throw read.error;
}

interface HoldInput extends AcquireOptions {
  readonly generation: number;
  readonly lease: Lease;
  readonly confirmedAt: number;
}

function holdLease(client: Client, clock: LockClock, input: HoldInput, listed: readonly LockGeneration[]): HeldLock {
  const name = generationName(input.generation);
  // Generations below ours are dead leases; the highest is never deleted, so the chain only grows.
  // Removing them is tidying, best effort, so it runs beside the work instead of before it.
  const tidied = Promise.all(
    leftovers(listed, input.generation).map((old) =>
      client.request({ method: "DELETE", path: `/views/${old.name}`, alsoOk: [404] }).catch(() => undefined),
    ),
  );
  const lost = new AbortController();
  const stop = new AbortController();
  let lease = input.lease;
  let confirmedAt = input.confirmedAt;
  const timing = input.timing ?? DEFAULT_TIMING;
  const every = input.renewEveryMs ?? timing.renewEveryMs;

  const renewLoop = (async () => {
    let wait = every;
    while (!stop.signal.aborted) {
      await clock.sleep(wait, stop.signal, true);
      if (stop.signal.aborted) return;
      const sentAt = clock.now();
      try {
        const generations = await listGenerations(client);
        if (stop.signal.aborted) return;
        if (!won(generations, input.generation, input.token)) {
          lost.abort(
            new LockLostError("another run took over the workspace lock while this run held it; stopped before starting more changes"),
          );
          return;
        }
        const next = renewed(lease, sentAt, timing);
        await client.request({ method: "PATCH", path: `/views/${name}`, body: { description: renderLease(next) } });
        lease = next;
        confirmedAt = sentAt;
        wait = every;
      } catch {
        // A failed renewal is tried again soon; the lease still runs.
        wait = Math.max(250, Math.floor(every / 5));
      }
      if (!stillTrusted(confirmedAt, clock.now(), timing)) {
        lost.abort(new LockLostError("the workspace lock could not be renewed in time; stopped before starting more changes"));
        return;
      }
    }
  })();

  let released: Promise<{ warning?: string }> | undefined;
  return {
    lost: lost.signal,
    release() {
      released ??= (async () => {
        stop.abort();
        await renewLoop;
        await tidied;
        const transient = retryBudget(clock, 3);
        for (;;) {
          try {
            // Only the holder releases: a lease that is no longer ours is left alone. Our own
            // generation is all there is to look at: marking it released while a higher one
            // exists changes nothing, since the lock is whatever the highest says.
            if (!(await stillOurs(client, name, input.token))) return {};
            await client.request({
              method: "PATCH",
              path: `/views/${name}`,
              body: { description: renderLease({ ...lease, released: true }) },
            });
            return {};
          } catch (error) {
            try {
              await transient.absorb(error);
            } catch {
              return {
                warning: `could not release the workspace lock (${describe(error)}); it ends by itself at ${lease.expires}`,
              };
            }
          }
        }
      })();
      return released;
    },
  };
}

/** Whether the view of our generation still holds our lease (one small GET, not a listing of every view). */
async function stillOurs(client: Client, name: string, token: string): Promise<boolean> {
  const response = await client.request<{ description?: unknown } | undefined>({ method: "GET", path: `/views/${name}`, alsoOk: [404] });
  if (response.status === 404) return false;
  return parseLease(response.body?.description)?.token === token;
}

/** Every lock generation in the workspace, highest first. */
export async function listGenerations(client: Client): Promise<LockGeneration[]> {
  const response = await client.request<unknown>({ method: "GET", path: "/views" });
  const items = Array.isArray(response.body) ? (response.body as { name?: unknown; description?: unknown }[]) : [];
  return lockGenerations(items);
}

/** The lease that decides the lock now, if the lock is held or was ever taken. */
export async function readLock(client: Client): Promise<(Lease & { generation: number }) | undefined> {
  const top = (await listGenerations(client))[0];
  if (!top) return undefined;
  const lease = top.lease ?? {
    holder: "an unknown run",
    token: "",
    operation: "apply",
    since: "an unknown time",
    expires: new Date(0).toISOString(),
  };
  return { ...lease, generation: top.generation };
}

/**
 * `tpctl unlock`: marks the current lease released, whoever holds it. The view stays, as the
 * highest generation always does (lock/lease.ts).
 */
export async function forceRelease(client: Client, current: Lease & { generation: number }): Promise<void> {
  const { generation: _generation, ...lease } = current;
  await client.request({
    method: "PATCH",
    path: `/views/${generationName(current.generation)}`,
    body: { description: renderLease({ ...lease, released: true }) },
  });
}

function heldError(lease: Lease, generation: number, timeoutMs: number): LockHeldError {
  const waited = timeoutMs > 0 ? ` (waited ${Math.round(timeoutMs / 1000)} s)` : "";
  return new LockHeldError(
    `the workspace is locked by ${lease.holder} since ${lease.since} (${lease.operation}, run ${lease.token || "unknown"})${waited}; ` +
      `wait with --lock-timeout, or if that run died, its lease ends at ${lease.expires} (or clear it with "tpctl unlock")`,
    {
      meta: { holder: lease.holder, since: lease.since, run: lease.token, operation: lease.operation, expires: lease.expires, generation },
    },
  );
}

function isTransient(error: unknown): boolean {
  return error instanceof NetworkError || error instanceof TimeoutError || (error instanceof ApiError && error.status >= 500);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lets a few failures in transit pass, with growing pauses; anything else, or one too many, is thrown. */
function retryBudget(clock: LockClock, retries = TRANSIENT_RETRIES): { absorb(error: unknown): Promise<void> } {
  let left = retries;
  let pause = 200;
  return {
    async absorb(error) {
      if (!isTransient(error) || left <= 0) throw error;
      left -= 1;
      await clock.sleep(pause);
      pause = Math.min(pause * 2, 3_000);
    },
  };
}
