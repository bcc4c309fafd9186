import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, InterruptedError } from "../../src/errors.js";
import { createTimeplusClient, type ApiCall, type ApiResponse, type TimeplusClient } from "../../src/drivers/http.js";
import { acquireLock, acquireLockAndRead, listGenerations, LockHeldError, type HeldLock, type LockClock } from "../../src/cli/lock.js";
import { LEASE_TTL_MS, newLease, renderLease, SKEW_MS } from "../../src/lock/lease.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let clients: TimeplusClient[];

beforeAll(async () => {
  server = await startTestServer();
  // Two clients, two connection pools: as two processes would meet the server.
  clients = [createTimeplusClient({ address: server.url }), createTimeplusClient({ address: server.url })];
});
afterAll(async () => {
  for (const client of clients) await client.close();
  await server.close();
});

const expiredLease = (token: string) =>
  renderLease(newLease({ holder: `dead run ${token}`, token, operation: "apply", nowMs: Date.now() - 10 * LEASE_TTL_MS }));

/** The real clock, with the pauses between retries cut short: the test is about outcomes, not waiting. */
const quickClock: LockClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.min(ms, 20));
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    }),
};

const take = (
  client: Pick<TimeplusClient, "request">,
  token: string,
  extra: { timeoutMs?: number; renewEveryMs?: number; pollMs?: number } = {},
) =>
  acquireLock(client, { holder: `run ${token}`, operation: "apply", token, timeoutMs: extra.timeoutMs ?? 0, clock: quickClock, ...extra });

describe("the lease lock over HTTP", () => {
  it("reads alongside the listing that confirms the lock, after its lease view exists", async () => {
    const options = { holder: "run reader", operation: "apply", token: "reader", timeoutMs: 0, clock: quickClock };
    const { lock, value } = await acquireLockAndRead(clients[0]!, options, () => listGenerations(clients[1]!));
    // What the read saw was read under the lock: our lease was already the highest.
    expect(value[0]?.lease).toMatchObject({ token: "reader" });
    await lock.release();
    expect((await listGenerations(clients[0]!))[0]?.lease).toMatchObject({ token: "reader", released: true });
  });

  it("sends the listing that confirms the lock before the read, so that it does not wait behind the read's requests", async () => {
    const options = { holder: "run ordered", operation: "apply", token: "ordered", timeoutMs: 0, clock: quickClock };
    const sent: string[] = [];
    const recording = {
      request: <T>(call: ApiCall) => {
        sent.push(`lock: ${call.method} ${call.path}`);
        return clients[0]!.request<T>(call);
      },
    };
    const read = () => {
      sent.push("read");
      return listGenerations(clients[1]!);
    };
    const { lock } = await acquireLockAndRead(recording, options, read);
    await lock.release();
    expect(sent.slice(0, 4)).toEqual(["lock: GET /views", "lock: POST /views", "lock: GET /views", "read"]);
  });

  it("lists /views twice, not three times, when the read lists it too: the confirmation and the read share one answer", async () => {
    const options = { holder: "run sharing", operation: "apply", token: "sharing", timeoutMs: 0, clock: quickClock };
    const listed = async (): Promise<number> => {
      const counts = ((await (await fetch(`${server.url}/_server/requests`)).json()) as { by_route: Record<string, number> }).by_route;
      return counts["GET /default/api/v1beta2/views"] ?? 0;
    };
    const before = await listed();
    // The read the REST driver makes lists /views through the same client as the lock.
    const { lock, value } = await acquireLockAndRead(clients[0]!, options, () =>
      clients[0]!.request<unknown[]>({ method: "GET", path: "/views" }),
    );
    await lock.release();
    expect(await listed()).toBe(before + 2);
    expect(value.body?.length).toBeGreaterThan(0);
  });

  it("releases the lock when the read beside it fails, so that the next run needs no unlock", async () => {
    const options = { holder: "run failing", operation: "apply", token: "failing-read", timeoutMs: 0, clock: quickClock };
    await expect(acquireLockAndRead(clients[0]!, options, () => Promise.reject(new Error("the read failed")))).rejects.toThrow(
      "the read failed",
    );
    expect((await listGenerations(clients[0]!))[0]?.lease).toMatchObject({ token: "failing-read", released: true });
    const next = await take(clients[1]!, "next-run");
    await next.release();
  });

  it("lets exactly one of two runs that meet an expired lease take it, 50 rounds", async () => {
    let generation = (await listGenerations(clients[0]!))[0]?.generation ?? 0;
    generation += 1;
    expect(
      (await apiCall(server, "POST", "/views", { name: `tpctl_lock_${generation}`, query: "SELECT 1", description: expiredLease("seed") }))
        .status,
    ).toBe(201);
    for (let round = 0; round < 50; round += 1) {
      const outcomes = await Promise.allSettled([take(clients[0]!, `a${round}`), take(clients[1]!, `b${round}`)]);
      const winners = outcomes.filter((outcome): outcome is PromiseFulfilledResult<HeldLock> => outcome.status === "fulfilled");
      expect(winners).toHaveLength(1);
      const loser = outcomes.find((outcome) => outcome.status === "rejected") as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(LockHeldError);
      expect(String(loser.reason.message)).toMatch(/locked by run [ab]\d+ since .* run [ab]\d+/);
      // The winner dies without releasing: its lease is made to look expired for the next round.
      const listed = await listGenerations(clients[0]!);
      expect(listed.filter((entry) => entry.lease?.token.startsWith("a") || entry.lease?.token.startsWith("b")).length).toBe(1);
      const top = listed[0]!;
      await winners[0]!.value.release();
      expect((await apiCall(server, "PATCH", `/views/${top.name}`, { description: expiredLease(`dead${round}`) })).status).toBe(204);
    }
    // Dead generations were cleaned up by each winner: only the latest remains.
    expect((await listGenerations(clients[0]!)).length).toBe(1);
  });

  it("releases only its own lease, and never deletes the highest generation", async () => {
    const held = await take(clients[0]!, "mine");
    const top = (await listGenerations(clients[0]!))[0]!;
    // Someone else's lease replaced ours (we stalled past it): releasing must leave it alone.
    await apiCall(server, "PATCH", `/views/${top.name}`, {
      description: renderLease(newLease({ holder: "other", token: "other", operation: "apply", nowMs: Date.now() })),
    });
    await held.release();
    const after = (await listGenerations(clients[0]!))[0]!;
    expect(after.lease).toMatchObject({ token: "other" });
    expect(after.lease?.released).toBeUndefined();
    await apiCall(server, "PATCH", `/views/${top.name}`, { description: expiredLease("x") });
  });

  it("waits for a held lock with a timeout, and takes it once released", async () => {
    const first = await take(clients[0]!, "first");
    await expect(take(clients[1]!, "impatient")).rejects.toThrow(/locked by run first/);
    const waiting = take(clients[1]!, "patient", { timeoutMs: 20_000, pollMs: 50 });
    setTimeout(() => void first.release(), 300);
    const second = await waiting;
    await second.release();
  });

  it("renews its lease while the run lives", async () => {
    const held = await take(clients[0]!, "renewing", { renewEveryMs: 50 });
    const before = (await listGenerations(clients[0]!))[0]!.lease!.expires;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = (await listGenerations(clients[0]!))[0]!.lease!.expires;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    expect(held.lost.aborted).toBe(false);
    await held.release();
    expect((await listGenerations(clients[0]!))[0]!.lease?.released).toBe(true);
  });

  it("notices a takeover while it holds the lease", async () => {
    const held = await take(clients[0]!, "stalled", { renewEveryMs: 50 });
    const top = (await listGenerations(clients[0]!))[0]!;
    await apiCall(server, "POST", "/views", {
      name: `tpctl_lock_${top.generation + 1}`,
      query: "SELECT 1",
      description: renderLease(newLease({ holder: "taker", token: "taker", operation: "apply", nowMs: Date.now() })),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(held.lost.aborted).toBe(true);
    await held.release();
    expect((await listGenerations(clients[0]!))[0]!.lease).toMatchObject({ token: "taker" });
    await apiCall(server, "PATCH", `/views/tpctl_lock_${top.generation + 1}`, { description: expiredLease("taker") });
  });

  it("retries a release that fails in transit, and one that keeps failing is only a warning", async () => {
    let failures = 2;
    const flaky = {
      request<T>(call: ApiCall): Promise<ApiResponse<T>> {
        if (call.method === "PATCH" && failures-- > 0)
          return Promise.reject(new ApiError({ method: "PATCH", path: call.path, status: 500 }));
        return clients[0]!.request<T>(call);
      },
    };
    const held = await take(flaky, "flaky-release");
    expect(await held.release()).toEqual({});
    expect((await listGenerations(clients[0]!))[0]!.lease).toMatchObject({ token: "flaky-release", released: true });

    const broken = {
      request<T>(call: ApiCall): Promise<ApiResponse<T>> {
        if (call.method === "PATCH") return Promise.reject(new ApiError({ method: "PATCH", path: call.path, status: 500 }));
        return clients[0]!.request<T>(call);
      },
    };
    const stuck = await take(broken, "broken-release");
    expect((await stuck.release()).warning).toMatch(/could not release the workspace lock .*ends by itself at/);
    await apiCall(server, "PATCH", `/views/${(await listGenerations(clients[0]!))[0]!.name}`, { description: expiredLease("y") });
  });

  it("is ours when the answer to taking it was lost but the create landed", async () => {
    let lose = true;
    const lossy = {
      async request<T>(call: ApiCall): Promise<ApiResponse<T>> {
        const response = await clients[0]!.request<T>(call);
        if (call.method === "POST" && lose) {
          lose = false;
          throw new ApiError({ method: "POST", path: call.path, status: 502 });
        }
        return response;
      },
    };
    const held = await take(lossy, "lost-answer");
    expect((await listGenerations(clients[0]!))[0]!.lease).toMatchObject({ token: "lost-answer" });
    await held.release();
  });

  it("does not take over a lease that ended less than the skew margin ago", async () => {
    const top = (await listGenerations(clients[0]!))[0]!;
    const justEnded = newLease({ holder: "just ended", token: "je", operation: "apply", nowMs: Date.now() - LEASE_TTL_MS - SKEW_MS / 2 });
    await apiCall(server, "PATCH", `/views/${top.name}`, { description: renderLease(justEnded) });
    await expect(take(clients[0]!, "eager")).rejects.toThrow(/locked by just ended/);
    await apiCall(server, "PATCH", `/views/${top.name}`, { description: expiredLease("z") });
  });
});

describe("waiting for the lock", () => {
  it("stops when interrupted, as an interruption (exit 130), not as a held lock", async () => {
    const held = await take(clients[0]!, "holder-for-interrupt");
    const controller = new AbortController();
    const waiting = acquireLock(clients[1]!, {
      holder: "w",
      operation: "apply",
      token: "waiter",
      timeoutMs: 20_000,
      pollMs: 50,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    await expect(waiting).rejects.toThrow(InterruptedError);
    await held.release();
  });
});
