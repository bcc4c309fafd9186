import type { KindModule } from "./kind.js";
import { NO_REFERENCES } from "./kind.js";
import { fixed } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

export const schema: KindModule = {
  kind: "schema",
  label: "schema",
  identity: "name",
  naming: "identifier",
  relation: false,
  home: "engine",
  destructiveToLose: false,
  readsLoosely: false,
  fields: { type: fixed, content: { compare: "text", updatable: true } },
  ddl: { create: CREATE_RENDERERS.formatSchema, drop: { object: "FORMAT SCHEMA", global: true } },
  references: () => NO_REFERENCES,
  rest: { collection: "schemas", update: "put-whole" },
  // A format schema has no description: the marker is a comment line at the end of its content.
  marker: "content",
  export: { folder: "schemas" },
};
