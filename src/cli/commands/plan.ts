import type { CommandContext, CommandResult } from "../context.js";
import { planWorkspace, renderPlanFor } from "../workflow.js";

export async function run(context: CommandContext): Promise<CommandResult> {
  const { plan, connection } = await planWorkspace(context);
  await connection.close();
  context.io.stdout(renderPlanFor(context, plan));
  const changed = plan.changes.length > 0;
  return { exitCode: context.flags["detailed-exitcode"] && changed ? 2 : 0 };
}
