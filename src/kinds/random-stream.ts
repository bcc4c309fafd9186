import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { description } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

/**
 * `CREATE RANDOM STREAM`: a relation whose rows the engine generates from each column's DEFAULT
 * (docs.timeplus.com `sql-create-random-stream`); it stores nothing, so losing it loses no data.
 */
export const randomStream: KindModule = {
  kind: "random_stream",
  label: "random stream",
  identity: "name",
  naming: "identifier",
  relation: true,
  home: "engine",
  destructiveToLose: false,
  readsLoosely: false,
  fields: {
    // Enterprise 2.9: "ALTER COMMENT support for … RandomStreams".
    description,
    columns: { compare: "columns", updatable: false },
    // The engine's defaults: 1000 rows a second per thread, generated every 5 ms.
    eps: { compare: "value", updatable: false, default: 1000 },
    interval_time: { compare: "value", updatable: false, default: 5 },
  },
  ddl: { create: CREATE_RENDERERS.randomStream, drop: { object: "STREAM" } },
  references: () => NO_REFERENCES,
  export: { folder: "random_streams" },
};
