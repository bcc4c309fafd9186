import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import type { Catalog, Transaction } from "../catalog.js";
import { ApiFailure, invalidRequest } from "../errors.js";
import type { Actor, Route } from "../kinds/kind.js";
import type { Parsed } from "./ast.js";
import { httpStatusOf, SQL_CODES, SqlError, sqlError } from "./errors.js";
import { executeDdl, executeRead, isRead, type SqlEnv } from "./interpreter.js";
import { parseSql } from "./parser.js";
import { prepareTexts, type Rows } from "./system.js";

/** Where a statement runs: a snapshot to read, a serialised all-or-nothing write. */
export interface SqlWorkspace {
  read(): Catalog;
  write<T>(change: (tx: Transaction) => T): Promise<T>;
}

/** Any refusal as the engine's (code, text); the REST kinds' checks that SQL shares throw ApiFailure. */
export function asSqlError(error: unknown): SqlError {
  if (error instanceof SqlError) return error;
  if (error instanceof ApiFailure) return new SqlError(error.code, error.message);
  throw error;
}

/** Parses and runs one statement; reads answer rows, DDL answers undefined. */
export async function runStatement(
  sql: string,
  workspace: SqlWorkspace,
  env: SqlEnv,
  expect?: "ddl" | "read",
): Promise<{ parsed: Parsed; rows?: Rows }> {
  const parsed = parseSql(sql);
  const read = isRead(parsed.statement);
  if (expect === "ddl" && read)
    throw invalidRequest(
      `invalid request: type "ddl" runs DDL; use type "historical" for ${parsed.statement.type === "select" ? "SELECT" : "SHOW/EXISTS"}`,
    );
  if (expect === "read" && !read) throw invalidRequest(`invalid request: type "historical" runs queries; use type "ddl" for DDL`);
  if (read) return { parsed, rows: executeRead(parsed, workspace.read(), env) };
  await writeDdl(workspace, (tx) => executeDdl(parsed.statement, tx, env));
  return { parsed };
}

/**
 * Runs a DDL change, then, soon after and outside the request's own work, works out the uuid and
 * SHOW CREATE text of each object it stored (prepareTexts), as the engine keeps an object's CREATE
 * text from its creation on: otherwise the first system.tables read after a large apply over SQL
 * rendered them all at once while its client waited. Only SQL writes do this: a workspace written
 * over REST is seldom read over SQL, and its writes should not pay for it.
 */
async function writeDdl(workspace: SqlWorkspace, change: (tx: Transaction) => void): Promise<void> {
  const written: { kind: string; key: string }[] = [];
  await workspace.write((tx) =>
    change({
      ...tx,
      put(kind, key, record) {
        tx.put(kind, key, record);
        written.push({ kind, key });
      },
    }),
  );
  if (written.length === 0) return;
  setImmediate(() => {
    try {
      // The stored records (frozen copies), which later reads see, not the drafts the change put.
      const catalog = workspace.read();
      prepareTexts(
        written.flatMap(({ kind, key }) => {
          const record = catalog.get(kind, key);
          return record ? [{ kind, record }] : [];
        }),
      );
    } catch {
      // Only work done ahead: whatever failed here is worked out, or fails, in the read that needs it,
      // instead of taking the server (in the CLI's embedded case, the CLI) down with an uncaught error.
    }
  });
}

/**
 * `POST /{workspace}/api/v1beta2/exec` of a Timeplus Enterprise appserver: `{"sql", "type":
 * "ddl"|"historical", "timeout_ms"}`; DDL answers 204, a historical query 200 `{columns: [{name,
 * type}], data: [[…]]}`; a refusal the appserver's ErrorResponse with the engine's code and
 * `system: "proton"`.
 */
export function execRoute(version: string): Route {
  return {
    method: "POST",
    path: "/exec",
    async handle(context) {
      const body = context.body;
      if (!isJsonObject(body)) throw invalidRequest("invalid request body: a JSON object is required");
      // Fields beside sql, type and timeout_ms are ignored, as the Go appserver's decoder ignores
      // them on every route (docs/fidelity.md, "/exec body").
      const sql = body["sql"];
      const type = body["type"];
      if (typeof sql !== "string") throw invalidRequest(`invalid request body: field "sql" is required and must be a string`);
      if (type !== "ddl" && type !== "historical") throw invalidRequest(`invalid request body: field "type" must be "ddl" or "historical"`);
      const timeout = body["timeout_ms"];
      if (timeout !== undefined && timeout !== null && !(typeof timeout === "number" && Number.isInteger(timeout) && timeout > 0)) {
        throw invalidRequest(`invalid request body: field "timeout_ms" must be a positive integer`);
      }
      const env: SqlEnv = { now: context.now, actor: context.actor, version };
      try {
        const result = await runStatement(sql, context, env, type === "ddl" ? "ddl" : "read");
        if (result.rows === undefined) return { status: 204 };
        return {
          status: 200,
          body: { columns: result.rows.columns.map((column) => ({ ...column })), data: result.rows.rows.map((row) => [...row]) },
        };
      } catch (error) {
        if (error instanceof ApiFailure && error.system === "neutron") throw error;
        const failure = asSqlError(error);
        // Every engine refusal is 400 here, as the REST API's are (docs/fidelity.md).
        throw new ApiFailure(400, failure.code, failure.message, "proton");
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The engine's HTTP SQL interface

export interface EngineRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface EngineReply {
  readonly status: number;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface EngineOptions {
  readonly version: string;
  /** With `password`, credentials must match; without, any user is let in (the engine's `default` user). */
  readonly username?: string;
  readonly password?: string;
  readonly now: () => Date;
}

/** URL parameters that are not settings (proton HTTPHandler). */
const RESERVED_PARAMS = new Set([
  "query",
  "database",
  "default_format",
  "query_id",
  "session_id",
  "session_timeout",
  "session_check",
  "wait_end_of_query",
  "buffer_size",
  "compress",
  "decompress",
  "stacktrace",
  "user",
  "password",
  "quota_key",
]);
/** Query settings a client may send as URL parameters; any other name is 115 UNKNOWN_SETTING. */
const URL_SETTINGS = new Set([
  "query_mode",
  "max_execution_time",
  "send_progress_in_http_headers",
  "http_headers_progress_interval_ms",
  "output_format_json_quote_64bit_integers",
  "output_format_json_quote_denormals",
  "log_comment",
  "max_result_rows",
  "result_overflow_mode",
  "readonly",
  "date_time_output_format",
  "enable_http_compression",
  "http_zlib_compression_level",
  "max_block_size",
  "timeout_overflow_mode",
  "join_use_nulls",
  "insert_quorum",
  "allow_experimental_analyzer",
]);

function header(request: EngineRequest, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = request.headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) return first;
  }
  return undefined;
}

/**
 * One request to the engine's HTTP interface (timeplusd/Proton on 8123 and 3218): the statement in
 * the POST body (after `?query=`, joined by a newline), credentials in `x-timeplus-user` /
 * `x-timeplus-key` or Basic, results in the format asked for, and refusals as
 * `Code: N. DB::Exception: …` with the `x-timeplus-exception-code` header.
 */
export async function handleEngineRequest(request: EngineRequest, workspace: SqlWorkspace, options: EngineOptions): Promise<EngineReply> {
  const base = { "x-timeplus-server-display-name": "tpctl", "x-timeplus-timezone": "UTC" };
  const path = request.url.pathname;
  if (path === "/timeplusd/ping" || path === "/proton/ping")
    return { status: 200, text: `${JSON.stringify({ status: "UP" })}\n`, headers: { ...base, "content-type": "application/json" } };
  if (path === "/timeplusd/info" || path === "/proton/info") {
    const info = { version: options.version, commit_sha: "", edition: "tpctl built-in", name: "timeplusd" };
    return { status: 200, text: `${JSON.stringify(info)}\n`, headers: { ...base, "content-type": "application/json" } };
  }
  const query = request.url.searchParams.get("query");
  if (path === "/ping" || (request.method === "GET" && query === null))
    return { status: 200, text: "Ok.\n", headers: { ...base, "content-type": "text/html; charset=UTF-8" } };
  let format = "TabSeparated";
  try {
    const actor = authenticateEngine(request, options);
    const database = header(request, "x-timeplus-database", "x-proton-database") ?? request.url.searchParams.get("database") ?? "default";
    if (database !== "default") throw sqlError(SQL_CODES.UNKNOWN_DATABASE, `Database ${database} doesn't exist`);
    for (const key of request.url.searchParams.keys()) {
      if (RESERVED_PARAMS.has(key) || key.startsWith("param_") || URL_SETTINGS.has(key)) continue;
      throw sqlError(SQL_CODES.UNKNOWN_SETTING, `Unknown setting ${key}`);
    }
    format = header(request, "x-timeplus-format", "x-proton-format") ?? request.url.searchParams.get("default_format") ?? format;
    const sql = query === null ? request.body : request.body === "" ? query : `${query}\n${request.body}`;
    const parsed = parseSql(sql);
    if (parsed.format !== undefined) format = parsed.format;
    const formatter = FORMATS[format];
    if (formatter === undefined) throw sqlError(SQL_CODES.UNKNOWN_FORMAT, `Unknown format ${format}`);
    if (request.method === "GET" && !isRead(parsed.statement)) throw sqlError(SQL_CODES.READONLY, "Cannot execute query in readonly mode");
    const env: SqlEnv = { now: options.now(), actor, version: options.version };
    if (isRead(parsed.statement)) {
      const rows = executeRead(parsed, workspace.read(), env);
      return {
        status: 200,
        text: formatter.render(rows),
        headers: { ...base, "content-type": formatter.contentType, "x-timeplus-format": format },
      };
    }
    await writeDdl(workspace, (tx) => executeDdl(parsed.statement, tx, env));
    return { status: 200, text: "", headers: { ...base, "x-timeplus-format": format } };
  } catch (error) {
    const failure =
      error instanceof ApiFailure && error.system === "neutron" ? new SqlError(SQL_CODES.BAD_ARGUMENTS, error.message) : asSqlError(error);
    return {
      status: httpStatusOf(failure.code),
      text: `${failure.engineText(options.version)}\n`,
      headers: {
        ...base,
        "content-type": "text/plain; charset=UTF-8",
        "x-timeplus-exception-code": String(failure.code),
        "x-timeplus-format": format,
      },
    };
  }
}

/** The engine's ways in, one at a time: headers, else Basic, else URL parameters (mixing them is 516). */
function authenticateEngine(request: EngineRequest, options: EngineOptions): Actor {
  const headerUser = header(request, "x-timeplus-user", "x-proton-user");
  const headerKey = header(request, "x-timeplus-key", "x-proton-key");
  const authorization = header(request, "authorization");
  const paramUser = request.url.searchParams.get("user");
  const paramPassword = request.url.searchParams.get("password");
  const usesHeaders = headerUser !== undefined || headerKey !== undefined;
  const usesParams = paramUser !== null || paramPassword !== null;
  if (usesHeaders && (authorization !== undefined || usesParams)) {
    throw sqlError(
      SQL_CODES.AUTHENTICATION_FAILED,
      "Invalid authentication: it is not allowed to use HTTP headers and other authentication methods simultaneously",
    );
  }
  if (authorization !== undefined && usesParams) {
    throw sqlError(
      SQL_CODES.AUTHENTICATION_FAILED,
      "Invalid authentication: it is not allowed to use Authorization HTTP header and authentication via parameters simultaneously",
    );
  }
  let user = "default";
  let password = "";
  if (usesHeaders) {
    user = headerUser ?? "default";
    password = headerKey ?? "";
  } else if (authorization !== undefined) {
    const basic = /^Basic\s+(.+)$/i.exec(authorization);
    if (!basic) {
      const scheme = authorization.split(/\s+/)[0] ?? "";
      throw sqlError(SQL_CODES.AUTHENTICATION_FAILED, `Invalid authentication: '${scheme}' HTTP Authorization scheme is not supported`);
    }
    const decoded = Buffer.from(basic[1] ?? "", "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    user = colon < 0 ? decoded : decoded.slice(0, colon);
    password = colon < 0 ? "" : decoded.slice(colon + 1);
  } else if (usesParams) {
    user = paramUser ?? "default";
    password = paramPassword ?? "";
  }
  if (options.username !== undefined && options.password !== undefined && !(user === options.username && password === options.password)) {
    throw sqlError(
      SQL_CODES.AUTHENTICATION_FAILED,
      `${user}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }
  return { id: user, name: user };
}

// ---------------------------------------------------------------------------------------------
// Output formats

interface Formatter {
  readonly contentType: string;
  render(rows: Rows): string;
}

const WIDE_INTEGERS = /^(u?int(64|128|256))$/;

/** JSON values as the engine writes them: 64-bit integers quoted (output_format_json_quote_64bit_integers). */
function jsonValue(value: JsonValue, type: string): JsonValue {
  if (typeof value === "number" && WIDE_INTEGERS.test(type)) return String(value);
  if (typeof value === "boolean" && type === "uint8") return value ? 1 : 0;
  return value;
}

function objectRow(rows: Rows, row: readonly JsonValue[]): JsonObject {
  return Object.fromEntries(rows.columns.map((column, index) => [column.name, jsonValue(row[index] ?? null, column.type)]));
}

function tsvValue(value: JsonValue, raw: boolean): string {
  if (value === null) return "\\N";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value))
    return `[${value.map((item) => (typeof item === "string" ? `'${item.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'` : JSON.stringify(item))).join(",")}]`;
  const text = typeof value === "string" ? value : typeof value === "number" ? String(value) : JSON.stringify(value);
  if (raw) return text;
  return text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\0/g, "\\0");
}

function tsv(raw: boolean, names: boolean): Formatter {
  return {
    contentType: "text/tab-separated-values; charset=UTF-8",
    render(rows) {
      const lines = rows.rows.map((row) => row.map((value) => tsvValue(value, raw)).join("\t"));
      if (names) lines.unshift(rows.columns.map((column) => tsvValue(column.name, raw)).join("\t"));
      return lines.map((line) => `${line}\n`).join("");
    },
  };
}

const FORMATS: Readonly<Record<string, Formatter>> = {
  TabSeparated: tsv(false, false),
  TSV: tsv(false, false),
  TabSeparatedRaw: tsv(true, false),
  TSVRaw: tsv(true, false),
  TabSeparatedWithNames: tsv(false, true),
  TSVWithNames: tsv(false, true),
  JSON: {
    contentType: "application/json; charset=UTF-8",
    render: (rows) =>
      `${JSON.stringify(
        {
          meta: rows.columns.map((column) => ({ name: column.name, type: column.type })),
          data: rows.rows.map((row) => objectRow(rows, row)),
          rows: rows.rows.length,
          statistics: { elapsed: 0, rows_read: rows.rows.length, bytes_read: 0 },
        },
        null,
        "\t",
      )}\n`,
  },
  JSONCompact: {
    contentType: "application/json; charset=UTF-8",
    render: (rows) =>
      `${JSON.stringify(
        {
          meta: rows.columns.map((column) => ({ name: column.name, type: column.type })),
          data: rows.rows.map((row) => row.map((value, index) => jsonValue(value, rows.columns[index]?.type ?? ""))),
          rows: rows.rows.length,
          statistics: { elapsed: 0, rows_read: rows.rows.length, bytes_read: 0 },
        },
        null,
        "\t",
      )}\n`,
  },
  JSONEachRow: {
    contentType: "application/x-ndjson; charset=UTF-8",
    render: (rows) => rows.rows.map((row) => `${JSON.stringify(objectRow(rows, row))}\n`).join(""),
  },
  JSONCompactEachRow: {
    contentType: "application/x-ndjson; charset=UTF-8",
    render: (rows) =>
      rows.rows.map((row) => `${JSON.stringify(row.map((value, index) => jsonValue(value, rows.columns[index]?.type ?? "")))}\n`).join(""),
  },
};
