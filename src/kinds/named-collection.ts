import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { everySettingValue } from "./secrets.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

/**
 * `CREATE NAMED COLLECTION name AS key = 'value' [[NOT] OVERRIDABLE], …` (docs.timeplus.com
 * `named-collection`): connection settings that external streams, tables and dictionaries name.
 * Its values are usually credentials, so every value is secret: never printed, never read back,
 * compared by key only. `ALTER NAMED COLLECTION … SET …, DELETE …` changes it in place. It is global
 * and has no COMMENT, so it carries no ownership marker (docs/sql-ddl.md, "Named collections").
 */
export const namedCollection: KindModule = {
  kind: "named_collection",
  label: "named collection",
  identity: "name",
  naming: "identifier",
  relation: false,
  home: "engine",
  // What names it stops working without it: the engine drops it with no dependency check.
  destructiveToLose: true,
  readsLoosely: false,
  fields: {
    settings: { compare: "settings", updatable: true },
  },
  ddl: { create: CREATE_RENDERERS.namedCollection, drop: { object: "NAMED COLLECTION", global: true } },
  references: () => NO_REFERENCES,
  secrets: everySettingValue,
  export: { folder: "named_collections" },
};
