import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/index.js";
import type { Profile } from "../../src/server/sql/profile.js";
import { makeTree, runCli, type CliResult } from "../helpers/cli.js";

/**
 * The SQL driver end to end: the real CLI against the built-in server in each profile it can serve
 * (`tpctl server --profile`), started here on port 0 since startTestServer serves the default.
 */
interface ProfileServer {
  readonly url: string;
  readonly env: Record<string, string>;
  requests(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(profile: Profile, auth: { username?: string; password?: string } = {}): Promise<ProfileServer> {
  const dataDir = await mkdtemp(join(tmpdir(), `tpctl-${profile}-`));
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir, profile, ...auth });
  cleanups.push(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    url: server.url,
    env: { TIMEPLUS_ADDRESS: server.url },
    async requests() {
      const response = await fetch(`${server.url}/_server/requests`);
      if (response.status !== 200) return {};
      return ((await response.json()) as { by_route: Record<string, number> }).by_route;
    },
    close: () => server.close(),
  };
}

async function folder(files: Record<string, string> = {}): Promise<string> {
  const tree = await makeTree(files);
  cleanups.push(() => tree.cleanup());
  return tree.dir;
}

async function examplesFolder(filter?: (file: string) => boolean): Promise<string> {
  const dir = await folder();
  await cp(resolve("examples"), dir, { recursive: true, filter: (source) => (filter ? filter(source) : true) });
  return dir;
}

const APPSERVER_KINDS = new Set(["source", "sink", "alert", "dashboard", "saved_query"]);

/** examples/ without the documents of the appserver's own kinds: what a bare engine can hold. */
async function engineExamplesFolder(): Promise<string> {
  const dir = await examplesFolder();
  for (const file of await readdir(dir)) {
    if (!file.endsWith(".yaml") || file === "tpctl.yaml") continue;
    const documents = (await readFile(join(dir, file), "utf8")).split(/^---$/m);
    const kept = documents.filter((document) => !APPSERVER_KINDS.has(/^kind:\s*(\w+)/m.exec(document)?.[1] ?? ""));
    await writeFile(join(dir, file), kept.join("---"));
  }
  return dir;
}

/** Sends one statement to the engine's HTTP interface and returns its JSONCompact rows. */
async function engineRows(server: ProfileServer, sql: string): Promise<unknown[][]> {
  const response = await fetch(`${server.url}/?default_format=JSONCompact`, { method: "POST", body: sql });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: unknown[][] }).data;
}

function cli(dir: string, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: dir, env });
}

/** The plan's changes as `action address`, for comparing plans made through different drivers. */
function changesOf(result: CliResult): string[] {
  const plan = JSON.parse(result.stdout) as { changes: { action: string; address: string }[] };
  return plan.changes.map((change) => `${change.action} ${change.address}`).sort();
}

/** Applies with `args`, and expects it to succeed with nothing on stderr. */
async function expectApplied(dir: string, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const applied = await cli(dir, env, "apply", ...args, "--auto-approve");
  expect(applied.stderr).toBe("");
  expect(applied.code).toBe(0);
  return applied;
}

/** Plans with `args` and expects no changes (exit 0 with --detailed-exitcode). */
async function expectNoChanges(dir: string, env: Record<string, string>, ...args: string[]): Promise<void> {
  const planned = await cli(dir, env, "plan", ...args, "--detailed-exitcode");
  expect(planned.stderr).toBe("");
  expect(planned.stdout).toContain("No changes");
  expect(planned.code).toBe(0);
}

describe("the SQL driver", () => {
  it("applies examples/ through /exec on the 2026 profile (REST for the appserver's kinds) and converges", async () => {
    const server = await serve("2026");
    const dir = await examplesFolder();
    await expectApplied(dir, server.env, "--api", "sql");
    const again = await cli(dir, server.env, "plan", "--api", "sql", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
    const routes = await server.requests();
    expect(Object.keys(routes).filter((route) => route.startsWith("POST ") && route.endsWith("/exec"))).toHaveLength(1);
    // Dependencies come from system.tables and the SQL: the largest answer of all is never asked.
    expect(routes["GET /default/api/v1beta2/topology"]).toBeUndefined();
    // auto finds /exec and takes the same path.
    const auto = await cli(dir, server.env, "plan", "--detailed-exitcode");
    expect(auto.code).toBe(0);
    // destroy removes it all, dependents first, each kind through its own path.
    const destroyed = await cli(dir, server.env, "destroy", "--auto-approve");
    expect(destroyed.stderr).toBe("");
    expect(destroyed.code).toBe(0);
    for (const collection of ["streams", "views", "udfs", "schemas", "sinks", "dashboards"]) {
      // The lock's highest generation always stays (docs/locking.md); nothing else does.
      const left = (await (await fetch(`${server.url}/default/api/v1beta2/${collection}`)).json()) as { name: string }[];
      expect(
        left.filter((item) => !item.name.startsWith("tpctl_lock")),
        collection,
      ).toEqual([]);
    }
  });

  it("applies a workspace with --api rest, then plans it with --api sql: no changes", async () => {
    const server = await serve("all");
    const dir = await examplesFolder();
    await expectApplied(dir, server.env, "--api", "rest");
    // auto keeps REST on the built-in server's default profile: it sends nothing but GETs to plan.
    const before = await server.requests();
    const auto = await cli(dir, server.env, "plan", "--detailed-exitcode");
    expect(auto.code).toBe(0);
    const after = await server.requests();
    expect(Object.keys(after).filter((route) => !route.startsWith("GET ") && after[route] !== before[route])).toEqual([]);
    await expectNoChanges(dir, server.env, "--api", "sql");
  });

  it("applies a workspace with --api sql, then plans it with --api rest: no changes (a UDF's body carries its description)", async () => {
    const server = await serve("all");
    const dir = await examplesFolder();
    await expectApplied(dir, server.env, "--api", "sql");
    await expectNoChanges(dir, server.env, "--api", "rest");
  });

  it("applies the engine objects of examples/ on the engine profile and converges", async () => {
    const server = await serve("engine");
    const dir = await engineExamplesFolder();
    const applied = await cli(dir, server.env, "apply", "--auto-approve", "--json");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const names = (await engineRows(server, "SELECT name FROM system.tables WHERE database = 'default' ORDER BY name")).map(
      (row) => row[0],
    );
    expect(names).toEqual(
      expect.arrayContaining([
        "car_live_data",
        "car_speed_per_minute",
        "car_speed_per_minute_mv",
        "fast_cars",
        "fleet_register",
        "partner_car_events",
      ]),
    );
    expect(names).not.toContain("tpctl_lock");
    const again = await cli(dir, server.env, "plan", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
    // A change in place goes through ALTER and converges too.
    const streams = join(dir, "streams.yaml");
    await writeFile(streams, (await readFile(streams, "utf8")).replace("live telemetry from every car", "telemetry of every car"));
    const updated = await cli(dir, server.env, "apply", "--auto-approve");
    expect(updated.stdout).toContain("~ stream/car_live_data");
    expect(updated.code).toBe(0);
    expect((await cli(dir, server.env, "plan", "--detailed-exitcode")).code).toBe(0);
    // destroy removes it all, dependents first.
    const destroyed = await cli(dir, server.env, "destroy", "--auto-approve");
    expect(destroyed.code).toBe(0);
    // The lock's highest generation always stays (docs/locking.md); nothing else does.
    const left = await engineRows(server, "SELECT name FROM system.tables WHERE database = 'default'");
    expect(left.filter((row) => !String(row[0]).startsWith("tpctl_lock"))).toEqual([]);
  });

  it.each(["engine", "2026"] as const)(
    "applies examples-engine/, the README's engine example, on the %s profile and converges",
    async (profile) => {
      const server = await serve(profile);
      const dir = await folder();
      await cp(resolve("examples-engine"), dir, { recursive: true });
      const applied = await cli(dir, server.env, "apply", "--auto-approve");
      expect(applied.stderr).toBe("");
      expect(applied.stdout).toContain("Apply complete: 6 applied, 0 failed, 0 not attempted.");
      const again = await cli(dir, server.env, "plan", "--detailed-exitcode");
      expect(again.stdout).toContain("No changes");
      expect(again.code).toBe(0);
    },
  );

  it("gives the same plan for the same manifests on every path", async () => {
    const dir = await examplesFolder();
    const rest2024 = await serve("2024");
    const exec2026 = await serve("2026");
    const all = await serve("all");
    const viaRest = await cli(dir, rest2024.env, "plan", "--json");
    const viaExec = await cli(dir, exec2026.env, "plan", "--json", "--api", "sql");
    const viaAuto = await cli(dir, all.env, "plan", "--json");
    expect(viaRest.code).toBe(0);
    expect(changesOf(viaRest)).toHaveLength(13);
    expect(changesOf(viaExec)).toEqual(changesOf(viaRest));
    expect(changesOf(viaAuto)).toEqual(changesOf(viaRest));

    const engineDir = await engineExamplesFolder();
    const engine = await serve("engine");
    const onEngine = await cli(engineDir, engine.env, "plan", "--json");
    const onRest = await cli(engineDir, rest2024.env, "plan", "--json");
    expect(onEngine.code).toBe(0);
    expect(changesOf(onEngine)).toEqual(changesOf(onRest));
    expect(changesOf(onEngine)).toHaveLength(8);
  });

  it("refuses a manifest declaring a dashboard against a bare engine before anything changes", async () => {
    const server = await serve("engine");
    const dir = await folder({
      "tpctl.yaml": "project: fleet\n",
      "all.yaml": "kind: stream\nname: cars\ncolumns:\n  - { name: cid, type: string }\n---\nkind: dashboard\nname: fleet\npanels: []\n",
    });
    for (const args of [["plan"], ["apply", "--auto-approve"]]) {
      const result = await cli(dir, server.env, ...args);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("dashboard/fleet is a dashboard, which exists only in the Timeplus appserver");
      expect(result.stderr).toContain("Nothing was changed");
    }
    expect(await engineRows(server, "SELECT name FROM system.tables WHERE database = 'default'")).toEqual([]);
  });

  it("refuses, with the plan and before anything changes, a change that cannot be written as one DDL statement", async () => {
    const server = await serve("engine");
    // The engine reads `//` as a line comment, so the `;` after it would end the statement there.
    const dir = await folder({
      "tpctl.yaml": "project: fleet\n",
      "all.yaml":
        "kind: stream\nname: cars\ncolumns:\n  - { name: cid, type: string }\n---\nkind: view\nname: v\nquery: \"SELECT 1 // '\\n; DROP STREAM cars; --'\"\n",
    });
    for (const args of [["plan"], ["apply", "--auto-approve"]]) {
      const result = await cli(dir, server.env, ...args);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("so tpctl cannot create it over SQL; nothing was changed");
    }
    expect(await engineRows(server, "SELECT name FROM system.tables WHERE database = 'default' AND name NOT LIKE 'tpctl%'")).toEqual([]);
  });

  it("drift over SQL only reads, and tpctl unlock clears a lock taken over SQL", async () => {
    const server = await serve("engine");
    const dir = await engineExamplesFolder();
    expect((await cli(dir, server.env, "apply", "--auto-approve")).code).toBe(0);
    const drift = await cli(dir, server.env, "drift");
    expect(drift.stdout).toContain("No drift");
    expect(drift.code).toBe(0);

    // Someone else holds the lock: the next generation of the lock's views, whose comment says who.
    const generations = (await engineRows(server, "SELECT name FROM system.tables WHERE database = 'default'"))
      .map((row) => String(row[0]))
      .filter((name) => name.startsWith("tpctl_lock"))
      .map((name) => (name === "tpctl_lock" ? 0 : Number(name.slice("tpctl_lock_".length))));
    const next = Math.max(0, ...generations) + 1;
    const holder = JSON.stringify({
      holder: "ci@runner",
      token: "other-run",
      since: "2026-12-01T09:00:00.000Z",
      expires: "2999-01-01T00:00:00.000Z",
      operation: "apply",
    });
    const taken = await fetch(`${server.url}/`, {
      method: "POST",
      body: `CREATE VIEW tpctl_lock_${next} AS SELECT 1 AS locked COMMENT '${holder}'`,
    });
    expect(taken.status).toBe(200);
    const blocked = await cli(dir, server.env, "apply", "--auto-approve");
    // A held lock is a safety refusal (exit 3), naming the holder.
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toContain("the workspace is locked by ci@runner");
    const unlocked = await cli(dir, server.env, "unlock");
    expect(unlocked.code).toBe(0);
    expect((await cli(dir, server.env, "apply", "--auto-approve")).code).toBe(0);
  });

  it("refuses an unknown --api and TIMEPLUS_API", async () => {
    const server = await serve("all");
    const dir = await folder({ "tpctl.yaml": "project: p\n" });
    const flag = await cli(dir, server.env, "plan", "--api", "graphql");
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('--api must be rest, sql or auto, not "graphql"');
    const variable = await cli(dir, { ...server.env, TIMEPLUS_API: "soap" }, "plan");
    expect(variable.stderr).toContain('TIMEPLUS_API must be rest, sql or auto, not "soap"');
  });

  it("says that --api sql has no SQL path on the 2024 REST API", async () => {
    const server = await serve("2024");
    const dir = await folder({ "tpctl.yaml": "project: p\n" });
    const result = await cli(dir, server.env, "plan", "--api", "sql");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--api sql needs a SQL path");
  });

  it("keeps secrets out of every output over SQL, and notices a rotated one through the COMMENT's fingerprint", async () => {
    const server = await serve("engine");
    const secret = "kafka-sasl-secret-it's-5b6c";
    const dir = await folder({
      "tpctl.yaml": "project: fleet\n",
      "partner.yaml": [
        "kind: external_stream",
        "name: partner_orders",
        "settings:",
        "  - { key: type, value: kafka }",
        '  - { key: brokers, value: "kafka:9092" }',
        "  - { key: topic, value: orders }",
        '  - { key: sasl_password, value: "${secret:KAFKA_PASSWORD}" }',
        "columns:",
        "  - { name: id, type: string }",
        "",
      ].join("\n"),
    });
    const env = { ...server.env, KAFKA_PASSWORD: secret };
    const out = await folder();
    const runs = [
      await cli(dir, env, "apply", "--auto-approve"),
      await cli(dir, env, "plan", "--json"),
      await cli(dir, env, "plan", "--detailed-exitcode"),
      await cli(dir, env, "drift", "--json"),
      await cli(dir, env, "export", "--out", join(out, "exported"), "--project", "fleet"),
    ];
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0, 0]);
    for (const run of runs) expect(`${run.stdout}${run.stderr}`).not.toContain("5b6c");
    const files = await readdir(join(out, "exported"), { recursive: true });
    const exported = (
      await Promise.all(files.filter((file) => file.endsWith(".yaml")).map((file) => readFile(join(out, "exported", file), "utf8")))
    ).join("\n");
    expect(exported).toContain("partner_orders");
    expect(exported).not.toContain("5b6c");

    const rotated = await cli(dir, { ...env, KAFKA_PASSWORD: "rotated-0c8d" }, "plan", "--detailed-exitcode");
    expect(rotated.code).toBe(2);
    expect(rotated.stdout).toContain("external_stream/partner_orders");
    expect(rotated.stdout).not.toContain("0c8d");
  });

  it("shows the exact statements it will send in every rendering of a plan, secrets masked", async () => {
    const server = await serve("2026");
    const secret = "kafka-sasl-secret-e1f7";
    const dir = await folder({
      "partner.yaml": [
        "kind: external_stream",
        "name: partner_orders",
        "settings:",
        "  - { key: type, value: kafka }",
        '  - { key: brokers, value: "kafka:9092" }',
        "  - { key: topic, value: orders }",
        '  - { key: sasl_password, value: "${secret:KAFKA_PASSWORD}" }',
        "---",
        "kind: view",
        "name: recent",
        "query: SELECT * FROM partner_orders",
        "",
      ].join("\n"),
    });
    const env = { ...server.env, KAFKA_PASSWORD: secret };
    const json = await cli(dir, env, "plan", "--json");
    expect(json.code).toBe(0);
    const changes = (JSON.parse(json.stdout) as { changes: { address: string; statements?: string[] }[] }).changes;
    const statements = Object.fromEntries(changes.map((change) => [change.address, change.statements]));
    expect(statements["view/recent"]).toEqual([expect.stringMatching(/^CREATE VIEW `recent` AS\nSELECT \* FROM partner_orders/)]);
    expect(statements["external_stream/partner_orders"]?.[0]).toMatch(/^CREATE EXTERNAL STREAM `partner_orders`/);
    expect(statements["external_stream/partner_orders"]?.[0]).toContain("sasl_password = '***'");
    const text = await cli(dir, env, "plan");
    expect(text.stdout).toContain("SQL:");
    expect(text.stdout).toContain("CREATE VIEW `recent` AS");
    const markdown = await cli(dir, env, "plan", "--format", "markdown");
    expect(markdown.stdout).toContain("```sql");
    for (const run of [json, text, markdown]) expect(`${run.stdout}${run.stderr}`).not.toContain("e1f7");

    // Over REST nothing is SQL, so no change carries statements.
    const rest = await cli(dir, env, "plan", "--json", "--api", "rest");
    expect((JSON.parse(rest.stdout) as { changes: Record<string, unknown>[] }).changes.every((change) => !("statements" in change))).toBe(
      true,
    );
  });

  it("sends the credentials each transport takes, and reports a refused password without echoing it", async () => {
    const password = "pw-it's-9d3e";
    const dir = await engineExamplesFolder();
    for (const profile of ["engine", "2026"] as const) {
      const server = await serve(profile, { username: "admin", password });
      const good = await cli(
        dir,
        { ...server.env, TIMEPLUS_USERNAME: "admin", TIMEPLUS_PASSWORD: password },
        "apply",
        "--auto-approve",
        "--api",
        "sql",
      );
      expect(good.stderr).toBe("");
      expect(good.code).toBe(0);
      const bad = await cli(dir, { ...server.env, TIMEPLUS_USERNAME: "admin", TIMEPLUS_PASSWORD: "wrong-7a1b" }, "plan", "--api", "sql");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(profile === "engine" ? /code 516/ : /HTTP 401/);
      expect(`${good.stdout}${bad.stdout}${bad.stderr}`).not.toMatch(/9d3e|7a1b/);
    }
  });
});
