import { describe, expect, it } from "vitest";
import { AUDIT, expectCreatedAndReadBack, serverPerTest, testId } from "../test-utils.js";

const t = serverPerTest();

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
    await expectCreatedAndReadBack(
      t,
      "/savedqueries",
      `/savedqueries/${testId(1)}`,
      { name: "streaming_iot", sql: "select * from iot", tags: ["iot"] },
      expected,
    );
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
