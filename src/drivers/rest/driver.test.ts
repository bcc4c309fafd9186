import { describe, expect, it } from "vitest";
import { ApiError } from "../../errors.js";
import type { ApiCall, ApiResponse } from "../http.js";
import { LeftStoppedError, sendCalls } from "./driver.js";

/** A client that records each call and refuses those `refuse` picks, as a deployment would. */
function clientRefusing(refuse: (call: ApiCall) => boolean) {
  const calls: string[] = [];
  return {
    calls,
    request<T>(call: ApiCall): Promise<ApiResponse<T>> {
      calls.push(`${call.method} ${call.path}`);
      if (refuse(call)) return Promise.reject(new ApiError({ method: call.method, path: call.path, status: 500, apiMessage: "boom" }));
      return Promise.resolve({ status: 200, body: undefined as T });
    },
  };
}

const SOURCE_UPDATE: ApiCall[] = [
  { method: "POST", path: "/sources/s1/stop" },
  { method: "PATCH", path: "/sources/s1", body: { name: "feed" } },
  { method: "POST", path: "/sources/s1/start" },
];

describe("sendCalls", () => {
  it("starts a source stopped for its update again when the update fails, and reports the update's error", async () => {
    const client = clientRefusing((call) => call.method === "PATCH");
    await expect(sendCalls(client, SOURCE_UPDATE)).rejects.toBeInstanceOf(ApiError);
    expect(client.calls).toEqual(["POST /sources/s1/stop", "PATCH /sources/s1", "POST /sources/s1/start"]);
  });

  it("says the source is left stopped when starting it again fails too", async () => {
    const client = clientRefusing((call) => call.method === "PATCH" || call.path.endsWith("/start"));
    const failure = await sendCalls(client, SOURCE_UPDATE).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LeftStoppedError);
    expect((failure as Error).message).toContain("starting it again failed too, so it is left stopped");
  });

  it("starts nothing when the stop itself failed", async () => {
    const client = clientRefusing((call) => call.path.endsWith("/stop"));
    await expect(sendCalls(client, SOURCE_UPDATE)).rejects.toBeInstanceOf(ApiError);
    expect(client.calls).toEqual(["POST /sources/s1/stop"]);
  });
});
