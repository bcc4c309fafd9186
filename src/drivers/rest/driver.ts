import { InternalError, TpctlError } from "../../errors.js";
import { callsForStep } from "./calls.js";
import type { ApiCall, TimeplusClient } from "../http.js";
import { readWorkspace } from "./read-workspace.js";
import type { Kind } from "../../model/index.js";
import type { Driver, TargetDescription } from "../driver.js";
import { refuseWhatRestCannotReach } from "../sql-only.js";

/**
 * Today's REST path behind the driver seam, unchanged: rest/read-workspace.ts reads, rest/calls.ts
 * turns a step into API calls, and cli/lock.ts takes the lock views through the client itself.
 */
export function createRestDriver(input: { client: Pick<TimeplusClient, "request">; target: TargetDescription }): Driver {
  const { client } = input;
  return {
    target: input.target,
    inPlace: "rest",
    readWorkspace: (options = {}) => readWorkspace(options.readOnly ? readOnly(client) : client),
    runStep: (step, change, project) => sendCalls(client, callsForStep(step, change, project)),
    checkDesired(desired) {
      refuseWhatRestCannotReach(desired, input.target);
    },
    lockChannel: client,
  };
}

/**
 * The REST reads of only some kinds (the SQL driver reads the appserver's own kinds this way):
 * the same list calls and normalisation as the REST driver.
 */
export function readRestKinds(
  client: Pick<TimeplusClient, "request">,
  kinds: readonly Kind[],
  options: { readOnly?: boolean; topology?: boolean } = {},
) {
  return readWorkspace(options.readOnly ? readOnly(client) : client, kinds, { topology: options.topology ?? true });
}

/** Drift promises never to write; this holds even if a read path someday grows a write. */
export function readOnly(client: Pick<TimeplusClient, "request">): Pick<TimeplusClient, "request"> {
  return {
    request: (call) =>
      call.method === "GET"
        ? client.request(call)
        : Promise.reject(new InternalError(`tpctl drift is read-only but tried ${call.method} ${call.path}`)),
  };
}

/**
 * Sends the calls of one step in order. A source stopped for its update (the calls end with its
 * start, drivers/rest/calls.ts) is started again even when the update failed; if that fails too,
 * the error says the source is left stopped, since a failure must never hide a stopped pipeline.
 */
export async function sendCalls(client: Pick<TimeplusClient, "request">, calls: readonly ApiCall[]): Promise<void> {
  let done = 0;
  try {
    for (const call of calls) {
      await client.request(call);
      done += 1;
    }
  } catch (error) {
    const last = calls.at(-1);
    if (done === 0 || last === undefined || !last.path.endsWith("/start")) throw error;
    try {
      await client.request(last);
    } catch (restart) {
      throw new LeftStoppedError(
        `${error instanceof Error ? error.message : String(error)}; starting it again failed too, so it is left stopped (${restart instanceof Error ? restart.message : String(restart)})`,
        { cause: error, meta: { path: last.path } },
      );
    }
    throw error;
  }
}

/** A step failed after stopping a source, and starting it again failed too. */
export class LeftStoppedError extends TpctlError {
  readonly code = "LEFT_STOPPED";
}
