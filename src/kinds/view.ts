import type { KindModule } from "./kind.js";
import { textsOf } from "./kind.js";
import { description, sqlUpdate } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

export const view: KindModule = {
  kind: "view",
  label: "view",
  identity: "name",
  naming: "identifier",
  relation: true,
  home: "engine",
  destructiveToLose: false,
  readsLoosely: false,
  fields: { description, query: sqlUpdate },
  ddl: { create: CREATE_RENDERERS.view, drop: { object: "VIEW" } },
  references: (spec) => ({ sql: textsOf(spec, "query"), relations: [], schemas: [] }),
  sqlAt: () => [["query"]],
  // Before 2024-12 /views listed materialized views too, marked `materialized: true`.
  rest: { collection: "views", update: "patch-changed", notOfKind: (item) => item["materialized"] === true },
  export: { folder: "views" },
};
