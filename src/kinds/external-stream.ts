import { externalReferences } from "./external.js";
import type { KindModule } from "./kind.js";
import { settingSecrets } from "./secrets.js";
import { description } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

export const externalStream: KindModule = {
  kind: "external_stream",
  label: "external stream",
  identity: "name",
  naming: "identifier",
  relation: true,
  home: "engine",
  destructiveToLose: true,
  readsLoosely: false,
  fields: {
    description: { ...description, updatable: false },
    settings: { compare: "settings", updatable: false },
    columns: { compare: "columns", updatable: false, computed: true },
  },
  ddl: { create: CREATE_RENDERERS.externalStream, drop: { object: "STREAM" } },
  references: externalReferences,
  secrets: settingSecrets,
  rest: { collection: "external_streams", update: "none" },
  export: { folder: "external_streams" },
};
