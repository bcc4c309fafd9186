import { InternalError } from "../errors.js";
import { callsForStep } from "../apply/calls.js";
import type { TimeplusClient } from "../live/client.js";
import { readWorkspace } from "../live/read-workspace.js";
import type { Kind } from "../model/index.js";
import type { Driver, TargetDescription } from "./driver.js";
import { refuseWhatRestCannotReach } from "./sql-only.js";

/**
 * Today's REST path behind the driver seam, unchanged: live/read-workspace.ts reads, apply/calls.ts
 * turns a step into API calls, and cli/lock.ts takes the lock views through the client itself.
 */
export function createRestDriver(input: { client: TimeplusClient; target: TargetDescription }): Driver {
  const { client } = input;
  return {
    target: input.target,
    readWorkspace: (options = {}) => readWorkspace(options.readOnly ? readOnly(client) : client),
    async runStep(step, change, project) {
      for (const call of callsForStep(step, change, project)) await client.request(call);
    },
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
export function readRestKinds(client: Pick<TimeplusClient, "request">, kinds: readonly Kind[], options: { readOnly?: boolean } = {}) {
  return readWorkspace(options.readOnly ? readOnly(client) : client, kinds);
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
