import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServer } from "./index.js";
import { Store } from "./store.js";
import { startTestServer } from "./test-utils.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tpctl-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("persistence", () => {
  it("keeps every object across a restart on the same data folder", async () => {
    let t = await startTestServer({}, dir);
    await t.call("POST", "/streams", { name: "cars", columns: [{ name: "cid", type: "string" }] });
    await t.call("POST", "/views", { name: "v", query: "SELECT * FROM cars" });
    await t.call("POST", "/materialized_views", { name: "mv", query: "SELECT cid FROM cars" });
    await t.call("POST", "/streams", { name: "gone", columns: [{ name: "cid", type: "string" }] });
    await t.call("DELETE", "/streams/gone");
    const before = await Promise.all(["/streams", "/views", "/materialized_views", "/topology"].map((path) => t.call("GET", path)));
    t = await t.restart();
    const after = await Promise.all(["/streams", "/views", "/materialized_views", "/topology"].map((path) => t.call("GET", path)));
    expect(after.map((response) => response.body)).toEqual(before.map((response) => response.body));
    expect(await t.call("DELETE", "/streams/cars")).toMatchObject({ status: 400, body: { code: 630 } });
    await t.close();
    expect(await readdir(dir)).toEqual(["default.json"]);
    const file = JSON.parse(await readFile(join(dir, "default.json"), "utf8"));
    expect(Object.keys(file)).toEqual(["format_version", "workspace", "objects"]);
    expect(Object.keys(file.objects)).toEqual(["stream", "view", "materialized_view"]);
  });

  it("serialises concurrent writes: every create lands, and a raced name is created once", async () => {
    const t = await startTestServer({}, dir);
    const stream = (name: string) => ({ name, columns: [{ name: "a", type: "int8" }] });
    const distinct = await Promise.all(Array.from({ length: 20 }, (_, i) => t.call("POST", "/streams", stream(`s${i}`))));
    expect(distinct.every((response) => response.status === 201)).toBe(true);
    const raced = await Promise.all(Array.from({ length: 10 }, () => t.call("POST", "/streams", stream("same"))));
    expect(raced.map((response) => response.status).sort()).toEqual([201, ...Array(9).fill(400)]);
    await t.close();
    const file = JSON.parse(await readFile(join(dir, "default.json"), "utf8"));
    expect(Object.keys(file.objects.stream).length).toBe(21);
  });

  it("refuses to start on a damaged workspace file rather than starting empty", async () => {
    await writeFile(join(dir, "default.json"), "{ half");
    await expect(startServer({ port: 0, dataDir: dir })).rejects.toThrow(/default\.json is not valid JSON/);
    await writeFile(join(dir, "default.json"), JSON.stringify({ something: "else" }));
    await expect(startServer({ port: 0, dataDir: dir })).rejects.toThrow(/is not a tpctl server workspace file/);
  });

  it("leaves the workspace untouched when a change throws", async () => {
    const store = await Store.open(dir);
    await store.write("default", (state) => state.put("stream", "a", { name: "a" }));
    await expect(
      store.write("default", (state) => {
        state.put("stream", "b", { name: "b" });
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(store.read("default").list("stream")).toEqual([{ name: "a" }]);
    const reopened = await Store.open(dir);
    expect(reopened.read("default").list("stream")).toEqual([{ name: "a" }]);
    expect(await readdir(dir)).toEqual(["default.json"]);
  });
});
