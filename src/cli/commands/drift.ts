import type { LiveResource } from "../../model/index.js";
import { assembleDriftReport, hasDrift } from "../../plan/drift.js";
import { assertSelectorsMatch } from "../../plan/selection.js";
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from "../../render/drift.js";
import { connect } from "../connect.js";
import type { CommandContext, CommandResult } from "../context.js";
import type { PlanTarget } from "../../render/target.js";
import { loadDesired, outputFormat, selectionOf, targetOf, useColor } from "../workflow.js";

/**
 * `tpctl drift`: 0 no drift, 2 drift, 1 error. Read-only: it takes no workspace lock and sends
 * only reads (GET over REST; queries over SQL), so a nightly cron job can never change what it watches.
 */
export async function run(context: CommandContext): Promise<CommandResult> {
  const format = outputFormat(context);
  const { targets, excludes } = selectionOf(context);
  const failOnUnmanaged = context.flags["fail-on-unmanaged"] === true;
  const loaded = await loadDesired(context);
  const connection = await connect({
    environment: context.io.environment,
    cwd: context.io.cwd,
    settings: loaded.settings,
    api: context.flags["api"],
  });
  let live: LiveResource[];
  let target: PlanTarget;
  try {
    [live, target] = await Promise.all([connection.driver.readWorkspace({ readOnly: true }), targetOf(context, connection)]);
  } finally {
    await connection.close();
  }
  assertSelectorsMatch(
    "--target",
    targets,
    [...loaded.resources, ...live].map((resource) => resource.address),
  );
  const report = assembleDriftReport(loaded.resources, live, { project: loaded.project, targets, excludes });
  const options = { failOnUnmanaged, target };
  context.io.stdout(
    format === "json"
      ? renderDriftJson(report, { target })
      : format === "markdown"
        ? renderDriftMarkdown(report, options)
        : renderDriftText(report, { ...options, color: useColor(context) }),
  );
  return { exitCode: hasDrift(report, options) ? 2 : 0 };
}
