import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli, type CliResult } from "../helpers/cli.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

const MANIFESTS = {
  "tpctl.yaml": "project: nightly\n",
  "streams.yaml": `kind: stream
name: cars
columns:
  - { name: cid, type: string }
  - { name: speed_kmh, type: float32 }
`,
  "views.yaml": `kind: view
name: fast_cars
query: SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 100
---
kind: view
name: slow_cars
query: SELECT cid FROM cars WHERE speed_kmh < 10
`,
  "retired.yaml": `kind: view
name: retired_view
query: SELECT cid FROM cars
`,
};

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;

beforeEach(async () => {
  server = await startTestServer();
  tree = await makeTree(MANIFESTS);
});
afterEach(async () => {
  await server.close();
  await tree.cleanup();
});

/** Requests other than GET that the server has served: drift must never add one. */
async function writesServed(): Promise<Record<string, number>> {
  const response = await fetch(`${server.url}/_server/requests`);
  const { by_route: byRoute } = (await response.json()) as { by_route: Record<string, number> };
  return Object.fromEntries(Object.entries(byRoute).filter(([route]) => !route.startsWith("GET ")));
}

async function drift(...args: string[]): Promise<CliResult> {
  const before = await writesServed();
  const result = await runCli(["drift", ...args], { cwd: tree.dir, env: server.env });
  expect(await writesServed()).toEqual(before);
  return result;
}

describe("tpctl drift", () => {
  it("exits 0 without drift and 2 after changes made outside tpctl, and only reads", async () => {
    const applied = await runCli(["apply", "--auto-approve"], { cwd: tree.dir, env: server.env });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);

    // Someone else's stream: listed apart, and drift only with --fail-on-unmanaged.
    expect((await apiCall(server, "POST", "/streams", { name: "hand_made", columns: [{ name: "x", type: "int32" }] })).status).toBe(201);
    const calm = await drift();
    expect(calm.stderr).toBe("");
    // The first line names what was compared; the port is the test server's own.
    expect(calm.stdout.replace(/127\.0\.0\.1:\d+/, "127.0.0.1:PORT")).toMatchInlineSnapshot(`
      "Target: http://127.0.0.1:PORT · workspace default · tpctl built-in server 0.1.0 · REST API v1beta2

      Unmanaged (not created by this project; not counted as drift):
        stream/hand_made

      No drift: the live workspace matches the manifests. 1 unmanaged, not counted as drift.
      "
    `);
    expect(calm.code).toBe(0);
    const strict = await drift("--fail-on-unmanaged", "--json");
    expect(JSON.parse(strict.stdout).summary).toEqual({ changed: 0, missing: 0, orphaned: 0, unmanaged: 1 });
    expect(strict.code).toBe(2);

    // Out of band: a query edited, a stream's reader dropped, and a manifest deleted after apply.
    const edited = "SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 150";
    expect((await apiCall(server, "PATCH", "/views/fast_cars", { query: edited })).status).toBe(204);
    expect((await apiCall(server, "DELETE", "/views/slow_cars")).status).toBe(204);
    await tree.remove("retired.yaml");

    const json = await drift("--json");
    expect(json.stderr).toBe("");
    const { target, ...document } = JSON.parse(json.stdout);
    expect(target).toEqual({
      address: server.url,
      description: server.url,
      environment: null,
      product: "tpctl built-in server",
      transport: "rest",
      version: "0.1.0",
      workspace: "default",
    });
    expect(document).toEqual({
      format_version: "1",
      drift: [
        {
          kind: "view",
          name: "fast_cars",
          address: "view/fast_cars",
          status: "changed",
          fields: [
            {
              field: "query",
              before: "SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 100",
              after: edited,
              secret: false,
            },
          ],
        },
        { kind: "view", name: "retired_view", address: "view/retired_view", status: "orphaned", fields: [] },
        { kind: "view", name: "slow_cars", address: "view/slow_cars", status: "missing", fields: [] },
      ],
      unmanaged: ["stream/hand_made"],
      summary: { changed: 1, missing: 1, orphaned: 1, unmanaged: 1 },
    });
    expect(json.code).toBe(2);

    const markdown = await drift("--format", "markdown");
    expect(markdown.stdout.replace(/127\.0\.0\.1:\d+/, "127.0.0.1:PORT")).toMatchInlineSnapshot(`
      "## tpctl drift

      **Target:** \`http://127.0.0.1:PORT\` · workspace \`default\` · tpctl built-in server 0.1.0 · REST API v1beta2

      **Drift: 1 changed, 1 missing, 1 orphaned. 1 unmanaged, not counted as drift.**

      | changed | missing | orphaned | unmanaged |
      | ---: | ---: | ---: | ---: |
      | 1 | 1 | 1 | 1 |

      _Diffs: - as declared in the manifests, + as live in the workspace._

      ### changed \`view/fast_cars\`

      <details><summary><code>query</code></summary>

      \`\`\`diff
      -SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 100
      +SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 150
      \`\`\`

      </details>

      ### orphaned \`view/retired_view\`

      Created by project \`nightly\` but no longer declared in the manifests.

      ### missing \`view/slow_cars\`

      Declared in the manifests but not in the workspace.

      ### Unmanaged (not created by this project; not counted as drift): 1

      - \`stream/hand_made\`
      "
    `);
    expect(markdown.code).toBe(2);

    const wrong = await drift("--format", "yaml");
    expect(wrong.stderr).toBe('Error: --format must be text, json or markdown, not "yaml"\n');
    expect(wrong.code).toBe(1);
  });
});
