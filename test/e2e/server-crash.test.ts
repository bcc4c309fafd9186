import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { startTestServer } from "../helpers/server.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** `tpctl server` in a child process on a free port; resolves with its URL once it listens. */
function startServerProcess(dataDir: string): Promise<{ url: string; kill(): Promise<void> }> {
  const child = spawn(process.execPath, [CLI, "server", "--port", "0", "--data", dataDir], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        resolve({
          url,
          async kill() {
            child.kill("SIGKILL");
            await exited;
          },
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${String(code)} before listening: ${output}`)));
  });
}

describe("built-in server durability", () => {
  it("keeps every acknowledged write across kill -9 in the middle of a burst", async () => {
    dir = await mkdtemp(join(tmpdir(), "tpctl-crash-"));
    const server = await startServerProcess(dir);
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (lane: number): Promise<void> => {
      for (let i = 0; !stop; i += 1) {
        const name = `s_${lane}_${i}`;
        try {
          const response = await fetch(`${server.url}/default/api/v1beta2/streams`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name, columns: [{ name: "a", type: "int8" }] }),
          });
          if (response.status === 201) acknowledged.push(name);
          else throw new Error(`unexpected ${response.status}`);
        } catch (error) {
          if (!stop) throw error;
        }
      }
    };
    const lanes = Array.from({ length: 8 }, (_, lane) => writer(lane));
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 10));
    // Kill while requests are in flight: some were appended but not yet acknowledged.
    stop = true;
    await server.kill();
    const seen = [...acknowledged];
    await Promise.all(lanes);

    const restarted = await startTestServer({ dataDir: dir });
    try {
      const response = await fetch(`${restarted.api}/streams`);
      const names = new Set(((await response.json()) as { name: string }[]).map((stream) => stream.name));
      expect(seen.filter((name) => !names.has(name))).toEqual([]);
      // Folded into the snapshot at start; no temporary file is left.
      expect(await readdir(dir)).toEqual(["default.json"]);
    } finally {
      await restarted.close();
    }
  });
});
