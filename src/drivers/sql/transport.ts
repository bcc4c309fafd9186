import { Buffer } from "node:buffer";
import { setTimeout as delay } from "node:timers/promises";
import { Agent, request as sendOn } from "../undici.js";
import { ApiError, InternalError, NetworkError, TimeoutError, UsageError } from "../../errors.js";
import { isConnectFailure, type TimeplusClient } from "../http.js";
import { engineError, maskApiError, rowsFromEngineJson, rowsFromExec, type SqlRow } from "./decode.js";

/** One SQL statement to run, with the secrets its text carries (masked from any error). */
export interface SqlStatement {
  readonly sql: string;
  readonly secrets?: readonly string[];
}

/** Where SQL goes: the appserver's `/exec` or the engine's HTTP interface. One statement per request. */
export interface SqlTransport {
  readonly kind: "exec" | "engine";
  /** A read (SELECT, SHOW): its rows by column name. Never changes anything. */
  query(sql: string): Promise<SqlRow[]>;
  /** One DDL statement. */
  execute(statement: SqlStatement): Promise<void>;
  close(): Promise<void>;
}

const READ = /^\s*(SELECT|SHOW|EXISTS|WITH)\b/i;

function assertRead(sql: string): void {
  // The read path promises to change nothing (drift): it sends only queries.
  if (!READ.test(sql)) throw new InternalError("a read sent a statement that is not a query");
}

/**
 * SQL through `POST /{workspace}/api/v1beta2/exec` of the appserver, over the REST client (same
 * credentials, timeouts and retry rules): `{"sql", "type": "ddl"}` answers 204, `{"type": "historical"}`
 * answers `{columns, data}`. Refusals are the client's ApiError with the engine's code, secrets masked.
 */
export function execTransport(client: Pick<TimeplusClient, "request">): SqlTransport {
  return {
    kind: "exec",
    async query(sql) {
      assertRead(sql);
      const response = await client.request<unknown>({ method: "POST", path: "/exec", body: { sql, type: "historical" }, readOnly: true });
      return rowsFromExec(response.body);
    },
    async execute(statement) {
      try {
        await client.request({ method: "POST", path: "/exec", body: { sql: statement.sql, type: "ddl" } });
      } catch (error) {
        throw error instanceof ApiError ? maskApiError(error, statement.secrets ?? []) : error;
      }
    },
    close: async () => undefined,
  };
}

export interface EngineTransportOptions {
  /** e.g. "http://localhost:8123"; user info in the URL is used as credentials. */
  readonly address: string;
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The engine's HTTP SQL interface (timeplusd, Proton; 8123): one statement per request, results
 * as JSONCompact, credentials in `x-timeplus-user` / `x-timeplus-key`. Reads go as GET `?query=`,
 * which the engine runs read-only, and are retried on a broken connection or a 5xx without an
 * engine code; DDL goes in a POST body and is retried only when the connection never opened
 * (a DDL that reached the server may have run: the next plan reads what happened).
 */
export function engineTransport(options: EngineTransportOptions): SqlTransport {
  let url: URL;
  try {
    url = new URL(options.address);
  } catch {
    throw new UsageError("the Timeplus address is not a URL; expected one like http://localhost:8123");
  }
  const origin = url.origin;
  const prefix = url.pathname.replace(/\/+$/, "");
  const username = options.username ?? (url.username === "" ? undefined : decodeURIComponent(url.username));
  const password = options.password ?? (url.password === "" ? undefined : decodeURIComponent(url.password));
  const headers: Record<string, string> = { "user-agent": "tpctl", "x-timeplus-format": "JSONCompact" };
  if (username !== undefined) {
    headers["x-timeplus-user"] = username;
    headers["x-timeplus-key"] = password ?? "";
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 4;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const agent = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000, connections: 16 });
  const displayPath = `${prefix}/`;

  async function send(read: boolean, sql: string, secrets: readonly string[]): Promise<string> {
    const method = read ? "GET" : "POST";
    const path = read ? `${prefix}/?query=${encodeURIComponent(sql)}` : `${prefix}/`;
    for (let attempt = 0; ; attempt += 1) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let failure: Error;
      let retryable: boolean;
      try {
        const response = await sendOn(agent, {
          origin,
          path,
          method,
          headers: read ? headers : { ...headers, "content-type": "text/plain; charset=UTF-8" },
          body: read ? null : Buffer.from(sql, "utf8"),
          signal: controller.signal,
        });
        const body = await response.body.text();
        const codeHeader = response.headers["x-timeplus-exception-code"] ?? response.headers["x-proton-exception-code"];
        const code = Array.isArray(codeHeader) ? codeHeader[0] : codeHeader;
        if (response.statusCode >= 200 && response.statusCode < 300 && code === undefined) return body;
        failure = engineError({ status: response.statusCode, codeHeader: code, text: body, path: displayPath, secrets });
        retryable = read && code === undefined && response.statusCode >= 500;
      } catch (error) {
        if (controller.signal.aborted) {
          failure = new TimeoutError(method, `${origin}${displayPath}`, timeoutMs);
          retryable = read;
        } else {
          failure = new NetworkError(method, `${origin}${displayPath}`, error);
          retryable = read || isConnectFailure(error);
        }
      } finally {
        clearTimeout(timer);
      }
      if (!retryable || attempt >= retries) throw failure;
      await sleep(Math.floor(Math.random() * Math.min(2_000, 100 * 2 ** attempt)));
    }
  }

  return {
    kind: "engine",
    async query(sql) {
      assertRead(sql);
      const text = await send(true, sql, []);
      try {
        return rowsFromEngineJson(text);
      } catch {
        throw new ApiError({
          method: "GET",
          path: displayPath,
          status: 200,
          apiMessage: "the answer is not the JSONCompact that was asked for",
        });
      }
    },
    async execute(statement) {
      await send(false, statement.sql, statement.secrets ?? []);
    },
    close: () => agent.close(),
  };
}
