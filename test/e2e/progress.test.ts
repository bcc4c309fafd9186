import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { CLI, makeTree, runCli } from "../helpers/cli.js";

const MANIFEST = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
`;

/** util-linux `script` gives the CLI a real pseudo-terminal; without it the TTY case is skipped. */
const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let server: RunningServer;
let dataDir: string;
let tree: Awaited<ReturnType<typeof makeTree>>;

/** The server for one test; `latencyMs` delays every response (the lock, the reads and the create). */
async function serve(latencyMs: number): Promise<void> {
  server = await startServer({ port: 0, host: "127.0.0.1", dataDir, latencyMs });
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "tpctl-progress-"));
  tree = await makeTree({ "s.yaml": MANIFEST });
});
afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
  await tree.cleanup();
});

describe("progress of a long apply", () => {
  it.skipIf(!hasScript)(
    "on a terminal names what is running and for how long, on one line redrawn in place",
    async () => {
      // Every response takes 2.5 s, so the create is still running when the status line is redrawn
      // (once a second, at times unrelated to the create's start) with at least 1 s elapsed. At 2 s
      // the window for that redraw was no wider than one interval, and a redraw a few ms late on a
      // loaded machine fell after the create's end. The other calls of the run wait as long, which
      // is why it is not longer.
      await serve(2_500);
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} apply s.yaml --auto-approve`;
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          "script",
          ["-q", "-e", "-c", command, "/dev/null"],
          { cwd: tree.dir, env: { ...process.env, TIMEPLUS_ADDRESS: server.url, NO_COLOR: "1", COLUMNS: "120" }, timeout: 90_000 },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        );
      });
      const applying = output.slice(output.indexOf("Applying:"));
      expect(applying).toMatch(/\r\u001b\[2K {2}Creating stream\/cars\.\.\./);
      expect(applying).toMatch(/\r\u001b\[2K {2}Still creating stream\/cars\.\.\. \[\ds elapsed\]/);
      // The status line is cleared before the finished step is written, so no half-line remains.
      expect(applying).toMatch(/\r\u001b\[2K {2}✓ create stream\/cars\r?\n/);
      expect(applying).toContain("Apply complete: 1 applied, 0 failed, 0 not attempted.");
    },
    // Every call of the run waits 2.5 s by design, so it takes about 20 s: room for a loaded machine.
    60_000,
  );

  it("without a terminal writes one plain line per event and never redraws", async () => {
    await serve(0);
    const result = await runCli(["apply", "s.yaml", "--auto-approve"], { cwd: tree.dir, env: { TIMEPLUS_ADDRESS: server.url } });
    expect(result.stderr).toBe("");
    const applying = result.stdout.slice(result.stdout.indexOf("Applying:"));
    expect(applying).toBe(
      "Applying:\n  stream/cars: Creating...\n  ✓ create stream/cars\n\nApply complete: 1 applied, 0 failed, 0 not attempted.\n",
    );
    expect(result.stdout).not.toMatch(/\r|\u001b/);
  });
});
