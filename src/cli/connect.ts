import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createTimeplusClient, type TimeplusClient } from "../live/client.js";
import { UsageError } from "../errors.js";
import type { ConnectionSettings } from "../manifest/project.js";
import type { Driver } from "../drivers/driver.js";
import { openDriver } from "../drivers/open.js";
import { takeWorkspaceLock } from "./lock.js";

export interface Connection {
  readonly client: TimeplusClient;
  /** What plan and apply read and write through: REST or SQL, as --api / TIMEPLUS_API chose (src/drivers/). */
  readonly driver: Driver;
  /** Where the tool is talking to, safe to print (never credentials). */
  readonly description: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** From the chosen environment of tpctl.yaml; TIMEPLUS_ADDRESS wins. */
  readonly settings?: ConnectionSettings;
  /** The most API calls in flight at once (`--concurrency`); also sizes the connection pool. */
  readonly concurrency?: number;
  /** The `--api` flag, if given. */
  readonly api?: unknown;
}

/**
 * The remote deployment named by TIMEPLUS_ADDRESS, or else the embedded local workspace: the
 * built-in server started in-process on a loopback port with its data under `.tpctl/`, reached
 * over real HTTP exactly like a remote one (contract: "Where it connects").
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const env = options.environment;
  const address = nonEmpty(env["TIMEPLUS_ADDRESS"]) ?? options.settings?.address;
  const workspace = nonEmpty(env["TIMEPLUS_WORKSPACE"]) ?? options.settings?.workspace ?? "default";
  // An environment of tpctl.yaml names the variables that hold its credentials (never the values);
  // the standard TIMEPLUS_* variables are the fallback.
  const fromEnv = (name: string | undefined, fallback: string): string | undefined =>
    nonEmpty(env[name ?? fallback]);
  const username = fromEnv(options.settings?.usernameEnv, "TIMEPLUS_USERNAME");
  const password = env[options.settings?.passwordEnv ?? "TIMEPLUS_PASSWORD"];
  const apiKey = fromEnv(options.settings?.apiKeyEnv, "TIMEPLUS_API_KEY");
  const credentials = {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
  const lock = { take: (channel: Parameters<typeof takeWorkspaceLock>[0], operation: string) => takeWorkspaceLock(channel, env, operation) };
  const driverFor = (client: TimeplusClient, url: string, embedded: boolean) =>
    openDriver({ client, address: url, workspace, ...credentials, ...timeoutFrom(env), apiFlag: options.api, environment: env, embedded, lock });
  if (address) {
    const limits = options.concurrency !== undefined ? { concurrency: options.concurrency } : {};
    const client = createTimeplusClient({ address, workspace, ...credentials, ...limits, ...timeoutFrom(env) });
    const opened = await driverFor(client, address, false).catch(async (error: unknown) => {
      await client.close();
      throw error;
    });
    const close = async (): Promise<void> => {
      await opened.close();
      await client.close();
    };
    return { client, driver: opened.driver, description: `${address.replace(/\/\/[^/@]*@/, "//")} (workspace ${workspace})`, close };
  }
  const dataDir = join(options.cwd, ".tpctl", "data");
  await mkdir(dataDir, { recursive: true });
  // Only now: a remote deployment (and every offline command) never loads the server's code.
  const { startServer } = await import("../server/index.js");
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir });
  const client = createTimeplusClient({ address: server.url, workspace, ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}) });
  const opened = await driverFor(client, server.url, true).catch(async (error: unknown) => {
    await client.close();
    await server.close();
    throw error;
  });
  return {
    client,
    driver: opened.driver,
    description: `the embedded local workspace in .tpctl/ (workspace ${workspace})`,
    async close() {
      await opened.close();
      await client.close();
      await server.close();
    },
  };
}

/** `TPCTL_TIMEOUT_MS`: how long one API call may take (default 30 s); creating an MV on a busy cluster can take longer. */
function timeoutFrom(env: Readonly<Record<string, string | undefined>>): { timeoutMs?: number } {
  const text = nonEmpty(env["TPCTL_TIMEOUT_MS"]);
  if (text === undefined) return {};
  const value = Number(text);
  if (!Number.isInteger(value) || value < 100 || value > 3_600_000) {
    throw new UsageError(`TPCTL_TIMEOUT_MS must be a whole number of milliseconds from 100 to 3600000, not "${text}"`);
  }
  return { timeoutMs: value };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
