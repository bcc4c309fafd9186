import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import { credentialHeaders } from "../helpers/contract.js";

/**
 * What tpctl relies on from Timeplus SQL (docs/timeplus-sql.md), over both transports: the
 * appserver's `POST /{workspace}/api/v1beta2/exec` and the engine's HTTP interface. Checked against
 * the built-in server always, and against a real deployment when TIMEPLUS_ADDRESS is set with
 * TIMEPLUS_API=sql (credentials from TIMEPLUS_USERNAME/TIMEPLUS_PASSWORD; the transport is /exec if
 * the address answers it, else the engine's). Against a real deployment it only touches objects
 * named tpctl_contract_sql_<random> and drops them afterwards.
 */
type Outcome = { ok: true; columns: string[]; rows: unknown[][] } | { ok: false; code: number; message: string };

interface SqlTarget {
  readonly label: string;
  /** The REST API base when the target is an appserver (for the REST/SQL round trips), else undefined. */
  rest(): string | undefined;
  /** The credentials every REST call to the target carries. */
  readonly restHeaders: Record<string, string>;
  /** Whether REST can create engine objects here (the built-in server's default profile). */
  readonly restCreates: boolean;
  run(sql: string): Promise<Outcome>;
  /** POSTs `body` as it is to the appserver's `/exec` (with the target's credentials), where there is one. */
  execBody(body: Record<string, unknown>): Promise<Response> | undefined;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
}

const READ = /^\s*(SELECT|SHOW|EXISTS|DESCRIBE)\b/i;

async function viaExec(base: string, headers: Record<string, string>, sql: string): Promise<Outcome> {
  const response = await fetch(`${base}/exec`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ sql, type: READ.test(sql) ? "historical" : "ddl" }),
  });
  const text = await response.text();
  if (response.status === 204) return { ok: true, columns: [], rows: [] };
  const body = text === "" ? {} : JSON.parse(text);
  if (response.ok) return { ok: true, columns: (body.columns ?? []).map((column: { name: string }) => column.name), rows: body.data ?? [] };
  return { ok: false, code: Number(body.code), message: String(body.message) };
}

async function viaEngine(address: string, headers: Record<string, string>, sql: string): Promise<Outcome> {
  const url = new URL(address);
  url.searchParams.set("default_format", "JSONCompact");
  const response = await fetch(url, { method: "POST", headers: { "content-type": "text/plain; charset=utf-8", ...headers }, body: sql });
  const text = await response.text();
  const code = response.headers.get("x-timeplus-exception-code");
  if (code !== null) return { ok: false, code: Number(code), message: text };
  if (text.trim() === "") return { ok: true, columns: [], rows: [] };
  const body = JSON.parse(text);
  return { ok: true, columns: body.meta.map((column: { name: string }) => column.name), rows: body.data };
}

function postJson(url: string, headers: Record<string, string>, body: Record<string, unknown>): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

/**
 * The built-in server over one transport; `withLogin` starts it with a username and password, as a
 * real appserver always has, so that every call of the suite must carry the credentials.
 */
function builtIn(transport: "exec" | "engine", withLogin = false): SqlTarget {
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let dataDir = "";
  const login = { username: "contract", password: "contract-password" };
  const headers: Record<string, string> = withLogin
    ? { authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}` }
    : {};
  const rest = (): string => `${server?.url}/default/api/v1beta2`;
  return {
    label: `built-in server (${transport === "exec" ? "/exec" : "engine HTTP"}${withLogin ? ", with a login" : ""})`,
    rest: () => (transport === "exec" ? rest() : undefined),
    restHeaders: headers,
    restCreates: transport === "exec",
    run: (sql) => (transport === "exec" ? viaExec(rest(), headers, sql) : viaEngine(`${server?.url}/`, headers, sql)),
    execBody: (body) => (transport === "exec" ? postJson(`${rest()}/exec`, headers, body) : undefined),
    async setUp() {
      dataDir = await mkdtemp(join(tmpdir(), "tpctl-sql-contract-"));
      server = await startServer({ port: 0, host: "127.0.0.1", dataDir, ...(withLogin ? login : {}) });
    },
    async tearDown() {
      await server?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function realTarget(env: NodeJS.ProcessEnv): SqlTarget | undefined {
  const address = env["TIMEPLUS_ADDRESS"]?.replace(/\/+$/, "");
  if (!address || env["TIMEPLUS_API"] !== "sql") return undefined;
  const base = `${address}/${env["TIMEPLUS_WORKSPACE"] || "default"}/api/v1beta2`;
  const headers = credentialHeaders(env, { apiKey: false });
  let exec = false;
  return {
    label: "TIMEPLUS_ADDRESS (TIMEPLUS_API=sql)",
    rest: () => (exec ? base : undefined),
    restHeaders: headers,
    restCreates: false,
    run: (sql) => (exec ? viaExec(base, headers, sql) : viaEngine(`${address}/`, headers, sql)),
    execBody: (body) => (exec ? postJson(`${base}/exec`, headers, body) : undefined),
    async setUp() {
      const probe = await fetch(`${base}/exec`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ sql: "SELECT 1", type: "historical" }),
      });
      exec = probe.status !== 404 && probe.status !== 405;
    },
    tearDown: async () => undefined,
  };
}

const targets = [builtIn("exec"), builtIn("engine"), builtIn("exec", true), realTarget(process.env)].filter(
  (target): target is SqlTarget => target !== undefined,
);

describe.each(targets)("Timeplus SQL contract against $label", (target) => {
  const prefix = `tpctl_contract_sql_${randomBytes(4).toString("hex")}`;
  const stream = `${prefix}_s`;
  const target2 = `${prefix}_t`;
  const view = `${prefix}_v`;
  const mv = `${prefix}_mv`;

  const ok = async (sql: string): Promise<unknown[][]> => {
    const outcome = await target.run(sql);
    if (!outcome.ok) throw new Error(`${sql}\n→ ${outcome.code}: ${outcome.message}`);
    return outcome.rows;
  };
  const refusal = async (sql: string): Promise<number> => {
    const outcome = await target.run(sql);
    if (outcome.ok) throw new Error(`accepted: ${sql}`);
    return outcome.code;
  };
  const tableRow = async (name: string, columns: string): Promise<unknown[] | undefined> =>
    (await ok(`SELECT ${columns} FROM system.tables WHERE database = 'default' AND name = '${name}'`))[0];

  beforeAll(async () => {
    await target.setUp();
  });
  afterAll(async () => {
    for (const name of [mv, view, target2, stream, `${prefix}_rest`, `${prefix}_w`]) {
      await target.run(`DROP ${name === mv || name === view ? "VIEW" : "STREAM"} IF EXISTS ${name}`);
    }
    await target.tearDown();
  });

  it("answers SELECT version()", async () => {
    const [[version]] = (await ok("SELECT version()")) as [[unknown]];
    expect(typeof version).toBe("string");
  });

  it("ignores fields of an /exec body it does not know (the appserver's Go decoder)", async () => {
    const answer = target.execBody({ sql: "SELECT 1 AS one", type: "historical", tpctl_contract_unknown: true });
    if (answer === undefined) return;
    const response = await answer;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data?: unknown }).data).toEqual([[1]]);
  });

  it("creates a stream and reads it back with SHOW CREATE and system.tables", async () => {
    await ok(`CREATE STREAM ${stream} (cid string, speed float32 DEFAULT 0) COMMENT 'contract'`);
    const [[statement]] = (await ok(`SHOW CREATE STREAM ${stream}`)) as [[string]];
    expect(statement).toMatch(new RegExp(`^CREATE STREAM default\\.${stream}\\s*\\(`));
    expect(statement).toContain("`cid` string");
    expect(statement).toContain("`speed` float32 DEFAULT 0");
    expect(statement).toContain("`_tp_time` datetime64(3, 'UTC')");
    expect(statement).toContain("COMMENT 'contract'");
    expect(await tableRow(stream, "engine, comment")).toEqual(["Stream", "contract"]);
  });

  it("keeps the old definition on IF NOT EXISTS, and drops nothing on IF EXISTS", async () => {
    await ok(`CREATE STREAM IF NOT EXISTS ${stream} (other int)`);
    expect(((await ok(`SHOW CREATE ${stream}`)) as string[][])[0]?.[0]).toContain("`cid` string");
    await ok(`DROP STREAM IF EXISTS ${prefix}_missing`);
  });

  it("refuses with the engine's codes: 57 exists, 60 unknown, 62 syntax and several statements", async () => {
    expect(await refusal(`CREATE STREAM ${stream} (x int8)`)).toBe(57);
    expect(await refusal(`DROP STREAM ${prefix}_missing`)).toBe(60);
    expect(await refusal(`SHOW CREATE ${prefix}_missing`)).toBe(60);
    expect(await refusal(`CREATE STREAM ${prefix}_bad (x int8`)).toBe(62);
    expect(await refusal(`SELECT 1; SELECT 2`)).toBe(62);
    // What tumble/hop produce may not be declared: the examples' target stream would be refused.
    expect(await refusal(`CREATE STREAM ${prefix}_w (window_start datetime64(3))`)).toBe(44);
  });

  it("stores a string literal with quotes, backslashes, newlines, $$, ; and comment markers exactly", async () => {
    const nasty = 'it\'s \\ "q"\nline2 $$ ; -- c /* d */';
    const literal = `'${nasty.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
    await ok(`ALTER STREAM ${stream} MODIFY COMMENT ${literal}`);
    expect(await tableRow(stream, "comment")).toEqual([nasty]);
    await ok(`ALTER STREAM ${stream} MODIFY COMMENT 'contract'`);
  });

  it("refuses to drop a stream a view reads (630), then drops in dependency order", async () => {
    await ok(`CREATE VIEW ${view} AS SELECT cid FROM ${stream}`);
    expect(await tableRow(view, "engine, as_select")).toEqual(["View", `SELECT cid FROM ${stream}`]);
    expect(((await tableRow(stream, "dependencies_table")) as unknown[][])[0]).toContain(view);
    expect(await refusal(`DROP STREAM ${stream}`)).toBe(630);
  });

  it("creates an MV INTO a target with SETTINGS after the SELECT, and changes its query in place", async () => {
    await ok(`CREATE STREAM ${target2} (cid string, speed float32)`);
    await ok(`CREATE MATERIALIZED VIEW ${mv} INTO ${target2} AS SELECT cid, speed FROM ${stream} SETTINGS checkpoint_interval = 5`);
    expect(((await tableRow(mv, "engine")) as unknown[])[0]).toBe("MaterializedView");
    await ok(`ALTER VIEW ${mv} MODIFY QUERY SELECT cid, speed * 2 AS speed FROM ${stream}`);
    expect(String(((await tableRow(mv, "as_select")) as unknown[])[0])).toContain("speed * 2");
    expect(await refusal(`DROP STREAM ${target2}`)).toBe(630);
  });

  it("adds a column in place and refuses DROP COLUMN with 48", async () => {
    await ok(`ALTER STREAM ${stream} ADD COLUMN extra int32`);
    expect(((await ok(`SHOW CREATE ${stream}`)) as string[][])[0]?.[0]).toContain("`extra` int32");
    expect(await refusal(`ALTER STREAM ${stream} DROP COLUMN extra`)).toBe(48);
  });

  it("shows an object created by DDL in GET /streams, and one created by REST in SHOW CREATE", async () => {
    const base = target.rest();
    if (base === undefined) return;
    // With the target's credentials: a real appserver refuses an anonymous list.
    const listed = (await (await fetch(`${base}/streams`, { headers: target.restHeaders })).json()) as {
      name: string;
      description: string;
    }[];
    expect(listed.find((item) => item.name === stream)).toMatchObject({ description: "contract" });
    if (!target.restCreates) return;
    const created = await fetch(`${base}/streams`, {
      method: "POST",
      headers: { "content-type": "application/json", ...target.restHeaders },
      body: JSON.stringify({ name: `${prefix}_rest`, description: "from rest", columns: [{ name: "id", type: "int" }] }),
    });
    expect(created.status).toBe(201);
    const [[statement]] = (await ok(`SHOW CREATE ${prefix}_rest`)) as [[string]];
    expect(statement).toContain("`id` int32");
    expect(statement).toContain("COMMENT 'from rest'");
  });

  it("keeps objects in a database of their own, lists it, and refuses to drop it while something lives in it", async () => {
    const database = `${prefix}_db`;
    await ok(`CREATE DATABASE ${database} COMMENT 'contract'`);
    try {
      await ok(`CREATE RANDOM STREAM ${database}.${prefix}_r (id int32 DEFAULT rand() % 5) SETTINGS eps=1`);
      const [[statement]] = (await ok(`SHOW CREATE STREAM ${database}.${prefix}_r`)) as [[string]];
      expect(statement).toMatch(new RegExp(`^CREATE RANDOM STREAM ${database}\\.${prefix}_r`));
      expect(await ok(`SELECT name FROM system.databases WHERE name = '${database}'`)).toEqual([[database]]);
      expect(await ok(`SELECT engine FROM system.tables WHERE database = '${database}' AND name = '${prefix}_r'`)).toEqual([["Random"]]);
      // The contract tpctl relies on: it drops what it manages first, and never drops a database with CASCADE.
      expect((await target.run(`DROP DATABASE ${database}`)).ok).toBe(false);
      await ok(`DROP STREAM ${database}.${prefix}_r`);
    } finally {
      await target.run(`DROP STREAM IF EXISTS ${database}.${prefix}_r`);
      await target.run(`DROP DATABASE IF EXISTS ${database}`);
    }
    expect(await ok(`SELECT name FROM system.databases WHERE name = '${database}'`)).toEqual([]);
  });

  it("drops in reverse dependency order", async () => {
    await ok(`DROP VIEW ${mv}`);
    await ok(`DROP VIEW ${view}`);
    await ok(`DROP STREAM ${target2}`);
    await ok(`DROP STREAM ${stream}`);
    expect(await tableRow(stream, "name")).toBeUndefined();
  });
});
