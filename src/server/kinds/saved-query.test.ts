import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testId } from "../test-utils.js";

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

const AUDIT = {
  created_at: "2025-01-02 03:04:05",
  created_by: { id: "anonymous", name: "anonymous" },
  last_updated_at: "2025-01-02 03:04:05",
  last_updated_by: { id: "anonymous", name: "anonymous" },
};

describe("saved queries", () => {
  it("creates (201), replaces with PUT (200), deletes (204), without checking the SQL", async () => {
    const expected = {
      id: testId(1),
      name: "streaming_iot",
      description: "",
      sql: "select * from iot",
      tags: ["iot"],
      ...AUDIT,
    };
    const created = await t.call("POST", "/savedqueries", { name: "streaming_iot", sql: "select * from iot", tags: ["iot"] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(expected);
    expect((await t.call("GET", `/savedqueries/${testId(1)}`)).body).toEqual(expected);
    expect((await t.call("GET", "/savedqueries")).body).toEqual([expected]);
    expect(await t.call("PUT", `/savedqueries/${testId(1)}`, { name: "renamed", sql: "select 1", description: "d" })).toMatchObject({
      status: 200,
      body: { ...expected, name: "renamed", sql: "select 1", description: "d", tags: [] },
    });
    expect(await t.call("DELETE", `/savedqueries/${testId(1)}`)).toMatchObject({ status: 204 });
    expect(await t.call("GET", `/savedqueries/${testId(1)}`)).toMatchObject({ status: 404 });
  });

  it("needs name and sql, and string tags", async () => {
    expect(await t.call("POST", "/savedqueries", { name: "q" })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "sql" is required' },
    });
    expect(await t.call("POST", "/savedqueries", { name: "q", sql: "select 1", tags: [1] })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "tags[0]" must be a string, not number 1' },
    });
  });
});
