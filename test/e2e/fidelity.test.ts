import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// A sample of the SQL corpus (test/corpus), as manifests: written once, then rewritten with only
// formatting differences, then with a real change.
const VIEWS: readonly [string, string][] = [
  [
    "windowed",
    "SELECT window_start, cid, max(speed) AS top FROM tumble(cars, 5s) GROUP BY window_start, cid EMIT AFTER WATERMARK AND DELAY 2s",
  ],
  ["sessions", "SELECT window_start, count() FROM session(cars, 5s, [speed > 10, speed < 5)) GROUP BY window_start"],
  ["ordered", "SELECT cid, speed FROM table(cars) ORDER BY speed DESC NULLS LAST, cid LIMIT 3"],
  ["recent", "SELECT cid FROM cars WHERE _tp_time > now() - INTERVAL 5 MINUTE EMIT ON UPDATE"],
  ["unioned", "(SELECT cid FROM table(cars)) UNION ALL (SELECT cid FROM table(left))"],
];

function manifests(query: (name: string, sql: string) => string, primaryKey = "(cid, region)", type = "int"): string {
  const streams = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
  - { name: speed, type: ${type} }
---
kind: stream
name: left
columns:
  - { name: cid, type: string }
---
kind: stream
name: regions
mode: versioned_kv
primary_key: "${primaryKey}"
columns:
  - { name: cid, type: string }
  - { name: region, type: string }
`;
  return [
    streams,
    ...VIEWS.map(([name, sql]) => `kind: view\nname: ${name}\nquery: |\n  ${query(name, sql).split("\n").join("\n  ")}\n`),
  ].join("---\n");
}

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;

beforeAll(async () => {
  server = await startTestServer();
  tree = await makeTree({ "tpctl.yaml": "project: fidelity\n", "m.yaml": manifests((_, sql) => sql) });
});
afterAll(async () => {
  await server.close();
  await tree.cleanup();
});

const plan = () => runCli(["plan", "--detailed-exitcode"], { cwd: tree.dir, env: server.env });

describe("real Timeplus SQL and shapes, end to end", () => {
  it("applies, then plans no change for formatting variants, the printed primary key and type aliases", async () => {
    const applied = await runCli(["apply", "--auto-approve"], { cwd: tree.dir, env: server.env });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect((await plan()).code).toBe(0);

    const lower = (sql: string) => sql.replace(/\b[A-Z][A-Z_]+\b/g, (word) => word.toLowerCase());
    await tree.write({
      "m.yaml": manifests((_, sql) => `-- ${sql.length} characters\n${lower(sql).replace(/ /g, "\n    ")} ;`, "(cid,region)", "int32"),
    });
    const again = await plan();
    expect(again.stdout).toContain("No changes");
    expect(again.code).toBe(0);
  });

  it("plans a change for a changed interval", async () => {
    await tree.write({
      "m.yaml": manifests((name, sql) => (name === "recent" ? sql.replace("INTERVAL 5 MINUTE", "INTERVAL 6 MINUTE") : sql)),
    });
    const changed = await plan();
    expect(changed.code).toBe(2);
    expect(changed.stdout).toContain("view/recent");
  });
});

describe("misspelt manifest fields", () => {
  it("are refused by tpctl's own schemas before any request, now that the server ignores unknown fields as Timeplus does", async () => {
    const typo = await makeTree({
      "tpctl.yaml": "project: typo\n",
      "m.yaml": "kind: stream\nname: cars\ncolums:\n  - { name: cid, type: string }\n",
    });
    try {
      const before = await fetch(`${server.url}/_server/requests`).then((response) => response.json() as Promise<{ total: number }>);
      for (const command of [["validate"], ["plan"], ["apply", "--auto-approve"]]) {
        const result = await runCli(command, { cwd: typo.dir, env: server.env });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('unknown field "colums" in stream (did you mean "columns"?)');
      }
      const after = await fetch(`${server.url}/_server/requests`).then((response) => response.json() as Promise<{ total: number }>);
      expect(after.total).toBe(before.total);
    } finally {
      await typo.cleanup();
    }
  });
});
