import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MockAgent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, NetworkError, TimeoutError, type TpctlError } from "../errors.js";
import { AdaptiveLimit, createTimeplusClient, DEFAULT_CONCURRENCY, type TimeplusClient, type TimeplusClientOptions } from "./http.js";

const ORIGIN = "http://tp.test:8000";
const PASSWORD = "Zebra-Unicorn-9f3k";
const API_KEY = "key-Kumquat-77xq";

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A MockAgent that answers `replies` in order on one path, recording what it was sent. */
function mockApi(
  replies: readonly { status: number; data?: unknown; headers?: Record<string, string> }[],
  path = "/default/api/v1beta2/streams",
) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const seen: Seen[] = [];
  const pool = agent.get(ORIGIN);
  for (const reply of replies) {
    pool.intercept({ path, method: () => true }).reply((options) => {
      seen.push({
        method: options.method,
        path: options.path,
        headers: { ...(options.headers as Record<string, string>) },
        body: options.body ?? undefined,
      });
      return {
        statusCode: reply.status,
        data: reply.data === undefined ? "" : typeof reply.data === "string" ? reply.data : JSON.stringify(reply.data),
        responseOptions: { headers: { "content-type": "application/json", ...reply.headers } },
      };
    });
  }
  cleanups.push(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
  return { agent, seen };
}

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function client(options: Partial<TimeplusClientOptions> & Pick<TimeplusClientOptions, "dispatcher">): TimeplusClient {
  const created = createTimeplusClient({ address: ORIGIN, random: () => 0.5, sleep: async () => {}, ...options });
  cleanups.push(() => created.close());
  return created;
}

/** A real HTTP server on an ephemeral loopback port. */
async function startHttpServer(handler: (request: IncomingMessage, response: ServerResponse) => void, port = 0) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return { port: (server.address() as AddressInfo).port, close };
}

async function closedPort(): Promise<number> {
  const { port, close } = await startHttpServer(() => {});
  await close();
  return port;
}

async function failureOf(promise: Promise<unknown>): Promise<TpctlError> {
  try {
    await promise;
  } catch (error) {
    return error as TpctlError;
  }
  throw new Error("expected the request to fail");
}

describe("requests", () => {
  it("builds the URL under the workspace and sends Basic auth and JSON headers", async () => {
    const { agent, seen } = mockApi([{ status: 200, data: [{ name: "car_live_data" }] }]);
    const response = await client({ address: `${ORIGIN}//`, username: "alice", password: PASSWORD, dispatcher: agent }).request({
      method: "GET",
      path: "/streams",
    });

    expect(response).toEqual({ status: 200, body: [{ name: "car_live_data" }] });
    expect(seen).toEqual([
      {
        method: "GET",
        path: "/default/api/v1beta2/streams",
        headers: {
          accept: "application/json",
          authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString("base64")}`,
          "user-agent": "tpctl",
        },
        body: undefined,
      },
    ]);
  });

  it("sends an API key, a JSON body, and honours a workspace id and a path prefix", async () => {
    const { agent, seen } = mockApi([{ status: 201, data: { name: "s" } }], "/proxy/t5abcd1e/api/v1beta2/streams");
    const response = await client({
      address: `${ORIGIN}/proxy/`,
      workspace: "t5abcd1e",
      apiKey: API_KEY,
      userAgent: "tpctl/test",
      dispatcher: agent,
    }).request({ method: "POST", path: "/streams", body: { name: "s", columns: [] } });

    expect(response).toEqual({ status: 201, body: { name: "s" } });
    expect(seen).toEqual([
      {
        method: "POST",
        path: "/proxy/t5abcd1e/api/v1beta2/streams",
        headers: {
          accept: "application/json",
          "content-type": "application/json",
          "user-agent": "tpctl/test",
          "x-api-key": API_KEY,
        },
        body: '{"name":"s","columns":[]}',
      },
    ]);
  });

  it("takes Basic credentials from the address's user info and keeps them out of the origin", async () => {
    const { agent, seen } = mockApi([{ status: 200, data: [] }]);
    await client({ address: `http://bob:${PASSWORD}@tp.test:8000`, dispatcher: agent }).request({ method: "GET", path: "streams" });
    expect(seen[0]?.headers["authorization"]).toBe(`Basic ${Buffer.from(`bob:${PASSWORD}`).toString("base64")}`);
  });

  it("answers an empty 204 with no body, and an alsoOk status as success", async () => {
    const { agent } = mockApi(
      [{ status: 204 }, { status: 404, data: { code: 60, message: "stream 'gone' doesn't exist", system: "timeplusd" } }],
      "/default/api/v1beta2/streams/gone",
    );
    const tp = client({ dispatcher: agent });
    expect(await tp.request({ method: "DELETE", path: "/streams/gone" })).toEqual({ status: 204, body: undefined });
    expect(await tp.request({ method: "DELETE", path: "/streams/gone", alsoOk: [404] })).toEqual({ status: 404, body: undefined });
  });
});

describe("errors", () => {
  it("maps a Timeplus error body to an ApiError with the engine code and message", async () => {
    const { agent } = mockApi([{ status: 400, data: { code: 57, message: "stream 'iot' exists", system: "timeplusd" } }]);
    const error = await failureOf(client({ dispatcher: agent }).request({ method: "POST", path: "/streams", body: { name: "iot" } }));

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ method: "POST", path: "/streams", status: 400, apiCode: 57, apiMessage: "stream 'iot' exists" });
    expect(error.message).toMatchInlineSnapshot(`"POST /streams failed with HTTP 400 (code 57): stream 'iot' exists"`);
  });

  it("reports a non-JSON error body by status alone", async () => {
    const { agent } = mockApi([{ status: 502, data: "<html>Bad Gateway</html>" }]);
    const error = await failureOf(client({ dispatcher: agent }).request({ method: "POST", path: "/streams", body: {} }));
    expect(error).toMatchObject({ status: 502, apiCode: undefined, apiMessage: undefined });
    expect(error.message).toMatchInlineSnapshot(`"POST /streams failed with HTTP 502"`);
  });

  it("refuses a 2xx answer that is not JSON", async () => {
    const { agent } = mockApi([{ status: 200, data: "not json" }]);
    const error = await failureOf(client({ dispatcher: agent }).request({ method: "GET", path: "/streams" }));
    expect(error.message).toMatchInlineSnapshot(`"GET /streams failed with HTTP 200: the response body is not JSON"`);
  });

  it("turns a refused connection into a NetworkError", async () => {
    const port = await closedPort();
    const error = await failureOf(client({ address: `http://127.0.0.1:${port}`, retries: 0 }).request({ method: "GET", path: "/streams" }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe(
      `GET http://127.0.0.1:${port}/default/api/v1beta2/streams could not reach the Timeplus server: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it("turns a silent server into a TimeoutError and retries a GET", async () => {
    let requests = 0;
    const { port } = await startHttpServer(() => void (requests += 1));
    const { delays, sleep } = recordingSleep();
    const error = await failureOf(
      client({ address: `http://127.0.0.1:${port}`, timeoutMs: 50, retries: 1, sleep }).request({ method: "GET", path: "/streams" }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe(`GET http://127.0.0.1:${port}/default/api/v1beta2/streams got no answer within 50 ms`);
    expect({ requests, delays }).toEqual({ requests: 2, delays: [50] });
  });

  it("does not retry a POST that timed out: it may have been carried out", async () => {
    let requests = 0;
    const { port } = await startHttpServer(() => void (requests += 1));
    const { delays, sleep } = recordingSleep();
    const error = await failureOf(
      client({ address: `http://127.0.0.1:${port}`, timeoutMs: 50, sleep }).request({ method: "POST", path: "/streams", body: {} }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect({ requests, delays }).toEqual({ requests: 1, delays: [] });
  });

  it("never puts credentials in an error's message, meta or stack", async () => {
    const { agent } = mockApi([{ status: 401, data: { code: 401, message: "invalid credentials", system: "appserver" } }]);
    const apiError = await failureOf(
      client({ username: "alice", password: PASSWORD, apiKey: API_KEY, dispatcher: agent }).request({ method: "GET", path: "/streams" }),
    );
    const port = await closedPort();
    const networkError = await failureOf(
      client({ address: `http://alice:${PASSWORD}@127.0.0.1:${port}`, apiKey: API_KEY, retries: 0 }).request({
        method: "GET",
        path: "/streams",
      }),
    );
    const { port: silentPort } = await startHttpServer(() => {});
    const timeoutError = await failureOf(
      client({ address: `http://alice:${PASSWORD}@127.0.0.1:${silentPort}`, timeoutMs: 30, retries: 0 }).request({
        method: "GET",
        path: "/streams",
      }),
    );

    expect([apiError, networkError, timeoutError].map((error) => error.constructor.name)).toEqual([
      "ApiError",
      "NetworkError",
      "TimeoutError",
    ]);
    for (const error of [apiError, networkError, timeoutError]) {
      const everything = [error.message, error.stack, JSON.stringify(error.meta), String(error.cause)].join("\n");
      expect(everything).toContain("GET ");
      for (const secret of [PASSWORD, API_KEY, Buffer.from(`alice:${PASSWORD}`).toString("base64"), "alice:"]) {
        expect(everything).not.toContain(secret);
      }
    }
  });
});

describe("retries", () => {
  it("retries a GET after 503 with exponential backoff and full jitter, then succeeds", async () => {
    const { agent, seen } = mockApi([{ status: 503 }, { status: 503 }, { status: 502 }, { status: 200, data: [] }]);
    const { delays, sleep } = recordingSleep();
    const response = await client({ dispatcher: agent, sleep, random: () => 0.5 }).request({ method: "GET", path: "/streams" });
    expect(response).toEqual({ status: 200, body: [] });
    expect(seen).toHaveLength(4);
    expect(delays).toEqual([50, 100, 200]);
  });

  it("retries a POST that only reads (a historical query through /exec), and no other POST", async () => {
    const { agent, seen } = mockApi([{ status: 503 }, { status: 500 }, { status: 200, data: { data: [] } }], "/default/api/v1beta2/exec");
    const { sleep } = recordingSleep();
    const call = { method: "POST" as const, path: "/exec", body: { sql: "SHOW TASKS", type: "historical" } };
    const response = await client({ dispatcher: agent, sleep }).request({ ...call, readOnly: true });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(3);
    const once = mockApi([{ status: 503 }], "/default/api/v1beta2/exec");
    await failureOf(client({ dispatcher: once.agent, sleep }).request({ ...call, body: { sql: "CREATE STREAM s (a int)", type: "ddl" } }));
    expect(once.seen).toHaveLength(1);
  });

  it("caps the backoff and gives up after `retries` retries", async () => {
    const { agent, seen } = mockApi(Array.from({ length: 7 }, () => ({ status: 504 })));
    const { delays, sleep } = recordingSleep();
    const error = await failureOf(
      client({ dispatcher: agent, sleep, random: () => 0.999, retries: 6 }).request({ method: "PUT", path: "/streams", body: {} }),
    );
    expect(error).toMatchObject({ status: 504 });
    expect(seen).toHaveLength(7);
    expect(delays).toEqual([99, 199, 399, 799, 1598, 1998]);
  });

  it("waits as long as Retry-After asks, in seconds or as a date", async () => {
    const { agent } = mockApi([
      { status: 429, headers: { "retry-after": "3" } },
      { status: 503, headers: { "retry-after": "Wed, 21 Oct 2015 07:28:05 GMT" } },
      { status: 204 },
    ]);
    const { delays, sleep } = recordingSleep();
    const now = () => Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    await client({ dispatcher: agent, sleep, now }).request({ method: "DELETE", path: "/streams" });
    expect(delays).toEqual([3000, 5000]);
  });

  it("reports rather than waits when Retry-After is longer than a minute", async () => {
    const { agent, seen } = mockApi([{ status: 503, headers: { "retry-after": "3600" } }]);
    const { delays, sleep } = recordingSleep();
    const error = await failureOf(client({ dispatcher: agent, sleep }).request({ method: "GET", path: "/streams" }));
    expect({ status: (error as ApiError).status, requests: seen.length, delays }).toEqual({ status: 503, requests: 1, delays: [] });
  });

  it.each([
    ["POST", 500],
    ["POST", 503],
    ["PATCH", 503],
  ] as const)("does not retry a %s after %i: the write may have happened", async (method, status) => {
    const { agent, seen } = mockApi([{ status }]);
    const { delays, sleep } = recordingSleep();
    const error = await failureOf(client({ dispatcher: agent, sleep }).request({ method, path: "/streams", body: {} }));
    expect({ status: (error as ApiError).status, requests: seen.length, delays }).toEqual({ status, requests: 1, delays: [] });
  });

  it("does not retry a GET after a 4xx", async () => {
    const { agent, seen } = mockApi([{ status: 404, data: { code: 60, message: "stream 'x' doesn't exist", system: "timeplusd" } }]);
    const error = await failureOf(client({ dispatcher: agent }).request({ method: "GET", path: "/streams" }));
    expect({ status: (error as ApiError).status, requests: seen.length }).toEqual({ status: 404, requests: 1 });
  });

  it("retries a GET after a 500: a read changes nothing", async () => {
    const { agent, seen } = mockApi([
      { status: 500, data: { code: 1, message: "boom", system: "appserver" } },
      { status: 200, data: [] },
    ]);
    const { delays, sleep } = recordingSleep();
    const response = await client({ dispatcher: agent, sleep }).request({ method: "GET", path: "/streams" });
    expect({ response, requests: seen.length, retries: delays.length }).toEqual({
      response: { status: 200, body: [] },
      requests: 2,
      retries: 1,
    });
  });

  it("retries a read-only POST (a query sent to /exec) as it does a GET, after a 500 and a reset", async () => {
    const methods: string[] = [];
    const { port } = await startHttpServer((request, response) => {
      methods.push(request.method ?? "");
      if (methods.length === 1) request.socket.destroy();
      else if (methods.length === 2) response.writeHead(500, { "content-type": "application/json" }).end('{"code":1,"message":"boom"}');
      else response.writeHead(200, { "content-type": "application/json" }).end("[]");
    });
    const { delays, sleep } = recordingSleep();
    const tp = client({ address: `http://127.0.0.1:${port}`, sleep });
    const call = { method: "POST", path: "/exec", body: { sql: "SELECT 1", type: "historical" }, readOnly: true } as const;
    expect(await tp.request(call)).toEqual({ status: 200, body: [] });
    expect({ methods, retries: delays.length }).toEqual({ methods: ["POST", "POST", "POST"], retries: 2 });
  });

  it("retries a GET after a reset connection but not a PATCH", async () => {
    const methods: string[] = [];
    const { port } = await startHttpServer((request, response) => {
      methods.push(request.method ?? "");
      if (methods.length === 1 || request.method === "PATCH") request.socket.destroy();
      else response.writeHead(200, { "content-type": "application/json" }).end("[]");
    });
    const { delays, sleep } = recordingSleep();
    const tp = client({ address: `http://127.0.0.1:${port}`, sleep });

    expect(await tp.request({ method: "GET", path: "/streams" })).toEqual({ status: 200, body: [] });
    const error = await failureOf(tp.request({ method: "PATCH", path: "/streams/s", body: {} }));
    expect(error).toBeInstanceOf(NetworkError);
    expect({ methods, delays }).toEqual({ methods: ["GET", "GET", "PATCH"], delays: [50] });
  });

  it("retries a POST whose connection was refused: it never reached the server", async () => {
    const port = await closedPort();
    const bodies: string[] = [];
    const delays: number[] = [];
    const tp = client({
      address: `http://127.0.0.1:${port}`,
      // The server comes up while the client waits to retry.
      sleep: async (ms) => {
        delays.push(ms);
        await startHttpServer((request, response) => {
          let body = "";
          request.on("data", (chunk: Buffer) => (body += chunk.toString()));
          request.on("end", () => {
            bodies.push(body);
            response.writeHead(201, { "content-type": "application/json" }).end(body);
          });
        }, port);
      },
    });

    const response = await tp.request({ method: "POST", path: "/streams", body: { name: "s" } });
    expect(response).toEqual({ status: 201, body: { name: "s" } });
    expect({ bodies, delays }).toEqual({ bodies: ['{"name":"s"}'], delays: [50] });
  });
});

describe("concurrency", () => {
  it("halves the limit once per burst of refusals and grows it back by about one per round", () => {
    const limit = new AdaptiveLimit(10);
    expect(limit.current).toBe(10);
    // Ten requests sent under the same limit all come back 429: one cut, not ten.
    for (let i = 0; i < 10; i += 1) limit.overloaded(0);
    expect(limit.current).toBe(5);
    limit.overloaded(1);
    expect(limit.current).toBe(2);
    limit.overloaded(2);
    limit.overloaded(3);
    expect(limit.current).toBe(1);
    for (let i = 0; i < 3; i += 1) limit.succeeded();
    expect(limit.current).toBe(2);
    for (let i = 0; i < 200; i += 1) limit.succeeded();
    expect(limit.current).toBe(10);
  });

  it("sends at most `concurrency` requests at once, DEFAULT_CONCURRENCY unless told", async () => {
    for (const concurrency of [undefined, 3]) {
      let inFlight = 0;
      let peak = 0;
      const { port } = await startHttpServer((_request, response) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          response.writeHead(200, { "content-type": "application/json" }).end("[]");
        }, 20);
      });
      const tp = createTimeplusClient({ address: `http://127.0.0.1:${port}`, ...(concurrency !== undefined ? { concurrency } : {}) });
      cleanups.push(() => tp.close());
      // Forty paths: identical GETs in flight at once would share one request.
      await Promise.all(Array.from({ length: 40 }, (_, index) => tp.request({ method: "GET", path: `/streams/s${index}` })));
      expect(peak).toBe(concurrency ?? DEFAULT_CONCURRENCY);
    }
  });

  it("sends identical GETs in flight at once as one request, and gives each caller its own copy of the answer", async () => {
    let served = 0;
    const { port } = await startHttpServer((_request, response) => {
      served += 1;
      setTimeout(() => response.writeHead(200, { "content-type": "application/json" }).end('[{"name":"v"}]'), 20);
    });
    const tp = createTimeplusClient({ address: `http://127.0.0.1:${port}` });
    cleanups.push(() => tp.close());
    const [first, second] = await Promise.all([
      tp.request<{ name: string }[]>({ method: "GET", path: "/views" }),
      tp.request<{ name: string }[]>({ method: "GET", path: "/views" }),
    ]);
    expect(served).toBe(1);
    expect(second.body).toEqual([{ name: "v" }]);
    first.body![0]!.name = "changed by the first caller";
    expect(second.body).toEqual([{ name: "v" }]);
  });

  it("never answers a GET sent after a write was answered with a GET sent before it", async () => {
    let version = 0;
    let served = 0;
    const { port } = await startHttpServer((request, response) => {
      served += 1;
      // Each answer tells the state as the request found it; a read takes 50 ms, a write none.
      if (request.method === "POST") version += 1;
      const seen = version;
      setTimeout(
        () => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ seen })),
        request.method === "GET" ? 50 : 0,
      );
    });
    const tp = createTimeplusClient({ address: `http://127.0.0.1:${port}` });
    cleanups.push(() => tp.close());
    const before = tp.request<{ seen: number }>({ method: "GET", path: "/views" });
    await tp.request({ method: "POST", path: "/views", body: { name: "v" } });
    const after = await tp.request<{ seen: number }>({ method: "GET", path: "/views" });
    expect(after.body).toEqual({ seen: 1 });
    expect((await before).body).toEqual({ seen: 0 });
    expect(served).toBe(3);
  });

  it("backs off by itself when the server answers 429, so that every create lands", async () => {
    let inFlight = 0;
    let refused = 0;
    let served = 0;
    const { port } = await startHttpServer((request, response) => {
      request.resume();
      inFlight += 1;
      const overloaded = inFlight > 3;
      setTimeout(() => {
        inFlight -= 1;
        if (overloaded) {
          refused += 1;
          response.writeHead(429, { "content-type": "application/json" }).end('{"code":429,"message":"too many requests"}');
        } else {
          served += 1;
          response.writeHead(201, { "content-type": "application/json" }).end("{}");
        }
      }, 10);
    });
    const tp = createTimeplusClient({ address: `http://127.0.0.1:${port}`, concurrency: 16, sleep: async () => {}, retries: 8 });
    cleanups.push(() => tp.close());
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => tp.request({ method: "POST", path: "/streams", body: { name: `s${i}` } })),
    );
    expect(results.every((result) => result.status === 201)).toBe(true);
    expect(served).toBe(100);
    // Without backing off, 13 of every 16 requests would be refused, round after round.
    expect(refused).toBeLessThan(60);
  });
});
