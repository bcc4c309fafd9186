import type { KindModule } from "./kind.js";
import { textsOf } from "./kind.js";
import { propertySecrets, slackUrl } from "./secrets.js";
import { description, fixed, properties, sqlUpdate } from "./rules.js";

export const alert: KindModule = {
  kind: "alert",
  label: "alert",
  identity: "id",
  naming: "free",
  relation: false,
  home: "appserver",
  destructiveToLose: true,
  readsLoosely: false,
  fields: {
    description,
    severity: { compare: "value", updatable: true },
    action: fixed,
    trigger_sql: sqlUpdate,
    resolve_sql: { ...sqlUpdate, default: "" },
    properties,
  },
  references: (spec) => ({ sql: textsOf(spec, "trigger_sql", "resolve_sql"), relations: [], schemas: [] }),
  sqlAt: () => [["trigger_sql"], ["resolve_sql"]],
  secrets: (spec) => propertySecrets(spec, "action"),
  rest: { collection: "alerts", update: "put-whole" },
  export: { folder: "alerts", hiddenSecrets: (spec) => slackUrl(spec, "action") },
};
