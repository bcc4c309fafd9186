import type { JsonObject, JsonValue } from "../model/index.js";
import { isJsonObject } from "../model/index.js";
import { formatSql, SqlSyntaxError } from "../sql/index.js";
import { analyzeQuery } from "./analysis.js";
import { ApiFailure, ENGINE_CODES, engineError, idNotFound, invalidRequest, notFound } from "./errors.js";
import type { Route, RouteContext } from "./kinds/kind.js";
import { SOURCE_TYPES } from "./kinds/source.js";
import { Fields } from "./validate.js";

/** Where a stream keeps what was ingested into it: not configuration, never shown by GET. */
export const INGEST_FIELD = "_ingest";

interface IngestCounts {
  readonly rows: number;
  readonly bytes: number;
  readonly earliest: string;
  readonly latest: string;
}

type IngestFormat = "compact" | "streaming" | "raw" | "lines";
const FORMATS: readonly IngestFormat[] = ["compact", "streaming", "raw", "lines"];

/**
 * The ingest format (seed spec): `?format=` wins; otherwise the Content-Type says it
 * (`application/json[;format=compact|streaming]`, `application/vnd.timeplus+json[;…]`,
 * `application/x-ndjson`, `text/plain[;format=raw|lines]`), and compact JSON is the default.
 */
function ingestFormat(context: RouteContext): IngestFormat {
  const asked = context.query.get("format");
  if (asked !== null) {
    if (!(FORMATS as readonly string[]).includes(asked)) {
      throw invalidRequest(`invalid query parameter format="${asked}": expected one of ${FORMATS.join(", ")}`);
    }
    return asked as IngestFormat;
  }
  const [media = "", ...parameters] = context.contentType.split(";").map((part) => part.trim());
  const format = parameters.find((parameter) => parameter.startsWith("format="))?.slice("format=".length);
  if (media === "application/x-ndjson") return "streaming";
  if (media === "text/plain") return format === "lines" ? "lines" : "raw";
  if (format === "streaming") return "streaming";
  return "compact";
}

/** How many rows a body holds, checked against the stream's columns as the engine would. */
function countRows(format: IngestFormat, raw: string, stream: string, columns: ReadonlySet<string>): number {
  const requireColumn = (name: string): void => {
    if (!columns.has(name)) throw engineError(ENGINE_CODES.UNKNOWN_IDENTIFIER, `No such column ${name} in stream ${stream}`);
  };
  switch (format) {
    case "compact": {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch (error) {
        throw invalidRequest(`invalid request body: ${(error as Error).message}`);
      }
      const fields = Fields.of(body, ["columns", "data"]);
      const names = fields.stringArray("columns");
      const data = fields.array("data");
      if (names === undefined || names.length === 0) throw invalidRequest('invalid request body: field "columns" is required');
      if (data === undefined) throw invalidRequest('invalid request body: field "data" is required');
      names.forEach(requireColumn);
      data.forEach((row, index) => {
        if (!Array.isArray(row) || row.length !== names.length) {
          throw invalidRequest(`invalid request body: data[${index}] must be an array of ${names.length} values, one per column`);
        }
      });
      return data.length;
    }
    case "streaming": {
      const lines = raw.split("\n").filter((line) => line.trim() !== "");
      lines.forEach((line, index) => {
        let row: unknown;
        try {
          row = JSON.parse(line);
        } catch {
          row = undefined;
        }
        if (!isJsonObject(row)) throw invalidRequest(`invalid request body: line ${index + 1} is not a JSON object`);
      });
      return lines.length;
    }
    case "raw":
      requireColumn("raw");
      return raw === "" ? 0 : 1;
    case "lines":
      requireColumn("raw");
      return raw.split("\n").filter((line) => line !== "").length;
  }
}

function isoTime(date: Date): string {
  return date.toISOString();
}

/** POST /streams/{name}/ingest: counts rows and bytes per stream; the data itself is not kept. */
const ingestRoute: Route = {
  method: "POST",
  path: "/streams/:name/ingest",
  rawBody: true,
  async handle(context) {
    const name = context.params["name"] ?? "";
    const format = ingestFormat(context);
    await context.write((tx) => {
      const stream = tx.get("stream", name);
      if (!stream) throw notFound("stream", name);
      const columns = new Set(((stream["columns"] as JsonObject[] | undefined) ?? []).map((column) => String(column["name"])));
      const rows = countRows(format, context.raw, name, columns);
      const before = stream[INGEST_FIELD] as IngestCounts | undefined;
      const now = isoTime(context.now);
      const counts: IngestCounts = {
        rows: (before?.rows ?? 0) + rows,
        bytes: (before?.bytes ?? 0) + Buffer.byteLength(context.raw, "utf8"),
        earliest: before?.earliest ?? now,
        latest: now,
      };
      tx.put("stream", name, { ...stream, [INGEST_FIELD]: counts as unknown as JsonValue });
    });
    return { status: 200 };
  },
};

/** `historyDays`, when given, must be 1..7 (seed spec). */
function readHistoryDays(context: RouteContext): void {
  const value = context.query.get("historyDays");
  if (value === null) return;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 7) {
    throw invalidRequest(`invalid query parameter historyDays="${value}": must be an integer from 1 to 7`);
  }
}

/** `error_log_time_range` and `metrics_time_range` are both required on source and sink stats (seed spec). */
function readTimeRanges(context: RouteContext): void {
  for (const parameter of ["error_log_time_range", "metrics_time_range"]) {
    if ((context.query.get(parameter) ?? "") === "")
      throw invalidRequest(`query parameter ${parameter} is required (for example ${parameter}=1d)`);
  }
}

/** The stats of a stream, view or MV (StreamStats): counts of what was ingested, no rates (nothing runs here). */
function relationStats(record: JsonObject | undefined, withNodes: boolean): JsonObject {
  const counts = record?.[INGEST_FIELD] as IngestCounts | undefined;
  return {
    earliest_event: counts?.earliest ?? "",
    historical_data_bytes: counts?.bytes ?? 0,
    history: [],
    latest_event: counts?.latest ?? "",
    ...(withNodes ? { nodes: [] } : {}),
    read_bps: 0,
    read_eps: 0,
    row_count: counts?.rows ?? 0,
    streaming_data_bytes: counts?.bytes ?? 0,
    written_bps: 0,
    written_eps: 0,
  };
}

function relationStatsRoute(path: string, kinds: readonly string[], label: string): Route {
  return {
    method: "GET",
    path: `${path}/:name/stats`,
    handle(context) {
      readHistoryDays(context);
      const name = context.params["name"] ?? "";
      const catalog = context.read();
      const record = kinds.map((kind) => catalog.get(kind, name)).find((found) => found !== undefined);
      if (!record) throw notFound(label, name);
      return { status: 200, body: relationStats(record, kinds[0] !== "stream") };
    },
  };
}

const PIPELINE_STATS = { errors: [], failure_count: 0, success_count: 0, throughput: [] } as const;

function pipelineStatsRoute(path: string, kind: string, label: string, body: JsonObject): Route {
  return {
    method: "GET",
    path: `${path}/:id/stats`,
    handle(context) {
      readTimeRanges(context);
      const id = context.params["id"] ?? "";
      if (!context.read().get(kind, id)) throw idNotFound(label, id);
      return { status: 200, body };
    },
  };
}

function sqlOf(body: unknown): string {
  return Fields.of(body, ["sql"]).requiredString("sql");
}

const sqlAnalyzeRoute: Route = {
  method: "POST",
  path: "/sqlanalyze",
  handle: (context) => ({ status: 200, body: analyzeQuery(context.read(), sqlOf(context.body)) }),
};

const formatRoute: Route = {
  method: "POST",
  path: "/format",
  handle(context) {
    const sql = sqlOf(context.body);
    try {
      return { status: 200, body: { sql: formatSql(sql) } };
    } catch (error) {
      if (error instanceof SqlSyntaxError) throw engineError(ENGINE_CODES.SYNTAX_ERROR, error.message);
      throw error;
    }
  },
};

const MAX_PREVIEW = 100;

/**
 * POST /source/preview: sample events. Only `stream_generator` can be previewed here, with
 * generated events; every other type reads an outside system the built-in server does not reach (501).
 */
const sourcePreviewRoute: Route = {
  method: "POST",
  path: "/source/preview",
  handle(context) {
    const fields = Fields.of(context.body, ["type", "properties", "size", "timeout"]);
    const type = fields.oneOf("type", SOURCE_TYPES);
    if (type === undefined) throw invalidRequest('invalid request body: field "type" is required');
    fields.object("properties");
    fields.string("timeout");
    const size = fields.integer("size") ?? 1;
    if (size < 1) throw invalidRequest(`invalid request body: field "size" must be at least 1, not ${size}`);
    if (type !== "stream_generator") {
      throw new ApiFailure(
        501,
        501,
        `the built-in server does not connect to ${type}: preview a ${type} source against a real Timeplus`,
        "neutron",
      );
    }
    const at = context.now.getTime();
    const events = Array.from({ length: Math.min(size, MAX_PREVIEW) }, (_, index) => ({
      index,
      value: index,
      timestamp: new Date(at + index).toISOString(),
    }));
    return { status: 200, body: events };
  },
};

const NO_QUERIES = "the built-in server stores workspaces but does not run queries: streaming and ad-hoc queries need a Timeplus engine";

/** /queries and below: answered, not "no route", so that a client learns why (501). */
function queriesRoutes(): Route[] {
  const refuse = (): never => {
    throw new ApiFailure(501, 501, NO_QUERIES, "neutron");
  };
  return [
    { method: "GET", path: "/queries", bodyless: true, handle: refuse },
    { method: "POST", path: "/queries", bodyless: true, handle: refuse },
    { method: "POST", path: "/queries/exec", bodyless: true, handle: refuse },
    { method: "GET", path: "/queries/:id", bodyless: true, handle: refuse },
    { method: "DELETE", path: "/queries/:id", bodyless: true, handle: refuse },
    { method: "POST", path: "/queries/:id/cancel", bodyless: true, handle: refuse },
    { method: "GET", path: "/queries/:id/pipeline", bodyless: true, handle: refuse },
  ];
}

/**
 * Endpoints of the seed spec that are not about storing one kind: ingest, stats, the SQL helpers,
 * source preview, and the query endpoints (501).
 */
export const runtimeRoutes: readonly Route[] = [
  ingestRoute,
  relationStatsRoute("/streams", ["stream"], "stream"),
  relationStatsRoute("/views", ["view", "materialized_view"], "view"),
  relationStatsRoute("/materialized_views", ["materialized_view"], "materialized view"),
  pipelineStatsRoute("/sources", "source", "source", { ...PIPELINE_STATS }),
  pipelineStatsRoute("/sinks", "sink", "sink", {
    earliest_event: "",
    errors: [],
    failure_count: 0,
    historical_data_bytes: 0,
    history: [],
    latest_event: "",
    nodes: [],
    read_bps: 0,
    read_eps: 0,
    row_count: 0,
    streaming_data_bytes: 0,
    success_count: 0,
    throughput: [],
    written_bps: 0,
    written_eps: 0,
  }),
  sqlAnalyzeRoute,
  formatRoute,
  sourcePreviewRoute,
  ...queriesRoutes(),
];
