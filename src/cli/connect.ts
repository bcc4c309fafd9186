import { Buffer } from "node:buffer";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Agent, request as sendOn } from "../drivers/undici.js";
import { createTimeplusClient, type TimeplusClient } from "../drivers/http.js";
import { UsageError } from "../errors.js";
import type { ConnectionSettings } from "../manifest/project.js";
import type { PlanTarget } from "../render/target.js";
import type { Driver, TargetDescription } from "../drivers/driver.js";
import { openDriver } from "../drivers/open.js";

export interface Connection {
  readonly client: TimeplusClient;
  /** What plan and apply read and write through: REST or SQL, as --api / TIMEPLUS_API chose (src/drivers/). */
  readonly driver: Driver;
  /** Where the tool is talking to, safe to print (never credentials). */
  readonly description: string;
  /** The deployment by address and `GET /info`, for the "Target:" line every plan starts with. */
  target(): Promise<PlanTarget>;
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
  // What CI gives for an undefined variable: never silently a throwaway local workspace (contract).
  if (env["TIMEPLUS_ADDRESS"] !== undefined && env["TIMEPLUS_ADDRESS"].trim() === "") {
    throw new UsageError(
      "TIMEPLUS_ADDRESS is set but empty; set it to the deployment's URL, or unset it to use the embedded local workspace",
    );
  }
  const address = nonEmpty(env["TIMEPLUS_ADDRESS"]) ?? options.settings?.address;
  const workspace = nonEmpty(env["TIMEPLUS_WORKSPACE"]) ?? options.settings?.workspace ?? "default";
  // An environment of tpctl.yaml names the variables that hold its credentials (never the values);
  // the standard TIMEPLUS_* variables are the fallback.
  const fromEnv = (name: string | undefined, fallback: string): string | undefined => nonEmpty(env[name ?? fallback]);
  const username = fromEnv(options.settings?.usernameEnv, "TIMEPLUS_USERNAME");
  const password = env[options.settings?.passwordEnv ?? "TIMEPLUS_PASSWORD"];
  const apiKey = fromEnv(options.settings?.apiKeyEnv, "TIMEPLUS_API_KEY");
  const credentials = {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
  const driverFor = (client: TimeplusClient, url: string, embedded: boolean) =>
    openDriver({ client, address: url, workspace, ...credentials, ...timeoutFrom(env), apiFlag: options.api, environment: env, embedded });
  if (address) {
    const limits = options.concurrency !== undefined ? { concurrency: options.concurrency } : {};
    const client = createTimeplusClient({ address, workspace, ...credentials, ...limits, ...timeoutFrom(env) });
    const opened = await driverFor(client, address, false).catch(async (error: unknown) => {
      await client.close();
      throw error;
    });
    const printable = printableAddress(address);
    return {
      client,
      driver: opened.driver,
      description: `${printable} (workspace ${workspace})`,
      target: once(async () => withDriver(await readTarget(address, printable, workspace, credentials), opened.driver.target)),
      async close() {
        await opened.close();
        await client.close();
      },
    };
  }
  const dataDir = join(options.cwd, ".tpctl", "data");
  await mkdir(dataDir, { recursive: true });
  // Only now: a remote deployment (and every offline command) never loads the server's code.
  const { startServer } = await import("../server/index.js");
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir });
  const client = createTimeplusClient({
    address: server.url,
    workspace,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
  });
  const opened = await driverFor(client, server.url, true).catch(async (error: unknown) => {
    await client.close();
    await server.close();
    throw error;
  });
  return {
    client,
    driver: opened.driver,
    description: `the embedded local workspace in .tpctl/ (workspace ${workspace})`,
    target: once(async () => withDriver(await readTarget(server.url, null, workspace, {}), opened.driver.target)),
    async close() {
      await opened.close();
      await client.close();
      await server.close();
    },
  };
}

/** The address as it may be printed: no user info, query or fragment (any of them may hold a secret). */
export function printableAddress(address: string): string {
  try {
    const url = new URL(address);
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  } catch {
    return "(an address that is not a URL)";
  }
}

/** The transport is the driver's choice; what /info did not say, the driver's probe may have learned. */
function withDriver(target: PlanTarget, chosen: TargetDescription): PlanTarget {
  return {
    ...target,
    transport: chosen.transport,
    ...(target.product === "unknown" ? { product: chosen.product } : {}),
    ...(target.version === "unknown" && chosen.version !== undefined ? { version: chosen.version } : {}),
  };
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}

const INFO_TIMEOUT_MS = 5_000;

/**
 * Product and version from the un-versioned `GET /info` of later Enterprise builds (and of the
 * built-in server). It only labels the output: a deployment without it, or one that answers 503
 * while its engine is down, is "unknown", never a failure.
 */
async function readTarget(
  address: string,
  printable: string | null,
  workspace: string,
  credentials: { username?: string; password?: string; apiKey?: string },
): Promise<PlanTarget> {
  const unknown: PlanTarget = { address: printable, workspace, product: "unknown", version: "unknown", transport: "rest" };
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return unknown;
  }
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "tpctl" };
  const username = credentials.username ?? (url.username === "" ? undefined : decodeURIComponent(url.username));
  const password = credentials.password ?? (url.password === "" ? undefined : decodeURIComponent(url.password));
  if (username !== undefined) headers["authorization"] = `Basic ${Buffer.from(`${username}:${password ?? ""}`, "utf8").toString("base64")}`;
  if (credentials.apiKey !== undefined) headers["x-api-key"] = credentials.apiKey;
  // Its own agent, closed at once: a pooled socket must not keep the process (or the embedded server) waiting.
  const agent = new Agent({ pipelining: 0 });
  try {
    const response = await sendOn(agent, {
      origin: url.origin,
      path: `${url.pathname.replace(/\/+$/, "")}/info`,
      method: "GET",
      headers,
      signal: AbortSignal.timeout(INFO_TIMEOUT_MS),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return unknown;
    // The seed's Info names the product `product_name` and versions each component (`neutron` is
    // the appserver); older builds of the built-in server said `product` and `version`.
    const body = JSON.parse(text) as { product_name?: unknown; product?: unknown; version?: unknown; neutron?: { version?: unknown } };
    const named = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
    return {
      ...unknown,
      product: named(body.product_name) ?? named(body.product) ?? "Timeplus",
      version: named(body.neutron?.version) ?? named(body.version) ?? "unknown",
    };
  } catch {
    return unknown;
  } finally {
    await agent.close().catch(() => undefined);
  }
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
