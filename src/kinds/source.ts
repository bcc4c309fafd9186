import type { KindModule } from "./kind.js";
import { namesOf } from "./kind.js";
import { impliedPasswords, propertySecrets } from "./secrets.js";
import { description, fixed, properties } from "./rules.js";

export const source: KindModule = {
  kind: "source",
  label: "source",
  identity: "id",
  naming: "identifier",
  relation: false,
  home: "appserver",
  destructiveToLose: true,
  readsLoosely: false,
  fields: { description, type: fixed, stream: { compare: "value", updatable: true }, properties },
  // It writes into its stream.
  references: (spec) => ({ sql: [], relations: namesOf(spec, "stream"), schemas: [] }),
  secrets: (spec) => propertySecrets(spec, "type"),
  rest: { collection: "sources", update: "patch-changed", stopsForUpdate: true },
  export: { folder: "sources", hiddenSecrets: (spec) => impliedPasswords(spec) },
};
