import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { ApiError, TpctlError } from "../errors.js";
import type { TimeplusClient } from "../live/client.js";
import { LOCK_NAME } from "../live/normalize.js";

/**
 * One writer at a time. The lock is an object in the workspace itself, so it holds across
 * machines and CI runners: a view named tpctl_lock, created with POST (the engine refuses a
 * second object of that name with code 57, so creating it is an atomic test-and-set). Its
 * description says who holds it, since when and until when; an expired lock is taken over.
 * tpctl never plans or shows this view (live/normalize.ts skips it).
 */
export class LockHeldError extends TpctlError {
  readonly code = "LOCK_HELD";
}

export interface LockInfo {
  readonly holder: string;
  readonly since: string;
  readonly expires: string;
  readonly operation: string;
  /** Random per run: tells our own lock from another's when the answer to taking it was lost. */
  readonly token?: string;
}

export interface HeldLock {
  release(): Promise<void>;
}

const LOCK_PATH = `/views/${LOCK_NAME}`;

/** How long a lock protects a run that died without releasing it. */
export const LOCK_TTL_MS = 60 * 60 * 1000;

/** Takes the workspace lock for `operation`, as this process, for LOCK_TTL_MS. */
export function takeWorkspaceLock(
  client: Pick<TimeplusClient, "request">,
  environment: Readonly<Record<string, string | undefined>>,
  operation: string,
): Promise<HeldLock> {
  return acquireLock(client, {
    holder: describeHolder(environment),
    operation,
    now: new Date(),
    ttlMs: LOCK_TTL_MS,
    token: randomUUID(),
  });
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

export async function acquireLock(
  client: Pick<TimeplusClient, "request">,
  input: { holder: string; operation: string; now: Date; ttlMs: number; token: string },
): Promise<HeldLock> {
  const info: LockInfo = {
    holder: input.holder,
    operation: input.operation,
    since: input.now.toISOString(),
    expires: new Date(input.now.getTime() + input.ttlMs).toISOString(),
    token: input.token,
  };
  const held: HeldLock = { release: () => releaseLock(client) };
  let lastFailure: unknown;
  for (let attempt = 0; attempt < 4; attempt += 1) {
    try {
      await client.request({
        method: "POST",
        path: "/views",
        body: { name: LOCK_NAME, query: "SELECT 1 AS locked", description: JSON.stringify(info) },
      });
      return held;
    } catch (error) {
      if (!(error instanceof ApiError) || error.apiCode !== 57) {
        // The answer was lost (a 5xx or a dropped connection): the lock may have been taken, by us.
        // With our token it is ours; with none at all, taking it is simply tried again.
        lastFailure = error;
        const current = await readLock(client).catch(() => undefined);
        if (current?.token === input.token) return held;
        if (current === undefined) continue;
      }
    }
    const current = await readLock(client);
    if (current?.token === input.token) return held;
    if (current && Date.parse(current.expires) > input.now.getTime()) {
      throw new LockHeldError(
        `the workspace is locked by ${current.holder} since ${current.since} (${current.operation}); wait for it to finish, or if that run died, clear the lock with "tpctl unlock" (it expires at ${current.expires})`,
        { meta: { ...current } },
      );
    }
    // Expired (or unreadable): the run that held it is gone. Take it over.
    await releaseLock(client);
  }
  if (lastFailure !== undefined) throw lastFailure;
  throw new LockHeldError("the workspace lock could not be taken; another run is taking it at the same time");
}

export async function readLock(client: Pick<TimeplusClient, "request">): Promise<LockInfo | undefined> {
  try {
    const response = await client.request<{ description?: string }>({ method: "GET", path: LOCK_PATH });
    const text = response.body?.description ?? "";
    const parsed = JSON.parse(text) as Partial<LockInfo>;
    return {
      holder: String(parsed.holder ?? "an unknown run"),
      since: String(parsed.since ?? "an unknown time"),
      expires: String(parsed.expires ?? new Date(0).toISOString()),
      operation: String(parsed.operation ?? "apply"),
      ...(typeof parsed.token === "string" ? { token: parsed.token } : {}),
    };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    if (error instanceof SyntaxError) return { holder: "an unknown run", since: "an unknown time", expires: new Date(0).toISOString(), operation: "apply" };
    throw error;
  }
}

export async function releaseLock(client: Pick<TimeplusClient, "request">): Promise<void> {
  await client.request({ method: "DELETE", path: LOCK_PATH, alsoOk: [404] });
}
