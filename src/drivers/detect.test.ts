import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { BUILT_IN_PRODUCT, decide, parseApiChoice, probe, type ProbeAnswers } from "./detect.js";

describe("--api and TIMEPLUS_API", () => {
  it("defaults to auto, and the flag wins over the variable", () => {
    expect(parseApiChoice(undefined, undefined)).toBe("auto");
    expect(parseApiChoice(undefined, "")).toBe("auto");
    expect(parseApiChoice(undefined, "sql")).toBe("sql");
    expect(parseApiChoice("rest", "sql")).toBe("rest");
  });

  it("names the bad value and where it came from", () => {
    expect(() => parseApiChoice("graphql", undefined)).toThrow('--api must be rest, sql or auto, not "graphql"');
    expect(() => parseApiChoice(undefined, "SQL")).toThrow('TIMEPLUS_API must be rest, sql or auto, not "SQL"');
  });
});

const enterprise: ProbeAnswers = { info: { product: "Timeplus Enterprise", version: "3.3.1" }, exec: { ok: true, version: "3.3.1" } };
const builtInAll: ProbeAnswers = { info: { product: BUILT_IN_PRODUCT, version: "0.1.0" }, engine: { ok: true, version: "3.0.0-tpctl" } };
const builtIn2026: ProbeAnswers = {
  info: { product: BUILT_IN_PRODUCT, version: "0.1.0" },
  engine: { ok: false },
  exec: { ok: true, version: "3.0.0-tpctl" },
};
const builtIn2024: ProbeAnswers = {
  info: { product: BUILT_IN_PRODUCT, version: "0.1.0" },
  engine: { ok: false },
  exec: { ok: false, status: 404 },
};
const bareEngine: ProbeAnswers = { engine: { ok: true, version: "3.0.1" } };
const oldAppserver: ProbeAnswers = { engine: { ok: false } };

describe("what auto and sql pick from the probes' answers", () => {
  it("speaks SQL through /exec to an appserver that has it", () => {
    expect(decide("auto", enterprise)).toEqual({ transport: "exec", product: "Timeplus Enterprise", version: "3.3.1" });
    expect(decide("sql", enterprise)).toMatchObject({ transport: "exec" });
    expect(decide("rest", enterprise)).toMatchObject({ transport: "rest" });
  });

  it("keeps REST on the built-in server's default profile unless sql is asked for", () => {
    expect(decide("auto", builtInAll)).toMatchObject({ transport: "rest", product: "the tpctl built-in server" });
    expect(decide("sql", builtInAll)).toMatchObject({ transport: "exec" });
  });

  it("uses /exec on the built-in 2026 profile and REST on 2024", () => {
    expect(decide("auto", builtIn2026)).toMatchObject({ transport: "exec", version: "3.0.0-tpctl" });
    expect(decide("auto", builtIn2024)).toMatchObject({ transport: "rest" });
    expect(decide("sql", builtIn2024)).toEqual({ error: expect.stringContaining("--api sql needs a SQL path") });
  });

  it("uses the engine's interface where there is no appserver", () => {
    expect(decide("auto", bareEngine)).toEqual({ transport: "engine", product: "Timeplus engine", version: "3.0.1" });
    expect(decide("sql", bareEngine)).toMatchObject({ transport: "engine" });
  });

  it("falls back on REST for auto when nothing SQL-like answered", () => {
    expect(decide("auto", oldAppserver)).toMatchObject({ transport: "rest", product: "Timeplus" });
    expect(decide("sql", oldAppserver)).toHaveProperty("error");
  });
});

describe("the probes", () => {
  it("asks /info and the engine together, so that choosing costs one round trip, not two", async () => {
    let infoPending = false;
    let engineAskedWhileInfoPending = false;
    const server = createServer((request, response) => {
      if (request.url === "/info") {
        // Answered once the engine was asked, or after a while: sent one after the other, the
        // engine's question would only come after this answer.
        infoPending = true;
        const answer = (): void => {
          infoPending = false;
          response.writeHead(404).end();
        };
        const timer = setTimeout(answer, 1_000);
        server.once("engine-asked", () => {
          clearTimeout(timer);
          answer();
        });
        return;
      }
      if (request.url?.startsWith("/?query=")) {
        engineAskedWhileInfoPending ||= infoPending;
        server.emit("engine-asked");
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ meta: [{ name: "version", type: "String" }], data: [["1.6.12"]] }));
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = { request: () => Promise.reject(new Error("/exec is not needed when the engine answered")) };
      const answers = await probe({ choice: "auto", client, address: `http://127.0.0.1:${port}` });
      expect(answers).toEqual({ engine: { ok: true, version: "1.6.12" } });
      expect(engineAskedWhileInfoPending).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
