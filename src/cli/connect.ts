import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createTimeplusClient, type TimeplusClient } from "../live/client.js";
import { startServer } from "../server/index.js";

export interface Connection {
  readonly client: TimeplusClient;
  /** Where the tool is talking to, safe to print (never credentials). */
  readonly description: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** From the chosen environment of tpctl.yaml; TIMEPLUS_ADDRESS wins. */
  readonly settings?: { readonly address?: string; readonly workspace?: string };
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
  const credentials = {
    ...(nonEmpty(env["TIMEPLUS_USERNAME"]) ? { username: env["TIMEPLUS_USERNAME"] as string } : {}),
    ...(env["TIMEPLUS_PASSWORD"] !== undefined ? { password: env["TIMEPLUS_PASSWORD"] } : {}),
    ...(nonEmpty(env["TIMEPLUS_API_KEY"]) ? { apiKey: env["TIMEPLUS_API_KEY"] as string } : {}),
  };
  if (address) {
    const client = createTimeplusClient({ address, workspace, ...credentials });
    return { client, description: `${address.replace(/\/\/[^/@]*@/, "//")} (workspace ${workspace})`, close: () => client.close() };
  }
  const dataDir = join(options.cwd, ".tpctl", "data");
  await mkdir(dataDir, { recursive: true });
  const server = await startServer({ port: 0, host: "127.0.0.1", dataDir });
  const client = createTimeplusClient({ address: server.url, workspace });
  return {
    client,
    description: `the embedded local workspace in .tpctl/ (workspace ${workspace})`,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
