import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTree, runCli, type CliResult } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const SECRETS = {
  SINK_PASSWORD: "pw-7f3a9c-sink-secret",
  SLACK_URL: "https://hooks.slack.example/T000/B000/xoxb-alert-secret-41d2",
  UDF_KEY: "udf-key-secret-99e1",
  KAFKA_PASSWORD: "kafka-sasl-secret-5b6c",
};
const ROTATED = "pw-rotated-secret-0c8d";

const MANIFESTS = `kind: stream
name: orders
columns:
  - { name: id, type: string }
  - { name: amount, type: float64 }
---
kind: sink
name: orders_out
type: http
query: SELECT id, amount FROM orders
properties:
  url: https://warehouse.example/ingest
  password: \${secret:SINK_PASSWORD}
---
kind: alert
name: big_order
severity: 3
action: slack
trigger_sql: SELECT id FROM orders WHERE amount > 10000
properties:
  url: \${secret:SLACK_URL}
---
kind: udf
name: score
type: remote
url: https://scoring.example/score
auth_method: auth_header
auth_context: { key_name: X-Key, key_value: "\${secret:UDF_KEY}" }
arguments: [{ name: amount, type: float64 }]
return_type: float64
---
kind: external_stream
name: partner_orders
settings:
  - { key: type, value: kafka }
  - { key: brokers, value: "kafka:9092" }
  - { key: topic, value: orders }
  - { key: sasl_password, value: "\${secret:KAFKA_PASSWORD}" }
columns:
  - { name: id, type: string }
`;

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;
const outputs: { label: string; text: string }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  tree = await makeTree({ "tpctl.yaml": "project: shop\n", "m.yaml": MANIFESTS });
});
afterAll(async () => {
  await server.close();
  await tree.cleanup();
});

async function run(label: string, args: string[], secrets: Record<string, string> = SECRETS): Promise<CliResult> {
  const result = await runCli(args, { cwd: tree.dir, env: { ...server.env, ...secrets } });
  outputs.push({ label: `${label} stdout`, text: result.stdout }, { label: `${label} stderr`, text: result.stderr });
  return result;
}

describe("secrets in a full scenario", () => {
  it("are used, converge, and a changed one shows only as (secret changed: its key)", async () => {
    expect((await run("validate", ["validate"])).code).toBe(0);
    expect((await run("plan", ["plan"])).code).toBe(0);
    expect((await run("plan json", ["plan", "--json"])).code).toBe(0);
    expect((await run("plan markdown", ["plan", "--format", "markdown"])).code).toBe(0);
    expect((await run("plan out", ["plan", "--out", "saved.json"])).code).toBe(0);
    outputs.push({ label: "saved plan file", text: await readFile(join(tree.dir, "saved.json"), "utf8") });
    const applied = await run("apply saved", ["apply", "saved.json"]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);

    const again = await run("plan again", ["plan", "--detailed-exitcode"]);
    expect(again.code).toBe(0);
    expect((await run("drift", ["drift", "--json"])).code).toBe(0);

    const rotated = { ...SECRETS, SINK_PASSWORD: ROTATED };
    const changed = await run("plan rotated", ["plan", "--detailed-exitcode"], rotated);
    expect(changed.code).toBe(2);
    expect(changed.stdout).toContain("properties: (secret changed: password)");
    const changedJson = await run("plan rotated json", ["plan", "--json"], rotated);
    expect(JSON.parse(changedJson.stdout).changes).toEqual([expect.objectContaining({ address: "sink/orders_out", action: "update" })]);
    expect((await run("drift rotated", ["drift", "--format", "markdown"], rotated)).code).toBe(2);
    expect((await run("apply rotated", ["apply", "--auto-approve", "--json"], rotated)).code).toBe(0);
    expect((await run("plan after rotation", ["plan", "--detailed-exitcode"], rotated)).code).toBe(0);

    // A failing run must not leak either: an unset secret is an error at its location.
    const missing = await run("missing secret", ["plan"], { ...SECRETS, UDF_KEY: undefined as unknown as string });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/m\.yaml:\d+:\d+: .*UDF_KEY/);
  });

  it("are not exported or printed although the server returns a UDF's key_value, as the seed documents", async () => {
    // The built-in server returns a remote UDF's key_value, as the seed spec shows: tpctl must not.
    const udf = await fetch(`${server.url}/default/api/v1beta2/udfs/score`).then((response) => response.text());
    expect(udf).toContain(SECRETS.UDF_KEY);
    // Outside the tree, so that later plans do not read the exported manifests.
    const exported = await mkdtemp(join(tmpdir(), "tpctl-export-"));
    expect((await run("export", ["export", "--out", exported])).code).toBe(0);
    for (const file of await readdir(exported, { recursive: true })) {
      const path = join(exported, file);
      if (file.endsWith(".yaml") || file.endsWith(".yml") || file.endsWith(".json") || file.endsWith(".env")) {
        outputs.push({ label: `exported ${file}`, text: await readFile(path, "utf8") });
      }
    }
    await rm(exported, { recursive: true, force: true });
    expect(outputs.some((output) => output.label.startsWith("exported ") && output.text.includes("score"))).toBe(true);
  });

  it("appear in no output and no file the tool wrote", async () => {
    expect(outputs.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const { label, text } of outputs) {
      for (const secret of [...Object.values(SECRETS), ROTATED]) {
        if (text.includes(secret)) leaks.push(`${label} contains ${secret}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
