import { UsageError } from "../../errors.js";
import type { CommandContext, CommandResult } from "../context.js";

export async function run(_context: CommandContext): Promise<CommandResult> {
  throw new UsageError("tpctl export is not available yet");
}
