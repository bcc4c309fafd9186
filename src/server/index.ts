import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dependencyIndexer } from "./catalog.js";
import { createFaultPlan } from "./faults.js";
import { createApp } from "./http.js";
import { KIND_MODULES } from "./kinds/index.js";
import { PROFILES, type Profile, servesEngine, servesExec } from "./sql/profile.js";
import { Store } from "./store.js";
import { runtimeRoutes } from "./runtime.js";
import { topologyRoute } from "./topology.js";

export interface ServerOptions {
  /** 0 (the default) picks a free ephemeral port. */
  readonly port?: number;
  /** Defaults to 127.0.0.1: the server is meant for loopback. */
  readonly host?: string;
  /** Folder holding each workspace's snapshot and log (docs/fidelity.md, Persistence); created if missing. */
  readonly dataDir: string;
  /** With `password`, require HTTP Basic authentication (Timeplus Enterprise). */
  readonly username?: string;
  readonly password?: string;
  /** Require `X-Api-Key: K` or `Authorization: ApiKey K` (Timeplus Cloud). */
  readonly apiKey?: string;
  /** Test knob: delay every API response by this many milliseconds. */
  readonly latencyMs?: number;
  /** Test knob: fail this fraction (0..1) of API requests, chosen by a PRNG seeded with `faultSeed`. */
  readonly faultRate?: number;
  readonly faultSeed?: number;
  /** How long a "slow" injected fault delays its response (default 1000 ms). */
  readonly faultSlowMs?: number;
  /** Clock for created_at/last_updated_at; defaults to the system clock. */
  readonly now?: () => Date;
  /** Ids of sources, sinks, alerts, dashboards and saved queries; defaults to random UUIDs. */
  readonly newId?: () => string;
  /**
   * What to serve: `2024` the seed's REST API, `2026` a Timeplus Enterprise 3.3 appserver (REST
   * plus `/exec`), `engine` only the engine's SQL HTTP interface (as Proton); `all` (the default)
   * every one of them.
   */
  readonly profile?: Profile;
}

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:53122`; the API is under `${url}/default/api/v1beta2`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, drops open connections, and resolves once every pending write is on disk and the logs are compacted. */
  close(): Promise<void>;
}

const VERSION = "0.1.0";
/** What `SELECT version()` answers: the engine line whose SQL the server speaks (Timeplus 3.x). */
const ENGINE_VERSION = "3.0.0-tpctl";

/**
 * Starts the built-in Timeplus-compatible server (REST API v1beta2: every kind tpctl manages,
 * plus topology) on loopback, with its state in `dataDir`.
 *
 * @example const server = await startServer({ port: 0, dataDir: ".tpctl/data" });
 *          await fetch(`${server.url}/default/api/v1beta2/streams`);
 *          await server.close();
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const faultRate = options.faultRate ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError(`faultRate must be between 0 and 1, got ${faultRate}`);
  const latencyMs = options.latencyMs ?? 0;
  if (!(latencyMs >= 0)) throw new RangeError(`latencyMs must not be negative, got ${latencyMs}`);
  const profile = options.profile ?? "all";
  if (!PROFILES.includes(profile)) throw new RangeError(`profile must be one of ${PROFILES.join(", ")}, got ${String(profile)}`);
  const now = options.now ?? (() => new Date());
  // Loaded only when served: every CLI run imports this module, most never start a server.
  const sql = servesExec(profile) || servesEngine(profile) ? await import("./sql/transport.js") : undefined;
  if ((options.username === undefined) !== (options.password === undefined)) {
    throw new RangeError("username and password go together");
  }

  const store = await Store.open(options.dataDir, { indexer: dependencyIndexer(KIND_MODULES) });
  const app = createApp({
    store,
    modules: KIND_MODULES,
    extraRoutes: [topologyRoute, ...runtimeRoutes, ...(sql && servesExec(profile) ? [sql.execRoute(ENGINE_VERSION)] : [])],
    profile,
    ...(sql && servesEngine(profile)
      ? {
          engine: (request, workspace) =>
            sql.handleEngineRequest(request, workspace, {
              version: ENGINE_VERSION,
              now,
              ...(options.username !== undefined && options.password !== undefined
                ? { username: options.username, password: options.password }
                : {}),
            }),
        }
      : {}),
    auth: {
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    },
    latencyMs,
    faults: faultRate > 0 ? createFaultPlan(faultRate, options.faultSeed ?? 0) : undefined,
    slowMs: options.faultSlowMs ?? 1000,
    now,
    newId: options.newId ?? (() => randomUUID()),
    version: VERSION,
  });
  const server = createServer((request, response) => app.handle(request, response));
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await app.close();
        await store.close();
        await stopped;
      })();
      return closing;
    },
  };
}
