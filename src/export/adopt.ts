import type { Address, FieldChange, JsonObject, JsonValue, Step, UpdateChange } from "../model/index.js";
import { DesiredResource, setAt, stepId } from "../model/index.js";
import { ID_KINDS, KIND_MODULES, knownSecretPaths } from "../kinds/index.js";
import type { ExportedResource, ExportedSecret } from "./assemble.js";

/**
 * What adopting one exported resource takes: an update step that rewrites its description (a
 * schema's content) with the ownership marker, run through the connected driver like any step of
 * apply, or why it cannot be adopted.
 */
export type Adoption =
  | {
      readonly address: Address;
      readonly action: "adopt";
      readonly step: Step;
      readonly change: UpdateChange;
      /** Secrets whose variables were not set: the marker has no fingerprint, so the next apply rewrites them. */
      readonly unfingerprinted: readonly ExportedSecret[];
    }
  | { readonly address: Address; readonly action: "skip"; readonly reason: string };

/**
 * The step that writes `project`'s ownership marker onto an exported live resource, so that
 * removing its manifest later deletes it (model/ownership.ts). The driver decides how: over REST
 * streams, views and MVs take a PATCH of the description, sinks and sources of name and description
 * (a running source stopped around it), and alerts, dashboards, UDFs, saved queries and schemas a
 * PUT of the whole body; over SQL an ALTER … MODIFY COMMENT or a CREATE OR REPLACE.
 *
 * Where the update sends the whole body, it sends the secrets the API never returned, so it needs
 * their environment variables set. When they are, the marker also records their fingerprint, as
 * apply would, so that the next plan does not see the secrets as changed.
 *
 * @example adoptionFor(bundle.resources[0], { project: "fleet", environment: process.env })
 */
export function adoptionFor(
  exported: ExportedResource,
  options: { readonly project: string; readonly environment: Readonly<Record<string, string | undefined>> },
): Adoption {
  const { resource } = exported;
  const address = resource.address;
  const module = KIND_MODULES[resource.kind];
  if (resource.owner === options.project) return { address, action: "skip", reason: `already owned by project "${options.project}"` };
  if (resource.owner !== undefined) return { address, action: "skip", reason: `owned by project "${resource.owner}"; left to it` };
  if (module.rest?.update === "none") {
    return {
      address,
      action: "skip",
      reason: `${module.label}s cannot be updated through the API, so no ownership marker can be written; delete it by hand when its manifest goes`,
    };
  }
  if (ID_KINDS.has(resource.kind) && resource.id === undefined) return { address, action: "skip", reason: "the API reported no id for it" };

  const unset = exported.secrets.filter((secret) => options.environment[secret.envVar] === undefined);
  let filled: JsonValue = exported.spec;
  for (const secret of exported.secrets) {
    const value = options.environment[secret.envVar];
    if (value !== undefined) filled = setAt(filled, secret.pointer, value);
  }
  const spec = filled as JsonObject;
  const wholeBody = module.rest?.update === "put-whole";
  if (wholeBody && unset.length > 0) {
    return {
      address,
      action: "skip",
      reason: `updating it means sending its whole body, secrets included, and ${unset.map((secret) => secret.envVar).join(", ")} ${unset.length === 1 ? "is" : "are"} not set`,
    };
  }
  // The secrets' fingerprint goes into the marker only when every secret is known.
  const desired = DesiredResource.create({
    kind: resource.kind,
    name: resource.name,
    spec,
    secretPaths: unset.length === 0 ? knownSecretPaths(resource.kind, spec) : [],
  });
  const field = module.marker ?? "description";
  const before = resource.spec[field];
  const after = spec[field];
  const fieldChange: FieldChange = {
    field,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    isSql: false,
    secret: false,
    forcesReplace: false,
  };
  const change: UpdateChange = {
    action: "update",
    kind: resource.kind,
    name: resource.name,
    address,
    reason: `adopted into project "${options.project}"`,
    destructive: false,
    fieldChanges: [fieldChange],
    desired,
    live: resource,
  };
  const step: Step = { id: stepId("update", address), phase: "update", address, waitsFor: [] };
  return { address, action: "adopt", step, change, unfingerprinted: wholeBody ? [] : unset };
}
