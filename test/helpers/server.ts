import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../../src/server/index.js";

export interface TestServer {
  readonly url: string;
  readonly dataDir: string;
  /** The API base for direct calls that play "someone else changed the workspace". */
  readonly api: string;
  /** Environment for the CLI so that it talks to this server. */
  readonly env: Record<string, string>;
  restart(): Promise<TestServer>;
  /** Restarts on the same data with other knobs (e.g. faults off). */
  restartWith(knobs: { faultRate?: number; faultSeed?: number }): Promise<TestServer>;
  close(): Promise<void>;
}

/** The built-in server on an ephemeral loopback port with a fresh data folder. */
export async function startTestServer(
  options: { dataDir?: string; faultRate?: number; faultSeed?: number; faultSlowMs?: number } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "tpctl-server-")));
  const { dataDir: _given, ...knobs } = options;
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, ...knobs });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await server.close();
  };
  return {
    url: server.url,
    dataDir,
    api: `${server.url}/default/api/v1beta2`,
    env: { TIMEPLUS_ADDRESS: server.url },
    async restart() {
      await close();
      return startTestServer({ dataDir });
    },
    async restartWith(knobs) {
      await close();
      return startTestServer({ dataDir, ...knobs });
    },
    async close() {
      await close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function apiCall(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.api}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}
