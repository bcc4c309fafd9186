import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

export const database: KindModule = {
  kind: "database",
  label: "database",
  identity: "name",
  naming: "identifier",
  relation: false,
  home: "engine",
  // DROP DATABASE drops every stream, view and table in it, with their data.
  destructiveToLose: true,
  readsLoosely: false,
  fields: {
    // The engine documents no ALTER DATABASE … MODIFY COMMENT (docs/sql-ddl.md, "Databases"):
    // a changed description replaces the database, which the plan shows as destructive.
    description: { compare: "text", updatable: false, default: "" },
  },
  ddl: { create: CREATE_RENDERERS.database, drop: { object: "DATABASE", global: true } },
  references: () => NO_REFERENCES,
  export: { folder: "databases" },
};
