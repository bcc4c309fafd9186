import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
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
    expect(Object.keys(file)).toEqual(["format_version", "workspace", "sequence", "objects"]);
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

  it("appends each write to a log, and folds the log into the snapshot at start and at close", async () => {
    const store = await Store.open(dir);
    await store.write("default", (state) => state.put("stream", "a", { name: "a" }));
    await store.write("default", (state) => state.put("stream", "b", { name: "b" }));
    await store.write("default", (state) => state.remove("stream", "a"));
    // Nothing but the log is written per change: its cost does not depend on the workspace size.
    expect(await readdir(dir)).toEqual(["default.log"]);
    const lines = (await readFile(join(dir, "default.log"), "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { seq: 1, ops: [["put", "stream", "a", { name: "a" }]] },
      { seq: 2, ops: [["put", "stream", "b", { name: "b" }]] },
      { seq: 3, ops: [["remove", "stream", "a"]] },
    ]);
    const reopened = await Store.open(dir);
    expect(reopened.read("default").list("stream")).toEqual([{ name: "b" }]);
    expect(await readdir(dir)).toEqual(["default.json"]);
    await reopened.write("default", (state) => state.put("stream", "c", { name: "c" }));
    await reopened.close();
    expect(await readdir(dir)).toEqual(["default.json"]);
    const file = JSON.parse(await readFile(join(dir, "default.json"), "utf8"));
    expect(file).toMatchObject({ sequence: 4, objects: { stream: { b: { name: "b" }, c: { name: "c" } } } });
  });

  it("compacts once the log is as long as the workspace is large, and loses nothing", async () => {
    const store = await Store.open(dir, { compactAfter: 5 });
    for (let i = 0; i < 12; i += 1) await store.write("default", (state) => state.put("stream", `s${i}`, { name: `s${i}` }));
    await store.idle();
    expect((await readdir(dir)).sort()).toEqual(["default.json", "default.log"]);
    const log = (await readFile(join(dir, "default.log"), "utf8")).trimEnd().split("\n");
    expect(log.length).toBeLessThan(12);
    const reopened = await Store.open(dir);
    expect(
      reopened
        .read("default")
        .list("stream")
        .map((record) => record["name"]),
    ).toEqual(Array.from({ length: 12 }, (_, i) => `s${i}`));
  });

  it("skips log lines the snapshot already holds (a crash between the snapshot rename and the log removal)", async () => {
    const store = await Store.open(dir);
    await store.write("default", (state) => state.put("stream", "a", { name: "a" }));
    await store.write("default", (state) => state.remove("stream", "a"));
    const log = await readFile(join(dir, "default.log"), "utf8");
    await store.close();
    await writeFile(join(dir, "default.log"), log);
    const reopened = await Store.open(dir);
    expect(reopened.read("default").list("stream")).toEqual([]);
  });

  it("drops a torn last log line, which was never acknowledged, and refuses a damaged one before others", async () => {
    const store = await Store.open(dir);
    await store.write("default", (state) => state.put("stream", "a", { name: "a" }));
    await appendFile(join(dir, "default.log"), '{"seq":2,"ops":[["put","stream","b",{"na');
    const reopened = await Store.open(dir);
    expect(reopened.read("default").list("stream")).toEqual([{ name: "a" }]);
    await reopened.close();

    await writeFile(join(dir, "default.log"), '{"seq":5,"ops":[["put"\n{"seq":6,"ops":[]}\n');
    await expect(Store.open(dir)).rejects.toThrow(/default\.log:1 is not valid JSON/);
    await writeFile(join(dir, "default.log"), '{"seq":5,"ops":[["drop","stream","a"]]}\n');
    await expect(Store.open(dir)).rejects.toThrow(/default\.log:1 holds an operation that is neither a put nor a remove/);
  });

  it("removes temporary files a crash left behind, and keeps other files", async () => {
    await writeFile(join(dir, "default.json.1234.1.tmp"), "{ half");
    await writeFile(join(dir, "notes.txt"), "mine");
    await Store.open(dir);
    expect((await readdir(dir)).sort()).toEqual(["notes.txt"]);
  });

  it("creates no file for a workspace that is only read", async () => {
    const t = await startTestServer({}, dir);
    expect((await t.call("GET", "/streams", undefined, { workspace: "anything" })).status).toBe(200);
    expect((await t.call("DELETE", "/streams/none", undefined, { workspace: "other" })).status).toBe(404);
    await t.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it("answers an index question with the records indexed under a term, through updates and removals", async () => {
    const store = await Store.open(dir, { indexer: (_kind, record) => (record["reads"] as string[] | undefined) ?? [] });
    await store.write("default", (state) => {
      state.put("view", "v1", { name: "v1", reads: ["s"] });
      state.put("view", "v2", { name: "v2", reads: ["s", "t"] });
      state.put("sink", "k", { name: "k", reads: ["t"] });
    });
    const names = (term: string): string[] =>
      store
        .read("default")
        .referrers(term)
        .map((hit) => `${hit.kind}/${hit.key}`);
    expect(names("s")).toEqual(["view/v1", "view/v2"]);
    await store.write("default", (state) => {
      state.put("view", "v1", { name: "v1", reads: ["t"] });
      // Inside a change, the index reflects the change's own puts and removes.
      expect(state.referrers("t").map((hit) => hit.key)).toEqual(["v2", "k", "v1"]);
      state.remove("view", "v2");
      expect(state.referrers("s")).toEqual([]);
    });
    expect(names("s")).toEqual([]);
    expect(names("t")).toEqual(["view/v1", "sink/k"]);
    const reopened = await Store.open(dir, { indexer: (_kind, record) => (record["reads"] as string[] | undefined) ?? [] });
    expect(
      reopened
        .read("default")
        .referrers("t")
        .map((hit) => hit.key),
    ).toEqual(["v1", "k"]);
  });
});
