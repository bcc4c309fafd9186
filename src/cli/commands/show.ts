import { UsageError } from "../../errors.js";
import type { CommandContext, CommandResult } from "../context.js";
import { readSavedPlanForShow } from "../saved-plan-file.js";
import { outputFormat } from "../workflow.js";

/** `tpctl show FILE`: a saved plan as it was planned, as text, JSON or Markdown; no workspace is read. */
export async function run(context: CommandContext): Promise<CommandResult> {
  if (context.paths.length !== 1) {
    throw new UsageError(
      `tpctl show takes one FILE, a plan saved with tpctl plan --out FILE${context.paths.length > 1 ? ` (got ${context.paths.length})` : ""}`,
    );
  }
  const file = context.paths[0] as string;
  const format = outputFormat(context);
  const display = await readSavedPlanForShow(context, file);
  if (format === "json") context.io.stdout(`${JSON.stringify(display.json, null, 2)}\n`);
  else if (format === "markdown") context.io.stdout(display.markdown);
  else context.io.stdout(display.text);
  return { exitCode: 0 };
}
