import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.js";
import type { ApiCall, ApiResponse } from "../live/client.js";
import { acquireLock, LockHeldError } from "./lock.js";

/** A workspace holding at most the lock view; `lose` makes the next POST land but answer 500. */
function workspace(options: { lose?: boolean } = {}) {
  let stored: { description: string } | undefined;
  let lose = options.lose ?? false;
  return {
    get stored() {
      return stored;
    },
    async request<T>(call: ApiCall): Promise<ApiResponse<T>> {
      if (call.method === "POST") {
        if (stored) throw new ApiError({ method: "POST", path: call.path, status: 400, apiCode: 57, apiMessage: "exists" });
        stored = { description: (call.body as { description: string }).description };
        if (lose) {
          lose = false;
          throw new ApiError({ method: "POST", path: call.path, status: 500, apiMessage: "internal server error" });
        }
        return { status: 201, body: undefined };
      }
      if (call.method === "GET") {
        if (!stored) throw new ApiError({ method: "GET", path: call.path, status: 404 });
        return { status: 200, body: stored as T };
      }
      stored = undefined;
      return { status: 204, body: undefined };
    },
  };
}

const now = new Date("2026-11-27T10:00:00Z");
const take = (client: ReturnType<typeof workspace>, token: string, holder = "ci") =>
  acquireLock(client, { holder, operation: "apply", now, ttlMs: 60_000, token });

describe("the workspace lock", () => {
  it("is taken once; a second taker is told who holds it and since when", async () => {
    const client = workspace();
    const held = await take(client, "t1", "alice@laptop");
    await expect(take(client, "t2", "bob")).rejects.toThrow(LockHeldError);
    await expect(take(client, "t2", "bob")).rejects.toThrow("locked by alice@laptop since 2026-11-27T10:00:00.000Z");
    await held.release();
    expect(client.stored).toBeUndefined();
  });

  it("is ours when the answer to taking it was lost but it landed", async () => {
    const client = workspace({ lose: true });
    const held = await take(client, "mine");
    expect(JSON.parse(client.stored?.description ?? "{}").token).toBe("mine");
    await held.release();
  });

  it("is tried again when the answer was lost and nothing was taken", async () => {
    const client = workspace();
    let failures = 1;
    const flaky = {
      request: <T>(call: ApiCall): Promise<ApiResponse<T>> => {
        if (call.method === "POST" && failures-- > 0) return Promise.reject(new ApiError({ method: "POST", path: call.path, status: 503 }));
        return client.request<T>(call);
      },
    };
    await acquireLock(flaky, { holder: "ci", operation: "apply", now, ttlMs: 60_000, token: "retry" });
    expect(JSON.parse(client.stored?.description ?? "{}").token).toBe("retry");
  });

  it("is taken over once expired", async () => {
    const client = workspace();
    await acquireLock(client, { holder: "old", operation: "apply", now: new Date("2020-01-01T00:00:00Z"), ttlMs: 1_000, token: "old" });
    await take(client, "new");
    expect(JSON.parse(client.stored?.description ?? "{}").token).toBe("new");
  });
});
