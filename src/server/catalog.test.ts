import { describe, expect, it } from "vitest";
import { startTestServer } from "./test-utils.js";

const stream = (name: string) => ({ name, columns: [{ name: "a", type: "int8" }] });

describe("dependency index", () => {
  it("follows a view's query as it changes, and forgets what was dropped, across a restart", async () => {
    let t = await startTestServer();
    try {
      for (const name of ["s", "t"]) expect((await t.call("POST", "/streams", stream(name))).status).toBe(201);
      await t.call("POST", "/views", { name: "v", query: "SELECT a FROM s" });
      await t.call("POST", "/views", { name: "w", query: "SELECT a FROM s JOIN t ON s.a = t.a" });
      expect((await t.call("DELETE", "/streams/s")).body).toMatchObject({
        code: 630,
        message: "Cannot drop stream 's' because other objects depend on it: view 'v', view 'w'. Drop them first",
      });
      expect((await t.call("PATCH", "/views/v", { query: "SELECT a FROM t" })).status).toBe(204);
      expect((await t.call("DELETE", "/views/w")).status).toBe(204);
      t = await t.restart();
      expect((await t.call("DELETE", "/streams/t")).body).toMatchObject({ code: 630, message: expect.stringContaining("view 'v'. Drop") });
      expect((await t.call("DELETE", "/streams/s")).status).toBe(204);
    } finally {
      await t.close();
    }
  });
});
