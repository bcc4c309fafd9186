import type { JsonObject, JsonValue } from "../../model/index.js";
import type { Catalog, Transaction } from "../catalog.js";

/** Who made a request, recorded as `created_by` / `last_updated_by` owner objects. */
export interface Actor {
  readonly id: string;
  readonly name: string;
}

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface RouteContext {
  readonly workspace: string;
  /** Decoded path parameters, e.g. `{ name: "cars" }` for `/streams/:name`. */
  readonly params: Readonly<Record<string, string>>;
  /** The parsed JSON body for POST, PATCH and PUT; undefined otherwise (and for `rawBody` routes). */
  readonly body: unknown;
  /** The body as text, for routes that read it themselves (ingest). */
  readonly raw: string;
  /** The request's Content-Type, lower-cased ("" when absent). */
  readonly contentType: string;
  /** The query string, e.g. `sync` of `/sinks/{id}/start?sync=false`. */
  readonly query: URLSearchParams;
  readonly actor: Actor;
  /** One instant per request, from the server's injected clock. */
  readonly now: Date;
  /** A fresh id for an object of an id-based kind (a UUID unless the server was given a generator). */
  newId(): string;
  /** A consistent view of the workspace as it is now. */
  read(): Catalog;
  /**
   * Runs `change` against the workspace with every other write held off, then persists the result
   * atomically; if `change` throws, nothing is kept.
   */
  write<T>(change: (tx: Transaction) => T): Promise<T>;
}

export interface Reply {
  readonly status: number;
  readonly body?: JsonValue;
}

export interface Route {
  readonly method: Method;
  /** Relative to `/{workspace}/api/v1beta2`, with `:param` segments, e.g. `/streams/:name`. */
  readonly path: string;
  /** An action such as `POST /sinks/{id}/start` that takes no body: none is required, one sent is ignored. */
  readonly bodyless?: boolean;
  /** The route reads `raw` itself, in formats other than JSON (ingest's raw and lines formats). */
  readonly rawBody?: boolean;
  handle(context: RouteContext): Reply | Promise<Reply>;
}

/** A named object outside the relation namespace, e.g. `{kind: "udf", name: "f"}`. */
export interface Use {
  readonly kind: string;
  readonly name: string;
}

/** What an object reads and writes, by relation name (the engine's dependency edges, docs/timeplus-api.md §5). */
export interface Links {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /** UDFs its SQL calls, the schema its format names: they cannot be dropped while it exists. */
  readonly uses?: readonly Use[];
}

export interface TopologyNode {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly db: string;
  readonly properties: JsonObject;
  readonly ownership: JsonValue;
}

/**
 * One resource kind of the server. A new kind is one module implementing this and one line in
 * `kinds/index.ts`; routing, persistence, the shared SQL namespace, drop protection (630) and
 * topology come from the framework.
 */
export interface KindModule {
  /** Key under which its objects are stored, e.g. "materialized_view". */
  readonly kind: string;
  /** Word used in messages and topology `type`, e.g. "materialized view". */
  readonly label: string;
  /** SQL reads it with `FROM name`: it shares the engine's one namespace of names. */
  readonly relation: boolean;
  /** A materialized view may write into it (`target_stream`). */
  readonly acceptsWrites: boolean;
  /** The engine refuses to drop what this object reads, writes or uses while it exists (630). */
  readonly holdsDependencies: boolean;
  /**
   * Shown in the topology only when `?extraResources=` names this value (docs/timeplus-api.md §5: dashboard,
   * schema, udf); undefined means always shown.
   */
  readonly extraResource?: string;
  readonly routes: readonly Route[];
  links(record: JsonObject): Links;
  node(record: JsonObject): TopologyNode;
}

/** The database every named SQL object lives in; `?db=` selects another on real servers. */
export const DATABASE = "default";
