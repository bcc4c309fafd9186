import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { apiCall, startTestServer, type TestServer } from "../helpers/server.js";

const manifests = (streamName: string, sinkName: string, previous: { stream?: string; sink?: string } = {}) => `kind: stream
name: ${streamName}
${previous.stream ? `previous_name: ${previous.stream}\n` : ""}columns:
  - { name: id, type: string }
---
kind: sink
name: ${sinkName}
${previous.sink ? `previous_name: ${previous.sink}\n` : ""}type: http
query: SELECT id FROM ${streamName}
properties: { url: "https://example.com/hook" }
`;

let server: TestServer;
let tree: Awaited<ReturnType<typeof makeTree>>;
beforeEach(async () => {
  server = await startTestServer();
  tree = await makeTree({ "tpctl.yaml": "project: r\n", "m.yaml": manifests("events", "events_out") });
});
afterEach(async () => {
  await server.close();
  await tree.cleanup();
});
const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env: server.env });
const sinks = async () => (await apiCall(server, "GET", "/sinks")).body as { id: string; name: string }[];

describe("renames with previous_name", () => {
  it("renames a sink in place, keeping its id", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    const [before] = await sinks();
    await tree.write({ "m.yaml": manifests("events", "events_webhook", { sink: "events_out" }) });
    const plan = JSON.parse((await cli("plan", "--json")).stdout);
    expect(plan.changes).toEqual([
      expect.objectContaining({ address: "sink/events_webhook", action: "update", reason: "renamed from events_out, in place" }),
    ]);
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    expect(await sinks()).toEqual([expect.objectContaining({ id: before?.id, name: "events_webhook" })]);
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("renames a stream by a replace that says what it costs, dropping its reader first", async () => {
    expect((await cli("apply", "--auto-approve")).code).toBe(0);
    await tree.write({ "m.yaml": manifests("clicks", "events_out", { stream: "events" }) });
    const plan = JSON.parse((await cli("plan", "--json")).stdout);
    expect(
      plan.changes.map((c: { action: string; address: string; destructive: boolean }) => [c.action, c.address, c.destructive]),
    ).toEqual([
      ["replace", "sink/events_out", true],
      ["replace", "stream/clicks", true],
    ]);
    expect(plan.changes[1].reason).toContain("renamed from events: a stream is named in its API path, so a rename is a replace");
    expect((await cli("apply", "--auto-approve", "--allow-destroy")).code).toBe(0);
    expect((await apiCall(server, "GET", "/streams/events")).status).toBe(404);
    expect((await apiCall(server, "GET", "/streams/clicks")).status).toBe(200);
    expect((await cli("plan", "--detailed-exitcode")).code).toBe(0);
  });
});
