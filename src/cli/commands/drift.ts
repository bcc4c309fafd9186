import { InternalError } from "../../errors.js";
import type { TimeplusClient } from "../../live/client.js";
import { readWorkspace } from "../../live/read-workspace.js";
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
 * only GET requests, so a nightly cron job can never change what it watches.
 */
export async function run(context: CommandContext): Promise<CommandResult> {
  const format = outputFormat(context);
  const { targets, excludes } = selectionOf(context);
  const failOnUnmanaged = context.flags["fail-on-unmanaged"] === true;
  const loaded = await loadDesired(context);
  const connection = await connect({ environment: context.io.environment, cwd: context.io.cwd, settings: loaded.settings });
  let live: LiveResource[];
  let target: PlanTarget;
  try {
    [live, target] = await Promise.all([readWorkspace(readOnly(connection.client)), targetOf(context, connection)]);
  } finally {
    await connection.close();
  }
  assertSelectorsMatch("--target", targets, [...loaded.resources, ...live].map((resource) => resource.address));
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

/** Drift promises never to write; this holds even if a read path someday grows a write. */
function readOnly(client: TimeplusClient): Pick<TimeplusClient, "request"> {
  return {
    request: (call) =>
      call.method === "GET"
        ? client.request(call)
        : Promise.reject(new InternalError(`tpctl drift is read-only but tried ${call.method} ${call.path}`)),
  };
}
