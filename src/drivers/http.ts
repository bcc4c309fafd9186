import { Buffer } from "node:buffer";
import { setTimeout as delay } from "node:timers/promises";
import { Pool, type Dispatcher, request as sendOn } from "./undici.js";
import { ApiError, NetworkError, TimeoutError, UsageError } from "../errors.js";
import { AdaptiveLimit, DEFAULT_CONCURRENCY } from "./concurrency.js";

export { AdaptiveLimit, DEFAULT_CONCURRENCY } from "./concurrency.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One request to the Timeplus REST API, described as data (see drivers/rest/calls.ts). */
export interface ApiCall {
  readonly method: HttpMethod;
  /** Relative to `/api/v1beta2`, e.g. "/streams" or "/streams/car_live_data"; names URI-encoded (see `restItemPath` in src/kinds/). */
  readonly path: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Statuses treated as success besides 2xx, e.g. 404 for an idempotent delete. */
  readonly alsoOk?: readonly number[];
  /** It changes nothing whatever its method (a query POSTed to `/exec`), so it is retried as a GET is. */
  readonly readOnly?: boolean;
}

export interface ApiResponse<T> {
  readonly status: number;
  /** The parsed JSON body; undefined when empty, and for a non-2xx status accepted through `alsoOk`. */
  readonly body: T | undefined;
}

export interface TimeplusClient {
  /** Sends one call, retrying where that is safe; throws ApiError, NetworkError or TimeoutError. */
  request<T>(call: ApiCall): Promise<ApiResponse<T>>;
  /** Closes the connections the client opened itself; an injected dispatcher is left to its owner. */
  close(): Promise<void>;
}

export interface TimeplusClientOptions {
  /** e.g. "http://timeplus.internal:8000"; user info in the URL is used as Basic credentials. */
  readonly address: string;
  /** The path segment before `/api`: "default" on Enterprise, the workspace id on Cloud. */
  readonly workspace?: string;
  readonly username?: string;
  readonly password?: string;
  readonly apiKey?: string;
  readonly dispatcher?: Dispatcher;
  /**
   * The most requests in flight at once (default DEFAULT_CONCURRENCY), and the size of the
   * connection pool the client opens. Fewer are let through while the server answers 429 or 503.
   */
  readonly concurrency?: number;
  /** Per attempt, from sending the request to the last byte of the answer. Default 30000. */
  readonly timeoutMs?: number;
  /** Further attempts after the first, where a retry is safe. Default 4. */
  readonly retries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for backoff jitter. */
  readonly random?: () => number;
  /** Epoch milliseconds, to read a `Retry-After` given as an HTTP date. */
  readonly now?: () => number;
  readonly userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 4;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;
/** A server asking us to come back later than this is better reported than waited for. */
const MAX_RETRY_AFTER_MS = 60_000;

const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set<HttpMethod>(["GET", "PUT", "DELETE"]);
/** Statuses that say "not now" rather than "no": overload, rate limit, or a proxy that lost its upstream. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
/** Failures while opening the connection: the request bytes never left this machine. */
const CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * A client for `{address}/{workspace}/api/v1beta2` over an undici Dispatcher (by default a
 * keep-alive Pool it owns). Credentials go only into request headers, never into errors.
 *
 * @example
 * const client = createTimeplusClient({ address: "http://localhost:8000", username: "proton", password: "..." });
 * const { body } = await client.request<unknown[]>({ method: "GET", path: "/streams" });
 */
export function createTimeplusClient(options: TimeplusClientOptions): TimeplusClient {
  const base = parseAddress(options.address);
  const basePath = `${base.pathPrefix}/${encodeURIComponent(options.workspace ?? "default")}/api/v1beta2`;
  const ownsDispatcher = options.dispatcher === undefined;
  const concurrency = concurrencyOf(options.concurrency);
  const limit = new AdaptiveLimit(concurrency);
  // A Pool, not an Agent: the client talks to one origin, and an Agent's dispatch by origin cost
  // about 0.5 ms a request at 20 ms latency and ten in flight (an apply's every request).
  const dispatcher =
    options.dispatcher ??
    new Pool(base.origin, {
      // Apply sends bursts of small requests; reusing sockets saves a handshake each. Idle sockets
      // are dropped well before common server/proxy idle limits so that a reused one is rarely stale.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
      // One socket per request the limit lets through: a smaller pool would queue them inside
      // undici, a larger one would only open sockets that the limit never uses.
      connections: concurrency,
    });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES));
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const fixedHeaders = authHeaders(options.username ?? base.username, options.password ?? base.password, options.apiKey);
  fixedHeaders["accept"] = "application/json";
  fixedHeaders["user-agent"] = options.userAgent ?? "tpctl";
  let closed = false;
  // Identical GETs in flight at once share one request (each caller parses the answer itself, so
  // no one sees another's objects): a locked run's confirming listing and its read both list
  // /views, the whole of it. One may join another only if no other request was sent or answered
  // in between, so that a GET sent after a write was answered never takes an answer older than it.
  const sharedGets = new Map<string, { readonly answer: Promise<Attempt>; readonly epoch: number }>();
  let epoch = 0;

  function sendOnce(method: HttpMethod, path: string, body: string | undefined): Promise<Attempt> {
    if (method !== "GET") {
      epoch += 1;
      return attempt(method, path, body).finally(() => {
        epoch += 1;
      });
    }
    const inFlight = sharedGets.get(path);
    if (inFlight !== undefined && inFlight.epoch === epoch) return inFlight.answer;
    const answer = attempt(method, path, body).finally(() => {
      if (sharedGets.get(path)?.answer === answer) sharedGets.delete(path);
    });
    sharedGets.set(path, { answer, epoch });
    return answer;
  }

  async function attempt(method: HttpMethod, path: string, body: string | undefined): Promise<Attempt> {
    const ticket = await limit.acquire();
    try {
      const result = await send(method, path, body);
      if (result.type === "answer" && (result.status === 429 || result.status === 503)) limit.overloaded(ticket);
      else if (result.type === "answer" && result.status < 500) limit.succeeded();
      return result;
    } finally {
      limit.release();
    }
  }

  async function send(method: HttpMethod, path: string, body: string | undefined): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await sendOn(dispatcher, {
        origin: base.origin,
        path,
        method,
        headers: body === undefined ? fixedHeaders : { ...fixedHeaders, "content-type": "application/json" },
        body: body ?? null,
        signal: controller.signal,
      });
      // Read the whole body even when it is not needed, so that the socket goes back to the pool.
      const text = await response.body.text();
      return { type: "answer", status: response.statusCode, retryAfter: firstHeader(response.headers["retry-after"]), text };
    } catch (error) {
      if (controller.signal.aborted) return { type: "timeout" };
      return { type: "network", error, neverSent: isConnectFailure(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async request<T>(call: ApiCall): Promise<ApiResponse<T>> {
      const apiPath = call.path.startsWith("/") ? call.path : `/${call.path}`;
      const fullPath = `${basePath}${apiPath}`;
      // The URL as it may be printed: the origin never carries user info (parseAddress strips it).
      const displayUrl = `${base.origin}${fullPath}`;
      const body = call.body === undefined ? undefined : JSON.stringify(call.body);
      const idempotent = IDEMPOTENT_METHODS.has(call.method) || call.readOnly === true;
      const read = call.method === "GET" || call.readOnly === true;

      for (let attemptIndex = 0; ; attemptIndex += 1) {
        const result = await sendOnce(call.method, fullPath, body);
        let failure: Error;
        let retryable: boolean;
        let waitMs = backoff(attemptIndex, random);

        // Why POST and PATCH are retried only when the connection was never opened: after a 5xx,
        // a timeout or a reset, the server may already have created or changed the resource, and
        // doing it again could fail ("already exists") or apply twice. So the error surfaces and
        // the next plan, which reads the live workspace again, converges on what really happened.
        // GET, PUT and DELETE leave the same state however often they run (a repeated DELETE meets
        // 404, which its call lists in `alsoOk`).
        if (result.type === "answer") {
          const { status } = result;
          const accepted = call.alsoOk?.includes(status) ?? false;
          if ((status >= 200 && status < 300) || accepted) {
            if (status < 200 || status >= 300) return { status, body: undefined };
            const parsed = parseJson(result.text);
            if (parsed.ok) return { status, body: parsed.value as T | undefined };
            throw new ApiError({ method: call.method, path: apiPath, status, apiMessage: "the response body is not JSON" });
          }
          failure = apiErrorFrom(call.method, apiPath, status, result.text);
          // A read answered 500 is retried too: it changes nothing, and a server that failed after
          // doing some work (or one behind a flaky proxy) usually answers the next time.
          // 429 says the request was refused before anything was done (RFC 6585), so even a POST
          // is sent again once the server has had time to catch up.
          retryable = status === 429 || (idempotent && (RETRYABLE_STATUSES.has(status) || (read && status === 500)));
          const retryAfterMs = parseRetryAfter(result.retryAfter, now());
          if (retryAfterMs !== undefined) {
            if (retryAfterMs > MAX_RETRY_AFTER_MS) retryable = false;
            waitMs = retryAfterMs;
          }
        } else if (result.type === "timeout") {
          failure = new TimeoutError(call.method, displayUrl, timeoutMs);
          retryable = idempotent;
        } else {
          failure = new NetworkError(call.method, displayUrl, result.error);
          retryable = idempotent || result.neverSent;
        }

        if (!retryable || attemptIndex >= retries || closed) throw failure;
        await sleep(waitMs);
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

function concurrencyOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : 1;
}

type Attempt =
  | { readonly type: "answer"; readonly status: number; readonly retryAfter: string | undefined; readonly text: string }
  | { readonly type: "timeout" }
  | { readonly type: "network"; readonly error: unknown; readonly neverSent: boolean };

interface ParsedAddress {
  /** Scheme, host and port only: safe to print. */
  readonly origin: string;
  readonly pathPrefix: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

function parseAddress(address: string): ParsedAddress {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    // The value is not echoed: it may hold a password.
    throw new UsageError("the Timeplus address is not a URL; expected one like http://localhost:8000");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`the Timeplus address must start with http:// or https://, not ${url.protocol}//`);
  }
  return {
    origin: url.origin,
    // A deployment behind a reverse proxy may live under a path, e.g. https://host/timeplus.
    pathPrefix: url.pathname.replace(/\/+$/, ""),
    username: url.username === "" ? undefined : decodeURIComponent(url.username),
    password: url.password === "" ? undefined : decodeURIComponent(url.password),
  };
}

/**
 * Basic for Enterprise, `X-Api-Key` for Cloud (docs/timeplus-api.md §1). When both are configured both
 * are sent: each scheme has its own header and a server reads the one it knows.
 */
function authHeaders(username: string | undefined, password: string | undefined, apiKey: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (username !== undefined) {
    headers["authorization"] = `Basic ${Buffer.from(`${username}:${password ?? ""}`, "utf8").toString("base64")}`;
  }
  if (apiKey !== undefined) headers["x-api-key"] = apiKey;
  return headers;
}

/** Full jitter (a uniform wait up to an exponentially growing, capped ceiling) spreads retries of many clients apart. */
function backoff(attemptIndex: number, random: () => number): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attemptIndex));
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The Timeplus error body is `{code, message, system}` (docs/timeplus-api.md §6); other bodies add nothing. */
function apiErrorFrom(method: HttpMethod, path: string, status: number, text: string): ApiError {
  const parsed = parseJson(text);
  const value = parsed.ok ? parsed.value : undefined;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { code, message } = value as { code?: unknown; message?: unknown };
    return new ApiError({
      method,
      path,
      status,
      apiCode: typeof code === "number" ? code : undefined,
      apiMessage: typeof message === "string" && message !== "" ? message : undefined,
    });
  }
  return new ApiError({ method, path, status });
}

/** The request never left this machine: safe to retry whatever its method. */
export function isConnectFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === "string" && CONNECT_FAILURE_CODES.has(code)) return true;
  // Happy eyeballs (autoSelectFamily) reports one AggregateError for all the addresses it tried.
  return Array.isArray(errors) && errors.length > 0 && errors.every(isConnectFailure);
}
