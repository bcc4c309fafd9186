import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { description } from "./rules.js";
import type { FieldRule } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

/** A setting the engine keeps as created: compared when declared, changed only by a replace. */
const setting: FieldRule = { compare: "value", updatable: false, computed: true };

/**
 * `CREATE MUTABLE STREAM` (Timeplus Enterprise; docs.timeplus.com `mutable-stream`): rows keyed by
 * the primary key, updated in place. The REST API of 2024 makes the same object as a stream with
 * `engine: MutableStream`; over SQL it is this kind (docs/sql-driver.md, "Mutable streams").
 */
export const mutableStream: KindModule = {
  kind: "mutable_stream",
  label: "mutable stream",
  identity: "name",
  naming: "identifier",
  relation: true,
  home: "engine",
  destructiveToLose: true,
  readsLoosely: false,
  fields: {
    description,
    // Over SQL new columns after the existing ones are added in place (ALTER STREAM … ADD COLUMN, 2.8.2+).
    columns: { compare: "columns", updatable: false, sql: "columns_appended" },
    // "The primary key cannot be changed" (the docs).
    primary_key: { compare: "sql", updatable: false },
    // Over SQL an index is dropped and added in place (ALTER STREAM … DROP INDEX / ADD INDEX).
    secondary_indexes: { compare: "value", updatable: false, default: [], sql: true },
    column_families: { compare: "value", updatable: false, default: [] },
    shards: setting,
    replication_factor: setting,
    version_column: setting,
    coalesced: setting,
    // "A stream created without TTL cannot be altered later to support TTL" (the docs).
    ttl_seconds: setting,
    ttl_column: setting,
    logstore_retention_bytes: setting,
    logstore_retention_ms: setting,
  },
  ddl: { create: CREATE_RENDERERS.mutableStream, drop: { object: "STREAM" } },
  references: () => NO_REFERENCES,
  export: { folder: "mutable_streams" },
};
