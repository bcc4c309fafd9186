import { resolve } from "node:path";
import { once } from "node:events";
import { UsageError } from "../../errors.js";
import { startServer } from "../../server/index.js";
import { PROFILES, type Profile } from "../../server/sql/profile.js";
import type { CommandContext, CommandResult } from "../context.js";

/** `tpctl server`: the built-in Timeplus-compatible server in the foreground, until SIGINT/SIGTERM. */
export async function run(context: CommandContext): Promise<CommandResult> {
  const flags = context.flags;
  const number = (flag: string, min: number, max: number): number | undefined => {
    const value = flags[flag];
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new UsageError(`--${flag} must be a number from ${min} to ${max}, not "${String(value)}"`);
    }
    return parsed;
  };
  const username = flags["username"];
  const password = flags["password"];
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError("--username and --password go together");
  }
  const port = number("port", 0, 65535) ?? 8000;
  const latencyMs = number("latency-ms", 0, 600_000);
  const faultRate = number("fault-rate", 0, 1);
  const faultSeed = number("fault-seed", 0, 2 ** 32);
  const apiKey = flags["api-key"];
  const profileFlag = flags["profile"];
  if (profileFlag !== undefined && !(PROFILES as readonly unknown[]).includes(profileFlag)) {
    throw new UsageError(`--profile must be one of ${PROFILES.join(", ")}, not "${String(profileFlag)}"`);
  }
  const profile = (profileFlag ?? "all") as Profile;
  const server = await startServer({
    port,
    host: "127.0.0.1",
    dataDir: resolve(context.io.cwd, typeof flags["data"] === "string" ? flags["data"] : ".tpctl/data"),
    ...(typeof username === "string" && typeof password === "string" ? { username, password } : {}),
    ...(typeof apiKey === "string" ? { apiKey } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(faultRate !== undefined ? { faultRate } : {}),
    ...(faultSeed !== undefined ? { faultSeed } : {}),
    profile,
  });
  const serves = {
    all: `REST API under ${server.url}/default/api/v1beta2, SQL through /exec there and at ${server.url}/`,
    "2024": `REST API under ${server.url}/default/api/v1beta2`,
    "2026": `REST API under ${server.url}/default/api/v1beta2, SQL through ${server.url}/default/api/v1beta2/exec`,
    engine: `engine SQL over HTTP at ${server.url}/`,
  }[profile];
  context.io.stdout(`tpctl server listening on ${server.url} (profile ${profile}: ${serves})\n`);
  await Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
  await server.close();
  return { exitCode: 0 };
}
