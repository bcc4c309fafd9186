import type { KindModule } from "./kind.js";
import { textsOf } from "./kind.js";
import { description, sqlUpdate } from "./rules.js";

export const savedQuery: KindModule = {
  kind: "saved_query",
  label: "saved query",
  identity: "id",
  naming: "free",
  relation: false,
  home: "appserver",
  destructiveToLose: false,
  readsLoosely: true,
  fields: { description, sql: sqlUpdate, tags: { compare: "value", updatable: true, default: [] } },
  references: (spec) => ({ sql: textsOf(spec, "sql"), relations: [], schemas: [] }),
  sqlAt: () => [["sql"]],
  // The one collection whose path is not the snake_case plural of the kind.
  rest: { collection: "savedqueries", update: "put-whole" },
  export: { folder: "saved_queries" },
};
