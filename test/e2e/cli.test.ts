import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const PROJECT = `project: e2e
variables:
  retention_ms: { type: number, default: 3600000 }
`;
const STREAMS = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
  - { name: speed_kmh, type: float32 }
logstore_retention_ms: \${var.retention_ms}
---
kind: view
name: fast_cars
query: SELECT cid FROM cars WHERE speed_kmh > 100
`;

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;

beforeEach(async () => {
  server = await startTestServer();
  tree = await makeTree({
    "manifests/tpctl.yaml": PROJECT,
    "manifests/streams.yaml": STREAMS,
    "prod.vars.yaml": "retention_ms: 7200000\n",
  });
});
afterEach(async () => {
  await server.close();
  await tree.cleanup();
});

const cli = (command: string, ...args: string[]) => runCli([command, "manifests", ...args], { cwd: tree.dir, env: server.env });
const served = async (): Promise<number> => ((await (await fetch(`${server.url}/_server/requests`)).json()) as { total: number }).total;

describe("the command line a Terraform user expects", () => {
  it("show prints a saved plan as text, JSON and Markdown without reaching the workspace", async () => {
    const planned = await cli("plan", "--out", "plan.json", "--var-file", "prod.vars.yaml", "--var", "retention_ms=60000");
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(0);
    // --var wins over --var-file
    expect(planned.stdout).toContain("logstore_retention_ms: 60000");
    const before = await served();

    // An address nothing listens on: show must not need it.
    const offline = { TIMEPLUS_ADDRESS: "http://127.0.0.1:9" };
    const text = await runCli(["show", "plan.json"], { cwd: tree.dir, env: offline });
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(planned.stdout.replace(/\nSaved this plan to[\s\S]*$/, ""));
    const json = JSON.parse((await runCli(["show", "plan.json", "-json"], { cwd: tree.dir, env: offline })).stdout);
    expect(json.target).toMatchObject({ address: server.url, product: "tpctl built-in server", transport: "rest" });
    expect(json.summary).toEqual({ create: 2, update: 0, replace: 0, delete: 0 });
    const markdown = await runCli(["show", "plan.json", "--format", "markdown"], { cwd: tree.dir, env: offline });
    expect(markdown.stdout).toMatch(/^## tpctl plan\n\n\*\*Target:\*\* `http:\/\/127\.0\.0\.1:\d+`/);
    expect(await served()).toBe(before);

    const missing = await runCli(["show", "nope.json"], { cwd: tree.dir, env: offline });
    expect(missing).toMatchObject({ code: 1, stderr: "Error: cannot read nope.json: no such file\n" });
  });

  it("names the target first and never prints credentials given in the address", async () => {
    const address = server.url.replace("http://", "http://admin:hunter2-in-url@");
    const run = await runCli(["plan", "manifests", "--json"], {
      cwd: tree.dir,
      env: { TIMEPLUS_ADDRESS: `${address}/?token=also-secret` },
    });
    expect(run.code).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/hunter2|also-secret|admin/);
    expect(JSON.parse(run.stdout).target).toEqual({
      address: server.url,
      description: server.url,
      workspace: "default",
      environment: null,
      product: "tpctl built-in server",
      version: "0.1.0",
      transport: "rest",
    });
    const text = await runCli(["plan", "manifests"], { cwd: tree.dir, env: {} });
    expect(text.stdout.split("\n")[0]).toBe(
      "Target: embedded local workspace in .tpctl/ · workspace default · tpctl built-in server 0.1.0 · REST API v1beta2",
    );
  });

  it("--exclude, --replace and --target that match nothing are errors naming the nearest address", async () => {
    const excluded = await cli("plan", "--exclude", "stream/cras");
    expect(excluded.code).toBe(1);
    expect(excluded.stderr).toBe(
      "Error: --exclude stream/cras (did you mean stream/cars?) matches nothing declared in the manifests or live in the workspace; it would change nothing\n",
    );
    const json = await cli("plan", "--target", "view/fast_crs", "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: "USAGE", meta: { flag: "--target", unmatched: ["view/fast_crs"] } });

    const plan = await cli("plan", "--exclude", "stream/cars", "--json");
    expect(JSON.parse(plan.stdout).changes).toEqual([]);
  });

  it("--replace drops and creates an unchanged resource again; -auto-approve and --concurrency still work", async () => {
    expect((await cli("apply", "-auto-approve", "--concurrency", "2")).code).toBe(0);
    const plan = await cli("plan", "--replace", "view/fast_cars", "--json", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(
      JSON.parse(plan.stdout).changes.map((change: { action: string; address: string }) => `${change.action} ${change.address}`),
    ).toEqual(["replace view/fast_cars"]);
    const applied = await cli("apply", "--replace", "view/fast_cars", "--auto-approve", "--parallelism", "1");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });
});
