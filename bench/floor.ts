/**
 * The floor under the bound: `node floor.js ORIGIN REQUESTS CONCURRENCY` sends REQUESTS small POSTs
 * with CONCURRENCY in flight through the same undici pool tpctl uses, to a server that does nothing
 * but wait the latency, and prints the wall time in ms. What it takes beyond the bound is what
 * Node's timers and HTTP on loopback cost on this machine, before any work of tpctl or of the
 * built-in server.
 */
import type * as Undici from "../src/drivers/undici.js";

const { Pool, request } = (await import(new URL("../../dist/drivers/undici.js", import.meta.url).href)) as typeof Undici;

const [origin, requests, concurrency] = [process.argv[2] as string, Number(process.argv[3]), Number(process.argv[4])];
const pool = new Pool(origin, { connections: concurrency });
const body = JSON.stringify({ name: "a_view_of_a_typical_name", query: "SELECT cid, speed_kmh FROM cars WHERE speed_kmh > 100" });
let sent = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (sent < requests) {
      sent += 1;
      const response = await request(pool, { origin, path: "/", method: "POST", headers: { "content-type": "application/json" }, body });
      await response.body.text();
    }
  }),
);
process.stdout.write(`${performance.now() - started}\n`);
await pool.close();
