import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

let dev: TestServer;
let prod: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;

beforeEach(async () => {
  [dev, prod] = await Promise.all([startTestServer(), startTestServer()]);
  tree = await makeTree({
    "tpctl.yaml": `project: fleet
variables:
  retention_ms: { type: number, default: 3600000 }
  threshold: { type: number, default: 100 }
environments:
  dev:
    address: ${dev.url}
  prod:
    address: ${prod.url}
    variables: { retention_ms: 604800000, threshold: 120 }
    overrides:
      - { kind: stream, name: events, set: { lifecycle: { prevent_destroy: true } } }
`,
    "events.yaml": `kind: stream
name: events
columns:
  - { name: id, type: string }
  - { name: speed, type: float32 }
logstore_retention_ms: \${var.retention_ms}
---
kind: view
name: fast
query: SELECT id FROM events WHERE speed > \${var.threshold}
`,
  });
});
afterEach(async () => {
  await Promise.all([dev.close(), prod.close()]);
  await tree.cleanup();
});

const cli = (...args: string[]) => runCli(args, { cwd: tree.dir });

describe("one set of manifests, many workspaces", () => {
  it("applies each environment with its own values and converges in each", async () => {
    expect((await cli("apply", "--env", "dev", "--auto-approve")).code).toBe(0);
    expect((await cli("apply", "--env", "prod", "--auto-approve")).code).toBe(0);

    expect((await apiCall(dev, "GET", "/streams/events")).body).toMatchObject({ logstore_retention_ms: 3600000 });
    expect((await apiCall(prod, "GET", "/streams/events")).body).toMatchObject({ logstore_retention_ms: 604800000 });
    expect((await apiCall(dev, "GET", "/views/fast")).body).toMatchObject({ query: "SELECT id FROM events WHERE speed > 100" });
    expect((await apiCall(prod, "GET", "/views/fast")).body).toMatchObject({ query: "SELECT id FROM events WHERE speed > 120" });

    expect((await cli("plan", "--env", "dev", "--detailed-exitcode")).code).toBe(0);
    expect((await cli("plan", "--env", "prod", "--detailed-exitcode")).code).toBe(0);
  });

  it("protects per environment: prod refuses to replace the stream, dev does it", async () => {
    expect((await cli("apply", "--env", "dev", "--auto-approve")).code).toBe(0);
    expect((await cli("apply", "--env", "prod", "--auto-approve")).code).toBe(0);
    await tree.write({
      "events.yaml": `kind: stream
name: events
columns:
  - { name: id, type: string }
  - { name: speed, type: float64 }
logstore_retention_ms: \${var.retention_ms}
`,
    });
    const refused = await cli("plan", "--env", "prod");
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("stream/events has lifecycle.prevent_destroy set");
    expect((await cli("plan", "--env", "dev", "--detailed-exitcode")).code).toBe(2);

    const destroyProd = await cli("destroy", "--env", "prod", "--auto-approve");
    expect(destroyProd.code).toBe(3);
    expect(destroyProd.stderr).toContain("stream/events has lifecycle.prevent_destroy set");
    expect((await apiCall(prod, "GET", "/streams/events")).status).toBe(200);
    // The manifests no longer declare view/fast, but the project created it: destroy removes it first.
    const destroyDev = await cli("destroy", "--env", "dev", "--auto-approve");
    expect(destroyDev.stderr).toBe("");
    expect(destroyDev.code).toBe(0);
    expect((await apiCall(dev, "GET", "/views/fast")).status).toBe(404);
    expect((await apiCall(dev, "GET", "/streams/events")).status).toBe(404);
  });

  it("finds an undefined variable and an unset environment variable at their location, offline", async () => {
    await tree.write({
      "more.yaml": `kind: stream
name: more
description: \${var.nope}
columns: [{ name: x, type: "\${env:TPCTL_TEST_UNSET_TYPE}" }]
`,
    });
    const result = await cli("validate", "--env", "dev");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/more\.yaml:3:14: .*nope/);
    expect(result.stderr).toMatch(/more\.yaml:4:\d+: .*TPCTL_TEST_UNSET_TYPE/);
  });
});
