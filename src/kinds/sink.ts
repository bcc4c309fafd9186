import type { KindModule } from "./kind.js";
import { textsOf } from "./kind.js";
import { propertySecrets } from "./secrets.js";
import { description, fixed, properties, sqlReplace } from "./rules.js";

export const sink: KindModule = {
  kind: "sink",
  label: "sink",
  identity: "id",
  naming: "identifier",
  relation: false,
  home: "appserver",
  destructiveToLose: true,
  readsLoosely: false,
  fields: { description, type: fixed, query: sqlReplace, properties },
  references: (spec) => ({ sql: textsOf(spec, "query"), relations: [], schemas: [] }),
  secrets: (spec) => propertySecrets(spec, "type"),
  rest: { collection: "sinks", update: "patch-changed" },
  export: { folder: "sinks" },
};
