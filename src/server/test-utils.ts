import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect } from "vitest";
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
  call(
    method: string,
    path: string,
    body?: unknown,
    options?: { headers?: Record<string, string>; workspace?: string; raw?: string },
  ): Promise<Response>;
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

/** The audit fields of an object created (and not since changed) at `FIXED_NOW` by an anonymous caller. */
export const AUDIT = {
  created_at: "2025-01-02 03:04:05",
  created_by: { id: "anonymous", name: "anonymous" },
  last_updated_at: "2025-01-02 03:04:05",
  last_updated_by: { id: "anonymous", name: "anonymous" },
};

/** The stream most kind tests read from. */
export const CARS_STREAM = {
  name: "cars",
  columns: [
    { name: "cid", type: "string" },
    { name: "speed_kmh", type: "float32" },
  ],
};

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

/**
 * A fresh test server for every test of the calling file, closed after it. `setup` runs once the
 * server is up, e.g. to create the streams the tests read; the handle always reaches the server of
 * the running test, and its `restart()` moves the handle to the restarted one.
 *
 * @example const t = serverPerTest((server) => server.call("POST", "/streams", CARS_STREAM));
 */
export function serverPerTest(setup?: (server: TestServer) => Promise<unknown>): TestServer {
  let current: TestServer | undefined;
  const live = (): TestServer => {
    if (!current) throw new Error("the test server runs only inside a test");
    return current;
  };
  beforeEach(async () => {
    current = await startTestServer();
    await setup?.(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const handle: TestServer = {
    get server() {
      return live().server;
    },
    get dataDir() {
      return live().dataDir;
    },
    call: (method, path, body, options) => live().call(method, path, body, options),
    get: (path, headers) => live().get(path, headers),
    async restart() {
      current = await live().restart();
      return handle;
    },
    close: () => live().close(),
  };
  return handle;
}

/**
 * POSTs `body` to `collection` and expects exactly `expected` back three times: in the reply (201),
 * from GET `item`, and as the only entry of GET `collection`.
 */
export async function expectCreatedAndReadBack(
  t: TestServer,
  collection: string,
  item: string,
  body: unknown,
  expected: unknown,
): Promise<void> {
  const created = await t.call("POST", collection, body);
  expect(created.status).toBe(201);
  expect(created.body).toEqual(expected);
  expect((await t.call("GET", item)).body).toEqual(expected);
  expect((await t.call("GET", collection)).body).toEqual([expected]);
}
