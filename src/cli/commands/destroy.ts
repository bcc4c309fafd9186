import type { CommandContext, CommandResult } from "../context.js";
import { applyCommand } from "./apply.js";

/** Deletes what the manifests declare, dependents first; the consent rules are apply's. */
export async function run(context: CommandContext): Promise<CommandResult> {
  return applyCommand(context, { mode: "destroy" });
}
