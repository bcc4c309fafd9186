import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MockAgent } from "undici";
import { Agent, Pool, request } from "./undici.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("undici, loaded part by part", () => {
  it("sends a request through its own Agent and reads the answer", async () => {
    const server = createServer((incoming, outgoing) => outgoing.end(`${incoming.method} ${incoming.url}`));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const agent = new Agent({ connections: 1 });
    close = async () => {
      await agent.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    const { port } = server.address() as AddressInfo;
    const response = await request(agent, { origin: `http://127.0.0.1:${port}`, path: "/info?x=1", method: "GET" });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe("GET /info?x=1");
  });

  it("sends a request through a Pool of one origin", async () => {
    const server = createServer((incoming, outgoing) => outgoing.end(`${incoming.method} ${incoming.url}`));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 2 });
    close = async () => {
      await pool.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    const response = await request(pool, { origin: `http://127.0.0.1:${port}`, path: "/streams", method: "POST", body: "{}" });
    expect(await response.body.text()).toBe("POST /streams");
  });

  it("sends through any dispatcher, such as the full package's MockAgent", async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock.get("http://timeplus.test").intercept({ path: "/streams", method: "GET" }).reply(200, "[]");
    close = () => mock.close();
    const response = await request(mock, { origin: "http://timeplus.test", path: "/streams", method: "GET" });
    expect(await response.body.text()).toBe("[]");
  });
});
