import { buildDependencyGraph } from "../../plan/dependency-graph.js";
import type { CommandContext, CommandResult } from "../context.js";
import { loadDesired } from "../load-desired.js";

export async function run(context: CommandContext): Promise<CommandResult> {
  const loaded = await loadDesired(context);
  // A dependency cycle can be found offline too; it is an error however the workspace looks.
  buildDependencyGraph(loaded.resources);
  const count = loaded.resources.length;
  if (context.flags["json"]) {
    context.io.stdout(`${JSON.stringify({ valid: true, resources: count, issues: [] }, null, 2)}\n`);
  } else {
    context.io.stdout(`Valid: ${count} resource${count === 1 ? "" : "s"} in project "${loaded.project}".\n`);
  }
  return { exitCode: 0 };
}
