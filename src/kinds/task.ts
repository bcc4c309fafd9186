import type { KindModule } from "./kind.js";
import { namesOf, textsOf } from "./kind.js";
import { sqlUpdate } from "./rules.js";
import { CREATE_RENDERERS } from "../sql/ddl/index.js";

/**
 * `CREATE TASK name SCHEDULE … TIMEOUT … INTO target AS SELECT …` (Timeplus Enterprise; docs.timeplus.com
 * `task`): a scheduled INSERT … SELECT. It reads what its query reads and writes its INTO target;
 * `CREATE OR REPLACE TASK` changes it in place. It keeps no state of its own.
 */
export const task: KindModule = {
  kind: "task",
  label: "task",
  identity: "name",
  naming: "identifier",
  relation: false,
  home: "engine",
  destructiveToLose: false,
  readsLoosely: false,
  fields: {
    schedule: { compare: "sql", updatable: true },
    timeout: { compare: "sql", updatable: true },
    into: { compare: "value", updatable: true },
    query: sqlUpdate,
  },
  ddl: { create: CREATE_RENDERERS.task, drop: { object: "TASK" } },
  references: (spec) => ({ sql: textsOf(spec, "query"), relations: namesOf(spec, "into"), schemas: [] }),
  export: { folder: "tasks" },
};
