import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";

/** `tpctl server --profile …` as a user runs it: the real CLI in the foreground, stopped with SIGTERM. */
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function startCliServer(profile: string): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), "tpctl-profile-"));
  const child = spawn(process.execPath, [CLI, "server", "--port", "0", "--data", dataDir, "--profile", profile], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  stops.push(async () => {
    child.kill("SIGTERM");
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const url = /listening on (http:\/\/[^\s]+)/.exec(output)?.[1];
      if (url) resolve(url);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

describe("tpctl server --profile", () => {
  it("engine serves SQL at / and no REST", async () => {
    const url = await startCliServer("engine");
    const created = await fetch(`${url}/`, { method: "POST", body: "CREATE STREAM s(a int)" });
    expect(created.status).toBe(200);
    const shown = await fetch(`${url}/?default_format=JSONEachRow`, { method: "POST", body: "SHOW CREATE s" });
    expect(JSON.parse(await shown.text()).statement).toContain("CREATE STREAM default.s");
    expect((await fetch(`${url}/default/api/v1beta2/streams`)).status).toBe(404);
  });

  it("2026 serves /exec beside REST reads", async () => {
    const url = await startCliServer("2026");
    const exec = await fetch(`${url}/default/api/v1beta2/exec`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: "CREATE STREAM s(a int)", type: "ddl" }),
    });
    expect(exec.status).toBe(204);
    expect(await (await fetch(`${url}/default/api/v1beta2/streams`)).json()).toMatchObject([{ name: "s" }]);
  });

  it("refuses an unknown profile before starting", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tpctl-profile-"));
    try {
      // Its own process, as the server command is meant to run (it waits for a signal otherwise).
      const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [CLI, "server", "--port", "0", "--profile", "2025"],
          { cwd: dir, timeout: 60_000 },
          (error, _stdout, stderr) => {
            resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stderr });
          },
        );
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("--profile must be one of all, 2024, 2026, engine");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
