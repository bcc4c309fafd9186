import { externalReferences } from "./external.js";
import type { KindModule } from "./kind.js";
import { settingSecrets } from "./secrets.js";
import { description } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

export const externalTable: KindModule = {
  kind: "external_table",
  label: "external table",
  identity: "name",
  naming: "identifier",
  relation: true,
  home: "engine",
  destructiveToLose: false,
  readsLoosely: false,
  fields: { description: { ...description, updatable: false }, settings: { compare: "settings", updatable: false } },
  ddl: { create: CREATE_RENDERERS.externalTable, drop: { object: "EXTERNAL TABLE" } },
  references: externalReferences,
  secrets: settingSecrets,
  rest: { collection: "external_tables", update: "none" },
  export: { folder: "external_tables" },
};
