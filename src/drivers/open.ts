import { UsageError } from "../errors.js";
import type { TimeplusClient } from "./http.js";
import { BUILT_IN_PRODUCT, decide, parseApiChoice, probe, type ProbeAnswers } from "./detect.js";
import type { Driver, TargetDescription } from "./driver.js";
import { createRestDriver } from "./rest/driver.js";
import { createSqlDriver } from "./sql/driver.js";
import { engineTransport, execTransport, type SqlTransport } from "./sql/transport.js";

export interface OpenDriverInput {
  /** The REST client of the deployment (also what `/exec` goes through). */
  readonly client: TimeplusClient;
  readonly address: string;
  readonly workspace: string;
  readonly username?: string;
  readonly password?: string;
  readonly apiKey?: string;
  readonly timeoutMs?: number;
  /** The `--api` flag as parsed, if given. */
  readonly apiFlag?: unknown;
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** The embedded built-in server (serves everything): nothing to probe. */
  readonly embedded: boolean;
}

export interface OpenedDriver {
  readonly driver: Driver;
  /** Closes what the driver opened beside the REST client (the engine transport's connections). */
  close(): Promise<void>;
}

/**
 * The driver `--api` / `TIMEPLUS_API` asks for (default auto), after probing the deployment where
 * the choice needs it (drivers/detect.ts). `rest` sends nothing before the first real request.
 */
export async function openDriver(input: OpenDriverInput): Promise<OpenedDriver> {
  const choice = parseApiChoice(input.apiFlag, input.environment["TIMEPLUS_API"]);
  let answers: ProbeAnswers;
  if (input.embedded) {
    // The embedded server is the built-in one with every profile: auto keeps REST, sql uses /exec.
    answers = { info: { product: BUILT_IN_PRODUCT }, engine: { ok: true, version: "" }, exec: { ok: true, version: "" } };
  } else {
    answers = await probe({
      choice,
      client: input.client,
      address: input.address,
      ...(input.username !== undefined ? { username: input.username } : {}),
      ...(input.password !== undefined ? { password: input.password } : {}),
      ...(input.apiKey !== undefined ? { apiKey: input.apiKey } : {}),
      ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
    });
  }
  const decision = decide(choice, answers);
  if ("error" in decision) throw new UsageError(decision.error);
  const target: TargetDescription = {
    address: printable(input.address),
    workspace: input.workspace,
    product: input.embedded ? "the embedded local workspace" : decision.product,
    ...(decision.version !== undefined && decision.version !== "" ? { version: decision.version } : {}),
    transport: decision.transport,
  };
  if (decision.transport === "rest") return { driver: createRestDriver({ client: input.client, target }), close: async () => undefined };
  let transport: SqlTransport;
  if (decision.transport === "exec") {
    transport = execTransport(input.client);
  } else {
    transport = engineTransport({
      address: input.address,
      ...(input.username !== undefined ? { username: input.username } : {}),
      ...(input.password !== undefined ? { password: input.password } : {}),
      ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
    });
  }
  const driver = createSqlDriver({ transport, ...(decision.transport === "exec" ? { rest: input.client } : {}), target });
  return { driver, close: () => transport.close() };
}

/** The address without user info, safe to print. */
function printable(address: string): string {
  try {
    const url = new URL(address);
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  } catch {
    return "the configured address";
  }
}
