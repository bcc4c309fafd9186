import type { LiveResource } from "../../model/index.js";
import { assembleDriftReport, hasDrift } from "../../plan/drift.js";
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from "../../render/drift.js";
import { connect } from "../connect.js";
import type { CommandContext, CommandResult } from "../context.js";
import { loadDesired, outputFormat, parseTargets, useColor } from "../workflow.js";

/**
 * `tpctl drift`: 0 no drift, 2 drift, 1 error. Read-only: it takes no workspace lock and sends
 * only reads (GET over REST; queries over SQL), so a nightly cron job can never change what it watches.
 */
export async function run(context: CommandContext): Promise<CommandResult> {
  const format = outputFormat(context);
  const targets = parseTargets(context.flags["target"]);
  const failOnUnmanaged = context.flags["fail-on-unmanaged"] === true;
  const loaded = await loadDesired(context);
  const connection = await connect({ environment: context.io.environment, cwd: context.io.cwd, settings: loaded.settings, api: context.flags["api"] });
  let live: LiveResource[];
  try {
    live = await connection.driver.readWorkspace({ readOnly: true });
  } finally {
    await connection.close();
  }
  const report = assembleDriftReport(loaded.resources, live, { project: loaded.project, targets });
  const options = { failOnUnmanaged };
  context.io.stdout(
    format === "json"
      ? renderDriftJson(report)
      : format === "markdown"
        ? renderDriftMarkdown(report, options)
        : renderDriftText(report, { ...options, color: useColor(context) }),
  );
  return { exitCode: hasDrift(report, options) ? 2 : 0 };
}
