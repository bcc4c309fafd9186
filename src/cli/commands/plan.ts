import { UsageError } from "../../errors.js";
import type { CommandContext, CommandResult } from "../context.js";
import { writeSavedPlan } from "../saved-plan-file.js";
import { planWorkspace, renderPlanFor } from "../workflow.js";
import { renderPlanJson } from "../../render/json.js";
import { renderPlanMarkdown } from "../../render/markdown.js";
import { renderPlanText } from "../../render/text.js";

export async function run(context: CommandContext): Promise<CommandResult> {
  const out = context.flags["out"];
  if (out !== undefined && (typeof out !== "string" || out === "")) throw new UsageError("--out needs a file name");
  const { plan, loaded, live, target, statements, close } = await planWorkspace(context);
  const surroundings = { target, ...(statements ? { statements } : {}) };
  await close();
  if (typeof out === "string") {
    const display = {
      text: renderPlanText(plan, { color: false, ...surroundings }),
      markdown: renderPlanMarkdown(plan, surroundings),
      json: JSON.parse(renderPlanJson(plan, surroundings)) as unknown,
    };
    await writeSavedPlan(context, out, plan, { project: loaded.project, desired: loaded.resources, live, display });
  }
  context.io.stdout(renderPlanFor(context, plan, surroundings));
  if (typeof out === "string" && context.flags["json"] !== true && context.flags["format"] === undefined) {
    context.io.stdout(`\nSaved this plan to ${out}. Apply exactly it with: tpctl apply ${out}\n`);
  }
  const changed = plan.changes.length > 0;
  return { exitCode: context.flags["detailed-exitcode"] && changed ? 2 : 0 };
}
