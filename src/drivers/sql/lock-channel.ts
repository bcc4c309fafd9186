import { ApiError, InternalError } from "../../errors.js";
import { isJsonObject } from "../../model/index.js";
import type { ApiCall, ApiResponse } from "../../live/client.js";
import { LOCK_NAME } from "../../live/normalize.js";
import { quoteString, renderCreate, renderDrop } from "../../sql/ddl/index.js";
import type { LockChannel } from "../driver.js";
import { text } from "./decode.js";
import type { SqlTransport } from "./transport.js";

const LOCK_PATH = `/views/${LOCK_NAME}`;

/**
 * The workspace lock over SQL. cli/lock.ts keeps its one algorithm (token, expiry, take-over) and
 * speaks to a channel in REST terms; this channel says the same three things in SQL, on the same
 * object, so that a REST run and a SQL run exclude each other:
 * - take: `CREATE VIEW tpctl_lock AS SELECT 1 AS locked COMMENT '<holder JSON>'`. The engine refuses
 *   a second object of one name with code 57, exactly as `POST /views` does, so taking the lock is
 *   an atomic test-and-set on the engine's catalog; no read-then-write race exists.
 * - read: its COMMENT, from `system.tables` (404 when there is none, as `GET /views/tpctl_lock`);
 * - release: `DROP VIEW IF EXISTS tpctl_lock` (a release of a missing lock succeeds, as 404 on DELETE does).
 * Any other request is a lock this channel does not know yet, and fails loudly.
 */
export function sqlLockChannel(transport: SqlTransport): LockChannel {
  return {
    async request<T>(call: ApiCall): Promise<ApiResponse<T>> {
      if (call.method === "POST" && call.path === "/views" && isJsonObject(call.body) && call.body["name"] === LOCK_NAME) {
        const description = typeof call.body["description"] === "string" ? call.body["description"] : "";
        const query = typeof call.body["query"] === "string" ? call.body["query"] : "SELECT 1 AS locked";
        const [statement] = renderCreate({ kind: "view", name: LOCK_NAME, spec: { name: LOCK_NAME, query, description } });
        if (statement === undefined) throw new InternalError("the lock view renders to no statement");
        await transport.execute({ sql: statement.sql });
        return { status: 201, body: undefined };
      }
      if (call.method === "GET" && call.path === LOCK_PATH) {
        const rows = await transport.query(`SELECT comment FROM system.tables WHERE database = 'default' AND name = ${quoteString(LOCK_NAME)}`);
        const row = rows[0];
        if (row === undefined) throw new ApiError({ method: "GET", path: LOCK_PATH, status: 404, apiMessage: "no workspace lock" });
        return { status: 200, body: { name: LOCK_NAME, description: text(row, "comment") } as T };
      }
      if (call.method === "DELETE" && call.path === LOCK_PATH) {
        await transport.execute({ sql: renderDrop("view", LOCK_NAME).sql });
        return { status: 204, body: undefined };
      }
      throw new InternalError(`the SQL lock channel does not know ${call.method} ${call.path}`);
    },
  };
}
