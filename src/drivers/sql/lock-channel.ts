import { ApiError, InternalError } from "../../errors.js";
import { isJsonObject } from "../../model/index.js";
import type { ApiCall, ApiResponse } from "../http.js";
import { isReservedName } from "../../model/index.js";
import { renderCreate, renderDrop } from "../../kinds/index.js";
import { renderAlter } from "../../sql/ddl/index.js";
import { quoteString } from "../../sql/ddl/quote.js";
import type { LockChannel } from "../driver.js";
import { text } from "./decode.js";
import type { SqlTransport } from "./transport.js";

/**
 * The workspace lock over SQL. cli/lock.ts keeps its one algorithm (a chain of leases, one view per
 * generation: docs/locking.md) and speaks to a channel in REST terms; this channel says the same
 * five things in SQL, on the same views, so that a REST run and a SQL run exclude each other:
 * - take a generation: `CREATE VIEW tpctl_lock_N AS SELECT 1 AS locked COMMENT '<lease JSON>'`. The
 *   engine refuses a second object of one name with code 57, exactly as `POST /views` does, so
 *   taking a generation is an atomic test-and-set on the engine's catalog;
 * - list the generations: the lock views' names and COMMENTs from one `system.tables` query;
 * - read one generation (releasing looks at its own): the same query for that one name, and 404
 *   when there is none, as `GET /views/{name}` answers;
 * - renew or release a lease: `ALTER VIEW tpctl_lock_N MODIFY COMMENT '<lease JSON>'` (only the
 *   holder does this, so it needs no atomicity of its own);
 * - remove a dead generation: `DROP VIEW IF EXISTS tpctl_lock_N` (404 on DELETE is success, as here).
 * Any other request is one this channel does not know, and fails loudly.
 */
export function sqlLockChannel(transport: SqlTransport): LockChannel {
  return {
    async request<T>(call: ApiCall): Promise<ApiResponse<T>> {
      const body = isJsonObject(call.body) ? call.body : {};
      const named = /^\/views\/([^/]+)$/.exec(call.path)?.[1];
      if (call.method === "POST" && call.path === "/views" && typeof body["name"] === "string" && isReservedName(body["name"])) {
        const name = body["name"];
        const description = typeof body["description"] === "string" ? body["description"] : "";
        const query = typeof body["query"] === "string" ? body["query"] : "SELECT 1 AS locked";
        const [statement] = renderCreate({ kind: "view", name, spec: { name, query, description } });
        if (statement === undefined) throw new InternalError("the lock view renders to no statement");
        await transport.execute({ sql: statement.sql });
        return { status: 201, body: undefined };
      }
      if (call.method === "GET" && call.path === "/views") {
        // All views, filtered here: the lock's views are few, and LIKE's escaping of `_` varies.
        const rows = await transport.query("SELECT name, comment FROM system.tables WHERE database = 'default' AND engine = 'View'");
        const views = rows
          .filter((row) => isReservedName(text(row, "name")))
          .map((row) => ({ name: text(row, "name"), description: text(row, "comment") }));
        return { status: 200, body: views as T };
      }
      if (call.method === "GET" && named !== undefined && isReservedName(named)) {
        const [row] = await transport.query(
          `SELECT name, comment FROM system.tables WHERE database = 'default' AND engine = 'View' AND name = ${quoteString(named)}`,
        );
        if (row === undefined) {
          if (call.alsoOk?.includes(404)) return { status: 404, body: undefined };
          throw new ApiError({ method: "GET", path: call.path, status: 404 });
        }
        return { status: 200, body: { name: text(row, "name"), description: text(row, "comment") } as T };
      }
      if (call.method === "PATCH" && named !== undefined && isReservedName(named) && typeof body["description"] === "string") {
        await transport.execute({ sql: renderAlter("view", named, [{ op: "modify_comment", comment: body["description"] }]).sql });
        return { status: 200, body: undefined };
      }
      if (call.method === "DELETE" && named !== undefined && isReservedName(named)) {
        await transport.execute({ sql: renderDrop("view", named).sql });
        return { status: 204, body: undefined };
      }
      throw new InternalError(`the SQL lock channel does not know ${call.method} ${call.path}`);
    },
  };
}
