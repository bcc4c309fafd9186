import { InternalError } from "../../errors.js";
import type { Change, DesiredResource, JsonObject, JsonValue, Step } from "../../model/index.js";
import { withOwnershipMarker, withSchemaOwnershipMarker } from "../../model/index.js";
import type { ApiCall } from "../http.js";
import { ID_KINDS, KIND_MODULES, restCollectionPath, restItemPath } from "../../kinds/index.js";
import { fingerprintSecrets } from "../../model/secrets.js";

/**
 * The API calls that carry out one step of a plan, in order. Every resource tpctl creates or
 * updates carries the project's ownership marker (model/ownership.ts).
 */
export function callsForStep(step: Step, change: Change, project: string): ApiCall[] {
  const collection = restCollectionPath(change.kind);
  switch (step.phase) {
    case "delete": {
      if (change.action !== "delete" && change.action !== "replace") break;
      // Deleting something already gone is success: that is what makes a re-run converge.
      return [{ method: "DELETE", path: itemPath(change, change.live.id), alsoOk: [404] }];
    }
    case "create": {
      if (change.action !== "create" && change.action !== "replace") break;
      return [{ method: "POST", path: collection, body: bodyWithMarker(change.desired, change.desired.spec, project) }];
    }
    case "update": {
      if (change.action !== "update") break;
      const path = itemPath(change, change.live.id);
      const style = KIND_MODULES[change.kind].rest?.update ?? "none";
      if (style === "none") break;
      if (style === "put-whole") {
        return [{ method: "PUT", path, body: bodyWithMarker(change.desired, change.desired.spec, project) }];
      }
      const rules = KIND_MODULES[change.kind].fields;
      const body: Record<string, JsonValue> = {};
      for (const fieldChange of change.fieldChanges) {
        const value = change.desired.spec[fieldChange.field] ?? rules[fieldChange.field]?.default;
        if (value !== undefined) body[fieldChange.field] = value;
      }
      if (ID_KINDS.has(change.kind)) body["name"] = change.desired.name;
      const patch: ApiCall = { method: "PATCH", path, body: bodyWithMarker(change.desired, body, project) };
      // Stop, update, and start again only if it was running, so that one someone stopped stays stopped.
      if (KIND_MODULES[change.kind].rest?.stopsForUpdate === true && change.live.status !== "stopped") {
        return [{ method: "POST", path: `${path}/stop` }, patch, { method: "POST", path: `${path}/start` }];
      }
      return [patch];
    }
  }
  throw new InternalError(`step ${step.id} does not fit a ${change.action} of ${change.address}`);
}

/** The live object's path: its id, or its live name (which differs from the manifest's during a rename). */
function itemPath(change: Change, id: string | undefined): string {
  const liveName = change.action === "create" ? change.name : change.live.name;
  const identity = ID_KINDS.has(change.kind) ? id : liveName;
  if (identity === undefined) throw new InternalError(`${change.address} has no id to address it by`);
  return restItemPath(change.kind, identity);
}

/** `body` plus the ownership marker, which also records the fingerprint of the secrets sent. */
function bodyWithMarker(desired: DesiredResource, body: JsonObject, project: string): JsonObject {
  const result: Record<string, JsonValue> = { ...body };
  if (KIND_MODULES[desired.kind].marker === "content") {
    result["content"] = withSchemaOwnershipMarker(stringOr(desired.spec["content"]), project);
  } else if ("description" in KIND_MODULES[desired.kind].fields) {
    const fingerprint = fingerprintSecrets(desired.kind, desired.spec, desired.secretPaths);
    result["description"] = withOwnershipMarker(stringOr(desired.spec["description"]), project, fingerprint);
  }
  return result;
}

function stringOr(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : "";
}
