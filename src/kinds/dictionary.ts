import { isJsonObject } from "../model/index.js";
import type { KindModule } from "./kind.js";
import { description } from "./rules.js";
import { sourceSecrets } from "./secrets.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

/**
 * `CREATE DICTIONARY` (Timeplus Enterprise 2.7+; docs.timeplus.com `dictionary`): a keyed lookup
 * that SQL reads with `dict_get(…)` or `FROM`, loaded from its SOURCE. `CREATE OR REPLACE
 * DICTIONARY` changes any part of it in place; it holds only what it reloads, so losing it loses no data.
 */
export const dictionary: KindModule = {
  kind: "dictionary",
  label: "dictionary",
  identity: "name",
  naming: "identifier",
  relation: true,
  home: "engine",
  destructiveToLose: false,
  readsLoosely: false,
  fields: {
    description,
    columns: { compare: "columns", updatable: true },
    primary_key: { compare: "sql", updatable: true },
    source: { compare: "value", updatable: true },
    layout: { compare: "value", updatable: true },
    lifetime: { compare: "value", updatable: true, computed: true },
  },
  // SOURCE(TIMEPLUS(STREAM 's')) reads a stream of the workspace.
  ddl: { create: CREATE_RENDERERS.dictionary, drop: { object: "DICTIONARY" } },
  references: (spec) => {
    const source = spec["source"];
    const stream = isJsonObject(source) && source["type"] === "timeplus" && typeof source["stream"] === "string" ? source["stream"] : "";
    return { sql: [], relations: stream !== "" ? [stream] : [], schemas: [] };
  },
  secrets: sourceSecrets,
  export: {
    folder: "dictionaries",
    // A SOURCE with a user has a password that reading back leaves out.
    hiddenSecrets: (spec) => {
      const source = spec["source"];
      return isJsonObject(source) && source["user"] !== undefined && source["password"] === undefined ? ["/source/password"] : [];
    },
  },
};
