import { describe, expect, it } from "vitest";
import { ApiError } from "../../errors.js";
import type { ApiCall, ApiResponse } from "../../drivers/http.js";
import { createRestDriver } from "../../drivers/rest/driver.js";
import { assembleExport } from "../../export/assemble.js";
import { LiveResource } from "../../model/index.js";
import { adoptAll } from "./export.js";

const RUNNING_SOURCE = LiveResource.create({
  kind: "source",
  name: "feed",
  id: "3f0c",
  status: "running",
  spec: { name: "feed", description: "", type: "stream_generator", stream: "cars", properties: {} },
});

/** A client that records each call and refuses those `refuse` picks, as a deployment would. */
function clientRefusing(refuse: (call: ApiCall) => boolean): { calls: ApiCall[]; request<T>(call: ApiCall): Promise<ApiResponse<T>> } {
  const calls: ApiCall[] = [];
  return {
    calls,
    request<T>(call: ApiCall): Promise<ApiResponse<T>> {
      calls.push(call);
      if (refuse(call)) return Promise.reject(new ApiError({ method: call.method, path: call.path, status: 500, apiMessage: "boom" }));
      return Promise.resolve({ status: 200, body: undefined as T });
    },
  };
}

/** The REST driver over that client, as `tpctl export --adopt --api rest` runs it. */
function overRest(client: ReturnType<typeof clientRefusing>) {
  return createRestDriver({ client, target: { address: "http://tp", workspace: "default", product: "Timeplus", transport: "rest" } });
}

describe("adoptAll", () => {
  it("says so when a source stopped for its update cannot be started again, instead of hiding it", async () => {
    const bundle = assembleExport([RUNNING_SOURCE], { project: "fleet" });
    const client = clientRefusing((call) => call.method !== "POST" || call.path.endsWith("/start"));
    const [outcome] = await adoptAll(overRest(client), bundle, "fleet", {});
    expect(client.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      "POST /sources/3f0c/stop",
      expect.stringMatching(/^(PATCH|PUT) \/sources\/3f0c$/),
      "POST /sources/3f0c/start",
    ]);
    expect(outcome).toMatchObject({ address: "source/feed", status: "failed" });
    expect(outcome?.status === "failed" ? outcome.error : "").toContain("starting it again failed too, so it is left stopped");
  });

  it("starts the source again when only its update failed", async () => {
    const bundle = assembleExport([RUNNING_SOURCE], { project: "fleet" });
    const client = clientRefusing((call) => call.method !== "POST");
    const [outcome] = await adoptAll(overRest(client), bundle, "fleet", {});
    expect(client.calls.at(-1)).toMatchObject({ method: "POST", path: "/sources/3f0c/start" });
    expect(outcome?.status === "failed" ? outcome.error : "").not.toContain("left stopped");
  });
});
