import type { JsonObject, JsonValue } from "../../model/index.js";
import { canonicalType, printPrimaryKey, SqlSyntaxError, tokenizeSql } from "../../sql/index.js";
import { ApiFailure, ENGINE_CODES, engineError } from "../errors.js";
import { Fields } from "../validate.js";
import { assertNameFree, nodeId, retentionChanges, topologyNode } from "./common.js";
import type { KindModule } from "./kind.js";
import { type Changes, createRoute, nameCollection, nameRoutes, updateRoute } from "./routes.js";

/** StreamDef of the seed spec (docs/timeplus-api.md §3.1). */
const CREATE_FIELDS = [
  "name",
  "description",
  "columns",
  "mode",
  "primary_key",
  "engine",
  "column_families",
  "secondary_indexes",
  "event_time_column",
  "event_time_timezone",
  "logstore_retention_bytes",
  "logstore_retention_ms",
  "ttl_expression",
  "shards",
  "replication_factor",
  "order_by_expression",
  "order_by_granularity",
  "partition_by_granularity",
] as const;
const COLUMN_FIELDS = ["name", "type", "default", "codec", "ttl_expression", "skipping_index_expression", "comment"] as const;
const MODES = ["append", "changelog", "changelog_kv", "versioned_kv"] as const;
const KEYED_MODES: ReadonlySet<string> = new Set(["changelog_kv", "versioned_kv"]);

/** The only fields PATCH /streams/{name} changes: "only supports updating data retention-related settings" (§4). */
const UPDATABLE_FIELDS = ["description", "logstore_retention_bytes", "logstore_retention_ms", "ttl_expression"] as const;
/**
 * Stream fields a PATCH may carry but cannot change. A client that sends the whole model back
 * (the Terraform provider does) sends them unchanged, which is accepted; a change gets 48.
 */
const FIXED_FIELDS = CREATE_FIELDS.filter((field) => !(UPDATABLE_FIELDS as readonly string[]).includes(field));
/** Accepted on create, not returned by GET: kept in the record under this key so that a PATCH can compare them. */
const HIDDEN = "_request";
const HIDDEN_FIELDS = ["shards", "replication_factor", "order_by_expression", "order_by_granularity", "partition_by_granularity"] as const;

/** Omitted retention reads back as 0 for streams (docs/timeplus-api.md §4, TF provider). */
const DEFAULT_RETENTION = 0;
/** The implicit event-time column every stream has (docs/timeplus-api.md §4). */
const TP_TIME = "_tp_time";
const TP_TIME_CODEC = "CODEC(DoubleDelta, LZ4)";

/**
 * The Stream response is the stored record: it is stored normalised as GET shows it, but for `sql`,
 * what only DDL can say (ORDER BY, settings, …), which SHOW CREATE reads (src/server/sql/).
 */
const COLLECTION = nameCollection({
  kind: "stream",
  label: "stream",
  path: "/streams",
  // Keys starting with `_` (the create fields GET does not show, ingest counts) and the DDL-only
  // `sql` details stay in the record.
  render: (record) => Object.fromEntries(Object.entries(record).filter(([key]) => !key.startsWith("_") && key !== "sql")),
});

export const streamModule: KindModule = {
  kind: "stream",
  label: "stream",
  relation: true,
  acceptsWrites: true,
  holdsDependencies: false,
  links: () => ({ reads: [], writes: [] }),
  node: (record) =>
    topologyNode("stream", nodeId(String(record["name"])), record, {
      description: record["description"] ?? "",
      mode: record["mode"] ?? "append",
    }),
  routes: nameRoutes(
    COLLECTION,
    createRoute(COLLECTION, (context) => {
      const stream = parseStreamBody(context.body);
      return { fields: stream, check: (tx) => assertNameFree(tx, stream.name) };
    }),
    updateRoute(COLLECTION, "PATCH", (body) => readStreamPatch(body)),
  ),
};

/**
 * PATCH /streams/{name}: description, retention and TTL change. Immutable fields may come along
 * unchanged (a full model read back from GET); any of them changed gets 48 NOT_IMPLEMENTED and
 * nothing changes. Response-only fields (`ttl`, `is_external`, audit fields) are ignored.
 */
function readStreamPatch(body: unknown): Changes {
  const fields = Fields.of(body, [...UPDATABLE_FIELDS, ...FIXED_FIELDS]);
  const changes = retentionChanges(fields);
  // Streams read `ttl` back as well, mirroring `ttl_expression`.
  if (changes["ttl_expression"] !== undefined) changes["ttl"] = changes["ttl_expression"];
  // Zero values mean "not set" to a Go client (`"event_time_timezone": ""`), as on create.
  const given = FIXED_FIELDS.filter((field) => {
    const value = fields.raw(field);
    return value !== undefined && value !== "" && value !== 0 && !(Array.isArray(value) && value.length === 0);
  });
  return {
    changes,
    check(current) {
      if (given.length === 0) return;
      let changed: string[];
      try {
        const proposed = parseStreamBody({ ...streamAsRequest(current), ...pickGiven(body, given) });
        changed = given.filter((field) => !sameFixedField(field, proposed, current));
      } catch (error) {
        // A combination the engine would refuse on create is a change too (e.g. MutableStream without a key).
        if (!(error instanceof ApiFailure && error.system === "proton")) throw error;
        changed = given;
      }
      if (changed.length > 0) {
        throw engineError(
          ENGINE_CODES.NOT_IMPLEMENTED,
          `Altering stream ${changed.join(", ")} is not supported: only ${UPDATABLE_FIELDS.join(", ")} can be updated`,
        );
      }
    },
  };
}

function pickGiven(body: unknown, given: readonly string[]): JsonObject {
  const source = body as JsonObject;
  return Object.fromEntries(given.map((field) => [field, source[field] ?? null]));
}

/** The create body that gives `record`, so that a PATCH's immutable fields are read exactly as a create's. */
function streamAsRequest(record: JsonObject): JsonObject {
  const columns = (record["columns"] as JsonObject[] | undefined) ?? [];
  const tpTime = columns.find((column) => column["name"] === TP_TIME);
  const implicit = tpTime !== undefined && tpTime["codec"] === TP_TIME_CODEC && String(tpTime["type"]).startsWith("datetime64(3, '");
  const timezone = implicit ? (/'([^']*)'/.exec(String(tpTime["type"]))?.[1] ?? "UTC") : "UTC";
  const defaultTime = `now64(3, '${timezone}')`;
  const hidden = (record[HIDDEN] as JsonObject | undefined) ?? {};
  const request: Record<string, JsonValue> = {
    ...hidden,
    name: record["name"] ?? "",
    columns: columns
      .filter((column) => !(implicit && column === tpTime))
      .map((column) => {
        const { nullable: _derived, ...rest } = column;
        return rest;
      }),
    mode: record["mode"] ?? "append",
    primary_key: record["primary_key"] ?? "",
    event_time_column: implicit && tpTime["default"] !== defaultTime ? (tpTime["default"] ?? "") : "",
    event_time_timezone: timezone,
  };
  if (record["engine"] === "MutableStream") request["engine"] = "MutableStream";
  for (const field of ["column_families", "secondary_indexes"]) if (record[field] !== undefined) request[field] = record[field];
  return request;
}

/** An immutable field of a PATCH equals what the stream has (normalised as a create would store it). */
function sameFixedField(field: string, proposed: JsonObject, current: JsonObject): boolean {
  const compare = (value: JsonValue | undefined): string => JSON.stringify(value ?? null);
  switch (field) {
    case "name":
      return proposed["name"] === current["name"];
    case "event_time_column":
    case "event_time_timezone":
    case "columns":
      return compare(proposed["columns"]) === compare(current["columns"]);
    case "primary_key":
      return compare(proposed["primary_key"]) === compare(current["primary_key"]);
    default:
      if ((HIDDEN_FIELDS as readonly string[]).includes(field)) {
        return (
          compare((proposed[HIDDEN] as JsonObject | undefined)?.[field]) === compare((current[HIDDEN] as JsonObject | undefined)?.[field])
        );
      }
      return compare(proposed[field]) === compare(current[field]);
  }
}

/**
 * A create body validated and normalised into what the server stores and reads back: the implicit
 * `_tp_time` column, `CODEC(...)`-wrapped codecs, per-column `nullable`, empty-string defaults,
 * `mode` "append", `engine` "Stream", retention 0 when omitted, `ttl` mirroring `ttl_expression`
 * (docs/timeplus-api.md §3.1 and §4 "Drift and readback notes"). Request fields the spec's Stream response
 * does not have (event_time_*, shards, replication_factor, order/partition settings) are checked
 * and then not returned.
 */
function parseStreamBody(body: unknown): JsonObject & { name: string } {
  const fields = Fields.of(body, CREATE_FIELDS);
  const name = fields.name();
  const description = fields.string("description") ?? "";
  const modeText = fields.string("mode");
  // `mode` "" means append (docs/timeplus-api.md §4); the TF provider sends it empty when unset.
  const mode = modeText === "" ? "append" : (fields.oneOf("mode", MODES) ?? "append");
  const primaryKey = fields.string("primary_key") ?? "";
  // "Stream" is what GET shows: a client sending the model back sends it.
  const engineText = fields.oneOf("engine", ["Stream", "MutableStream"] as const);
  const engine = engineText === "Stream" ? undefined : engineText;
  const eventTimeColumn = fields.string("event_time_column") ?? "";
  const timezone = fields.string("event_time_timezone") || "UTC";
  const hidden: Record<string, JsonValue> = {};
  for (const field of ["order_by_expression", "order_by_granularity", "partition_by_granularity"]) {
    const value = fields.string(field);
    if (value !== undefined && value !== "") hidden[field] = value;
  }
  for (const field of ["shards", "replication_factor"]) {
    const value = fields.integer(field);
    if (value !== undefined && value < 0) throw badArgument(`${field} must not be negative, got ${value}`);
    if (value !== undefined && value !== 0) hidden[field] = value;
  }
  const retentionBytes = fields.integer("logstore_retention_bytes") ?? DEFAULT_RETENTION;
  const retentionMs = fields.integer("logstore_retention_ms") ?? DEFAULT_RETENTION;
  const ttl = fields.string("ttl_expression") ?? "";

  const columns = parseColumns(fields.array("columns") ?? []);
  const columnNames = new Set(columns.map((column) => String(column["name"])));
  if (!columnNames.has(TP_TIME)) {
    columns.push({
      name: TP_TIME,
      type: `datetime64(3, '${timezone}')`,
      // `event_time_column` becomes the default of _tp_time (Timeplus "stream" docs) [I].
      default: eventTimeColumn === "" ? `now64(3, '${timezone}')` : eventTimeColumn,
      codec: TP_TIME_CODEC,
      nullable: false,
    });
  }
  const known = new Set([...columnNames, TP_TIME]);

  if ((KEYED_MODES.has(mode) || engine === "MutableStream") && primaryKey.trim() === "") {
    throw badArgument(`primary_key is required for a ${engine === "MutableStream" ? "MutableStream" : `${mode} stream`}`);
  }
  assertKnownIdentifiers("primary_key", primaryKey, known);
  assertKnownIdentifiers("event_time_column", eventTimeColumn, known);

  const record: Record<string, JsonValue> = {
    name,
    description,
    engine: engine ?? "Stream",
    is_external: false,
    mode,
    // As the engine prints it (system.tables): `a`, `b` for (a, b).
    primary_key: printPrimaryKey(primaryKey),
    columns,
  };
  const families = fields.array("column_families");
  const indexes = fields.array("secondary_indexes");
  if (engine !== "MutableStream" && (families !== undefined || indexes !== undefined)) {
    throw badArgument(`column_families and secondary_indexes need engine "MutableStream"`);
  }
  if (families !== undefined) record["column_families"] = parseColumnFamilies(families, known, primaryKey);
  if (indexes !== undefined) record["secondary_indexes"] = parseSecondaryIndexes(indexes, known);
  record["logstore_retention_bytes"] = retentionBytes;
  record["logstore_retention_ms"] = retentionMs;
  record["ttl"] = ttl;
  record["ttl_expression"] = ttl;
  if (Object.keys(hidden).length > 0) record[HIDDEN] = hidden;
  return record as JsonObject & { name: string };
}

/** Stream-style `columns[]`: each ColumnDef checked and normalised as GET shows it (no `_tp_time`). */
export function parseColumns(items: readonly JsonValue[]): Record<string, JsonValue>[] {
  if (items.length === 0) throw badArgument("a stream needs at least one column");
  const seen = new Set<string>();
  return items.map((item, index) => {
    const fields = Fields.of(item, COLUMN_FIELDS, { prefix: `columns[${index}].` });
    const name = fields.requiredNonEmpty("name");
    // The engine reads a type back in its own spelling: `int` as `int32`, `Float32` as `float32`.
    const type = canonicalType(fields.requiredNonEmpty("type"));
    if (seen.has(name)) throw badArgument(`column '${name}' is declared more than once`);
    seen.add(name);
    for (const field of ["ttl_expression", "skipping_index_expression"]) fields.string(field);
    const comment = fields.string("comment") ?? "";
    const column: Record<string, JsonValue> = {
      name,
      type,
      default: fields.string("default") ?? "",
      codec: wrapCodec(fields.string("codec") ?? ""),
      nullable: type.trim().toLowerCase().startsWith("nullable("),
    };
    if (comment !== "") column["comment"] = comment;
    return column;
  });
}

/** The server reads codecs back wrapped: `ZSTD(1)` becomes `CODEC(ZSTD(1))` (docs/timeplus-api.md §3.1). */
function wrapCodec(codec: string): string {
  const trimmed = codec.trim();
  if (trimmed === "") return "";
  return /^codec\s*\(/i.test(trimmed) ? trimmed : `CODEC(${trimmed})`;
}

function parseColumnFamilies(items: readonly JsonValue[], known: ReadonlySet<string>, primaryKey: string): JsonValue[] {
  const keyColumns = new Set(identifiersOf("primary_key", primaryKey));
  return items.map((item, index) => {
    const fields = Fields.of(item, ["name", "columns"], { prefix: `column_families[${index}].` });
    const name = fields.requiredNonEmpty("name");
    const columns = fields.stringArray("columns");
    if (columns === undefined) throw badArgument(`column_families[${index}].columns is required`);
    for (const column of columns) {
      if (!known.has(column)) throw unknownIdentifier(`column family '${name}' names unknown column '${column}'`);
      if (keyColumns.has(column)) throw badArgument(`column family '${name}' must not contain primary key column '${column}'`);
    }
    return { name, columns };
  });
}

function parseSecondaryIndexes(items: readonly JsonValue[], known: ReadonlySet<string>): JsonValue[] {
  return items.map((item, index) => {
    const fields = Fields.of(item, ["name", "columns", "storing", "unique"], { prefix: `secondary_indexes[${index}].` });
    const name = fields.requiredNonEmpty("name");
    const columns = fields.stringArray("columns");
    if (columns === undefined || columns.length === 0) throw badArgument(`secondary index '${name}' needs columns`);
    const storing = fields.stringArray("storing") ?? [];
    for (const column of [...columns, ...storing]) {
      if (!known.has(column)) throw unknownIdentifier(`secondary index '${name}' names unknown column '${column}'`);
    }
    return { name, columns, storing, unique: fields.boolean("unique") ?? false };
  });
}

/** Column names an expression such as `(cid, to_date(ts))` refers to: names not called and not after a dot. */
function identifiersOf(field: string, expression: string): string[] {
  if (expression.trim() === "") return [];
  let tokens;
  try {
    tokens = tokenizeSql(expression).filter((token) => token.type !== "whitespace" && token.type !== "comment");
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw engineError(ENGINE_CODES.SYNTAX_ERROR, `${field}: ${error.message}`);
    throw error;
  }
  const names: string[] = [];
  tokens.forEach((token, index) => {
    if (token.type !== "identifier" && token.type !== "quoted_identifier") return;
    const next = tokens[index + 1];
    const previous = tokens[index - 1];
    if (next?.text === "(" || previous?.text === "." || previous?.type === "number") return;
    names.push(token.value);
  });
  return names;
}

/** A key or event-time expression naming a column the stream lacks: the engine's 47 UNKNOWN_IDENTIFIER. */
function assertKnownIdentifiers(field: string, expression: string, known: ReadonlySet<string>): void {
  const missing = identifiersOf(field, expression).filter((name) => !known.has(name));
  if (missing.length > 0) {
    throw unknownIdentifier(`Missing columns: ${missing.map((name) => `'${name}'`).join(", ")} in ${field} '${expression}'`);
  }
}

function badArgument(message: string): Error {
  return engineError(ENGINE_CODES.BAD_ARGUMENTS, message);
}

function unknownIdentifier(message: string): Error {
  return engineError(ENGINE_CODES.UNKNOWN_IDENTIFIER, message);
}
