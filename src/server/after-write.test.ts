import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JsonObject } from "../model/index.js";
import { dependencyIndexer } from "./catalog.js";
import { createApp } from "./http.js";
import { KIND_MODULES } from "./kinds/index.js";
import { Store } from "./store.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(afterWrite: (written: readonly { kind: string; record: JsonObject }[]) => void) {
  const dataDir = await mkdtemp(join(tmpdir(), "tpctl-after-write-"));
  const store = await Store.open(dataDir, { indexer: dependencyIndexer(KIND_MODULES) });
  const app = createApp({
    store,
    modules: KIND_MODULES,
    extraRoutes: [],
    auth: {},
    latencyMs: 0,
    faults: undefined,
    slowMs: 0,
    now: () => new Date("2025-01-02T03:04:05Z"),
    newId: () => "00000000-0000-4000-8000-000000000001",
    version: "0.0.0",
    afterWrite,
  });
  const server = createServer((request, response) => app.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/default/api/v1beta2`;
  return {
    store,
    post: (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("the afterWrite hook", () => {
  it("gets the records a write stored, as stored, and nothing for a refused write", async () => {
    const calls: { kind: string; record: JsonObject }[][] = [];
    const { store, post } = await serve((written) => calls.push([...written]));
    expect((await post("/streams", { name: "cars", columns: [{ name: "cid", type: "string" }] })).status).toBe(201);
    await nextTurn();
    expect(calls).toHaveLength(1);
    const [[stored]] = calls as [[{ kind: string; record: JsonObject }]];
    expect(stored.kind).toBe("stream");
    // The store's own frozen record, the one later reads see, not the draft the route put.
    expect(stored.record).toBe(store.read("default").get("stream", "cars"));
    expect(Object.isFrozen(stored.record)).toBe(true);

    expect((await post("/streams", { name: "cars", columns: [{ name: "cid", type: "string" }] })).status).toBe(400);
    await nextTurn();
    expect(calls).toHaveLength(1);
  });
});
