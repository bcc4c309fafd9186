import { createRequire } from "node:module";
import type { Agent as UndiciAgent, Dispatcher, Pool as UndiciPool } from "undici";

/**
 * The parts of undici tpctl uses, loaded by themselves. undici's index loads every part of it
 * (fetch, WebSocket, EventSource, the mock and snapshot agents, the caches, the interceptors):
 * about 130 ms at the start of every command that connects, where the connection pools and
 * `request` take about 40 ms. undici 7 publishes no `exports` map, so these files are what its own
 * index requires; `src/drivers/undici.test.ts` fails if an upgrade moves them.
 */
const load = createRequire(import.meta.url);

export const Agent = load("undici/lib/dispatcher/agent.js") as typeof UndiciAgent;
export type Agent = UndiciAgent;
export const Pool = load("undici/lib/dispatcher/pool.js") as typeof UndiciPool;
export type Pool = UndiciPool;
export type { Dispatcher };

const requestOn = load("undici/lib/api/api-request.js") as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/** `dispatcher.request(options)`, without the index that adds `request` to every dispatcher. */
export function request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return requestOn.call(dispatcher, options);
}
