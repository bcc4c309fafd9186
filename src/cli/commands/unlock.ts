import { connect } from "../connect.js";
import type { CommandContext, CommandResult } from "../context.js";
import { forceRelease, readLock } from "../lock.js";

/** Clears a workspace lock left by a run that was killed (its lease would end by itself within about a minute). */
export async function run(context: CommandContext): Promise<CommandResult> {
  const connection = await connect({ environment: context.io.environment, cwd: context.io.cwd, api: context.flags["api"] });
  try {
    const held = await readLock(connection.driver.lockChannel);
    if (!held || held.released) {
      context.io.stdout("The workspace is not locked.\n");
      return { exitCode: 0 };
    }
    await forceRelease(connection.driver.lockChannel, held);
    context.io.stdout(`Cleared the lock held by ${held.holder} since ${held.since} (${held.operation}).\n`);
    return { exitCode: 0 };
  } finally {
    await connection.close();
  }
}
