import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { JsonValue } from "../model/index.js";
import { createCatalog, createTransaction } from "./catalog.js";
import { ApiFailure, ENGINE_CODES, engineError } from "./errors.js";
import type { FaultPlan } from "./faults.js";
import { isEnginePath, type Profile, restRouteServed } from "./sql/profile.js";
import type { EngineReply, EngineRequest, SqlWorkspace } from "./sql/transport.js";
import type { Actor, KindModule, Route, RouteContext } from "./kinds/kind.js";
import { DATABASE } from "./kinds/kind.js";
import { createPacer } from "./latency.js";
import { type Store, WORKSPACE_PATTERN } from "./store.js";

const API_VERSION = "v1beta2";
const MAX_BODY_BYTES = 1024 * 1024;
const BODY_METHODS: ReadonlySet<string> = new Set(["POST", "PATCH", "PUT"]);
const JSON_TYPE = "application/json; charset=utf-8";

export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  readonly apiKey?: string;
}

export interface AppOptions {
  readonly store: Store;
  readonly modules: readonly KindModule[];
  /** Routes that belong to no kind, e.g. /topology. */
  readonly extraRoutes: readonly Route[];
  readonly auth: AuthConfig;
  readonly latencyMs: number;
  readonly faults: FaultPlan | undefined;
  readonly slowMs: number;
  readonly now: () => Date;
  /** Ids of objects of id-based kinds (sources, sinks, …). */
  readonly newId: () => string;
  readonly version: string;
  /** What is served (`tpctl server --profile`); defaults to everything. */
  readonly profile?: Profile;
  /** The engine's SQL HTTP interface at `/`, when the profile serves it. */
  readonly engine?: (request: EngineRequest, workspace: SqlWorkspace) => Promise<EngineReply>;
}

export interface App {
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Cuts short the wait of every request in flight (its socket is destroyed, unanswered) and resolves when all have finished. */
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body?: JsonValue;
  readonly headers?: Readonly<Record<string, string>>;
  /** A body sent as it is (the engine's text answers), instead of `body` as JSON. */
  readonly text?: string;
}

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
  /** The kind whose module the route belongs to; undefined for extra routes. */
  readonly kind: string | undefined;
}

/**
 * The HTTP side of the server: counts and (optionally) delays or fails each API request, checks
 * credentials, routes `/{workspace}/api/v1beta2/...` to the kind modules and turns every refusal
 * into the `{code, message, system}` error body of the real service (docs/timeplus-api.md §6).
 */
export function createApp(options: AppOptions): App {
  const profile = options.profile ?? "all";
  const routes: CompiledRoute[] = [
    ...options.modules.flatMap((module) => module.routes.map((route) => ({ route, kind: module.kind }))),
    ...options.extraRoutes.map((route) => ({ route, kind: undefined })),
  ]
    .filter(({ route, kind }) => restRouteServed(profile, route.method, kind, route.path))
    .map(({ route, kind }) => ({ route, kind, segments: route.path.split("/").filter((segment) => segment !== "") }));
  const counter = new Map<string, number>();
  const faultCounter = new Map<string, number>();
  let total = 0;
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const pace = createPacer(closing.signal);

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // The latency counts from the request's arrival, reading its body included.
    const arrived = performance.now();
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://localhost");
    const raw = await readBody(request);
    if (url.pathname === "/_server" || url.pathname.startsWith("/_server/")) {
      send(response, serveInternal(method, url.pathname, total, counter, faultCounter));
      return;
    }
    const routeKey = `${method} ${url.pathname}`;
    counter.set(routeKey, (counter.get(routeKey) ?? 0) + 1);
    total += 1;

    const fault = options.faults?.next();
    if (fault) faultCounter.set(fault, (faultCounter.get(fault) ?? 0) + 1);
    // The work comes first and the wait after it: the answer leaves latencyMs after the request
    // arrived, not latencyMs plus the time the work took.
    const answerAt = arrived + options.latencyMs + (fault === "slow" ? options.slowMs : 0);
    if (closing.signal.aborted || fault === "reset_before") {
      await pace(answerAt);
      response.socket?.destroy();
      return;
    }
    let reply: Reply;
    if (fault === "unavailable") {
      reply = failureReply(new ApiFailure(503, 503, "service unavailable (injected fault)", "neutron"));
    } else {
      try {
        // Serialized before the wait, as part of the work: a real server has its answer in bytes
        // before they travel, and a large list took longer to stringify than the latency itself.
        reply = serialized(
          options.engine && isEnginePath(url.pathname)
            ? await serveEngine(options.engine, method, url, request.headers, raw)
            : await dispatch(method, url, request.headers, raw),
        );
      } catch (error) {
        reply = failureReply(
          error instanceof ApiFailure
            ? error
            : new ApiFailure(500, 500, `internal server error: ${error instanceof Error ? error.message : String(error)}`, "neutron"),
        );
      }
    }
    await pace(answerAt);
    if (closing.signal.aborted || fault === "reset_after") {
      response.socket?.destroy();
      return;
    }
    if (fault === "error_after_write") {
      reply = failureReply(new ApiFailure(500, 500, "internal server error (injected fault)", "neutron"));
    }
    send(response, reply);
  };

  // The engine has no workspaces: its statements act on `default`, the workspace REST calls `default`.
  const engineWorkspace: SqlWorkspace = {
    read: () => createCatalog(options.modules, options.store.read(DATABASE)),
    write: (change) => options.store.write(DATABASE, (state) => change(createTransaction(options.modules, state))),
  };
  const serveEngine = async (
    engine: NonNullable<AppOptions["engine"]>,
    method: string,
    url: URL,
    headers: IncomingHttpHeaders,
    raw: RawBody,
  ): Promise<Reply> => {
    if ("tooLarge" in raw) return { status: 413, text: `request body is larger than ${MAX_BODY_BYTES} bytes\n` };
    const reply = await engine({ method, url, headers, body: raw.text }, engineWorkspace);
    return { status: reply.status, text: reply.text, headers: reply.headers };
  };

  const dispatch = async (method: string, url: URL, headers: IncomingHttpHeaders, raw: RawBody): Promise<Reply> => {
    const actor = authenticate(headers, options.auth);
    const segments = decodeSegments(url.pathname);
    if (segments === undefined) throw pathNotFound(method, url.pathname);

    if (profile === "engine") throw pathNotFound(method, url.pathname);
    // Un-versioned version endpoint of later Enterprise builds (docs/timeplus-api.md §1).
    if (isInfoPath(segments)) {
      if (method !== "GET") throw methodNotAllowed(method, url.pathname, ["GET"]);
      return { status: 200, body: infoDocument(options.version) };
    }
    const [workspace, api, version, ...rest] = segments;
    if (workspace === undefined || api !== "api" || version !== API_VERSION || !WORKSPACE_PATTERN.test(workspace)) {
      throw pathNotFound(method, url.pathname);
    }
    const matching = routes
      .map((compiled) => ({ compiled, params: matchSegments(compiled.segments, rest) }))
      .filter((candidate): candidate is { compiled: CompiledRoute; params: Record<string, string> } => candidate.params !== undefined);
    if (matching.length === 0) throw pathNotFound(method, url.pathname);
    const chosen = matching.find((candidate) => candidate.compiled.route.method === method);
    if (!chosen)
      throw methodNotAllowed(
        method,
        url.pathname,
        matching.map((candidate) => candidate.compiled.route.method),
      );

    // Later builds take `?db=`; only the default database exists here (docs/timeplus-api.md §1).
    const db = url.searchParams.get("db");
    if (db !== null && db !== "" && db !== DATABASE) {
      throw engineError(ENGINE_CODES.UNKNOWN_DATABASE, `Database ${db} doesn't exist`);
    }

    const context: RouteContext = {
      workspace,
      params: chosen.params,
      body:
        BODY_METHODS.has(method) && chosen.compiled.route.bodyless !== true && chosen.compiled.route.rawBody !== true
          ? parseJsonBody(raw, contentTypeOf(headers))
          : undefined,
      raw: "text" in raw ? raw.text : "",
      contentType: contentTypeOf(headers),
      query: url.searchParams,
      actor,
      now: options.now(),
      newId: options.newId,
      read: () => createCatalog(options.modules, options.store.read(workspace)),
      write: (change) => options.store.write(workspace, (state) => change(createTransaction(options.modules, state))),
    };
    return chosen.compiled.route.handle(context);
  };

  return {
    handle(request, response) {
      const running = serve(request, response)
        .catch(() => {
          response.socket?.destroy();
        })
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
    },
    async close() {
      closing.abort();
      await Promise.all([...inFlight]);
    },
  };
}

function serveInternal(
  method: string,
  path: string,
  total: number,
  counter: ReadonlyMap<string, number>,
  faults: ReadonlyMap<string, number>,
): Reply {
  if (path !== "/_server/requests") return failureReply(pathNotFound(method, path));
  if (method !== "GET") return failureReply(methodNotAllowed(method, path, ["GET"]));
  const byRoute = Object.fromEntries([...counter.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  // `faults` (injected faults by kind) extends the contract's {total, by_route}, for fault tests.
  return { status: 200, body: { total, by_route: byRoute, faults: Object.fromEntries([...faults.entries()].sort()) } };
}

/**
 * The seed spec's Info: a Build `{version, commit, build_time}` per component (proton the engine,
 * neutron the appserver, orbit the connector, axion) and `product_name`; `version` and
 * `api_version` are kept beside them for callers of earlier builds of this server.
 */
function infoDocument(version: string): JsonValue {
  const build = { version, commit: "", build_time: "" };
  return {
    product_name: "tpctl built-in server",
    proton: build,
    neutron: build,
    orbit: build,
    axion: build,
    version,
    api_version: API_VERSION,
  };
}

function isInfoPath(segments: readonly string[]): boolean {
  return (segments.length === 1 && segments[0] === "info") || (segments.length === 3 && segments[1] === "api" && segments[2] === "info");
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const value = actual[index] as string;
    if (part.startsWith(":")) {
      if (value === "") return undefined;
      params[part.slice(1)] = value;
    } else if (part !== value) {
      return undefined;
    }
  }
  return params;
}

function decodeSegments(pathname: string): string[] | undefined {
  try {
    return pathname
      .split("/")
      .slice(1)
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

function pathNotFound(method: string, path: string): ApiFailure {
  return new ApiFailure(404, 404, `no route for ${method} ${path}`, "neutron");
}

function methodNotAllowed(method: string, path: string, allowed: readonly string[]): ApiFailure {
  const allow = [...new Set(allowed)].join(", ");
  return new ApiFailure(405, 405, `method ${method} is not allowed on ${path}; allowed: ${allow}`, "neutron", { allow });
}

function failureReply(failure: ApiFailure): Reply {
  return { status: failure.status, body: failure.toBody(), headers: failure.headers };
}

type RawBody = { readonly text: string } | { readonly tooLarge: true };

async function readBody(request: IncomingMessage): Promise<RawBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_BODY_BYTES) return { tooLarge: true };
  return { text: Buffer.concat(chunks).toString("utf8") };
}

function contentTypeOf(headers: IncomingHttpHeaders): string {
  return (headers["content-type"] ?? "").trim().toLowerCase();
}

/**
 * Content types a browser may send cross-origin without asking first (a "simple" request): a web
 * page could otherwise write to a server on loopback. A JSON body needs `application/json` (or a
 * `+json` type), or no Content-Type at all, which older clients send (the Terraform provider did).
 */
const SIMPLE_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"];

function parseJsonBody(raw: RawBody, contentType: string): unknown {
  if ("tooLarge" in raw) throw new ApiFailure(413, 413, `request body is larger than ${MAX_BODY_BYTES} bytes`, "neutron");
  const mediaType = contentType.split(";")[0]?.trim() ?? "";
  if (SIMPLE_TYPES.includes(mediaType)) {
    throw new ApiFailure(415, 415, `unsupported Content-Type "${mediaType}": send the body as application/json`, "neutron");
  }
  if (raw.text.trim() === "") throw new ApiFailure(400, 400, "invalid request body: a JSON object is required", "neutron");
  // Refused before parsing: what comes after (validation, the store) walks values recursively.
  if (nestingDepth(raw.text) > MAX_JSON_DEPTH) {
    throw new ApiFailure(400, 400, `invalid request body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`, "neutron");
  }
  try {
    return JSON.parse(raw.text) as unknown;
  } catch (error) {
    throw new ApiFailure(400, 400, `invalid request body: ${(error as Error).message}`, "neutron");
  }
}

/** Far beyond any real request body (the deepest, a dashboard, is about 6 levels). */
const MAX_JSON_DEPTH = 256;

/** The deepest nesting of arrays and objects in JSON text, strings skipped; no recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index += 1; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x7d || char === 0x5d) {
      depth -= 1;
    }
  }
  return deepest;
}

/**
 * Basic credentials (Enterprise) and API keys (`X-Api-Key` or `Authorization: ApiKey`, Cloud) as in
 * docs/timeplus-api.md §1. Without configured credentials every request is let in, and a Basic user name, when
 * sent, still names the owner. Credentials never appear in a response.
 */
function authenticate(headers: IncomingHttpHeaders, auth: AuthConfig): Actor {
  const authorization = headers.authorization ?? "";
  const basic = /^Basic\s+(.+)$/i.exec(authorization);
  const decoded = basic ? Buffer.from(basic[1] ?? "", "base64").toString("utf8") : undefined;
  const colon = decoded?.indexOf(":") ?? -1;
  const user = decoded !== undefined && colon >= 0 ? decoded.slice(0, colon) : undefined;
  const password = decoded !== undefined && colon >= 0 ? decoded.slice(colon + 1) : undefined;
  const headerKey = headers["x-api-key"];
  const key = (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? /^ApiKey\s+(.+)$/i.exec(authorization)?.[1];

  const basicRequired = auth.username !== undefined && auth.password !== undefined;
  const keyRequired = auth.apiKey !== undefined;
  if (!basicRequired && !keyRequired) {
    if (user !== undefined && user !== "") return { id: user, name: user };
    return key !== undefined ? { id: "api-key", name: "api-key" } : { id: "anonymous", name: "anonymous" };
  }
  if (basicRequired && user !== undefined && password !== undefined) {
    if (same(user, auth.username ?? "") && same(password, auth.password ?? "")) return { id: user, name: user };
  }
  if (keyRequired && key !== undefined && same(key.trim(), auth.apiKey ?? "")) return { id: "api-key", name: "api-key" };
  const presented = user !== undefined || key !== undefined;
  throw new ApiFailure(401, 401, presented ? "invalid credentials" : "authentication required", "neutron", {
    "www-authenticate": basicRequired ? 'Basic realm="timeplus"' : 'ApiKey realm="timeplus"',
  });
}

function same(a: string, b: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The reply with its body as JSON text, so that sending it later is only writing. */
function serialized(reply: Reply): Reply {
  if (reply.text !== undefined) return reply;
  const text = reply.body === undefined || reply.status === 204 ? "" : JSON.stringify(reply.body);
  return { status: reply.status, headers: { ...reply.headers, ...(text !== "" ? { "content-type": JSON_TYPE } : {}) }, text };
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.destroyed || response.writableEnded) return;
  const { text, headers } = serialized(reply);
  response.writeHead(reply.status, { ...headers, "content-length": Buffer.byteLength(text as string) });
  response.end(text);
}
