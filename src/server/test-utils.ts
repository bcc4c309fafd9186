import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, type ServerOptions, startServer } from "./index.js";

export interface Response {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

export interface TestServer {
  readonly server: RunningServer;
  readonly dataDir: string;
  /** A call relative to `/default/api/v1beta2` (or to `/{workspace}/api/v1beta2` with `workspace`). */
  call(method: string, path: string, body?: unknown, options?: { headers?: Record<string, string>; workspace?: string; raw?: string }): Promise<Response>;
  /** A call to an absolute path on the server, e.g. `/_server/requests`. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** Close, then start again on the same data folder with the same options. */
  restart(): Promise<TestServer>;
  close(): Promise<void>;
}

/** A fixed clock, so timestamps in assertions are exact. */
export const FIXED_NOW = (): Date => new Date("2025-01-02T03:04:05.678Z");

/** `FIXED_NOW` in unix seconds, as sources report `start_time`. */
export const FIXED_UNIX = 1735787045;

/** The n-th id (1-based) a test server hands out, so ids in assertions are exact. */
export function testId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

/** Sequential UUID-shaped ids; kept across `restart()` so that ids never repeat in one test. */
function sequentialIds(): () => string {
  let count = 0;
  return () => testId(++count);
}

export async function startTestServer(options: Partial<ServerOptions> = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "tpctl-server-test-")));
  const newId = options.newId ?? sequentialIds();
  const server = await startServer({ port: 0, now: FIXED_NOW, ...options, newId, dataDir: dir });
  const fetchJson = async (url: string, init: RequestInit): Promise<Response> => {
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
  };
  const self: TestServer = {
    server,
    dataDir: dir,
    call(method, path, body, callOptions = {}) {
      const payload = callOptions.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      return fetchJson(`${server.url}/${callOptions.workspace ?? "default"}/api/v1beta2${path}`, {
        method,
        headers: { "content-type": "application/json", ...callOptions.headers },
        ...(payload !== undefined ? { body: payload } : {}),
      });
    },
    get: (path, headers = {}) => fetchJson(`${server.url}${path}`, { headers }),
    async restart() {
      await server.close();
      return startTestServer({ ...options, newId }, dir);
    },
    async close() {
      await server.close();
      if (dataDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
  return self;
}
