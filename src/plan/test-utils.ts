import type { Address, JsonObject, Kind } from "../model/index.js";
import { DesiredResource, LiveResource } from "../model/index.js";

/** Builders for in-memory desired and live state in planner tests. */
export function desired(
  kind: Kind,
  name: string,
  fields: JsonObject = {},
  extra: { dependsOn?: Address[]; preventDestroy?: boolean; ignoreChanges?: string[]; secretPaths?: string[] } = {},
): DesiredResource {
  return DesiredResource.create({
    kind,
    name,
    spec: { name, ...fields },
    ...(extra.dependsOn ? { dependsOn: extra.dependsOn } : {}),
    lifecycle: {
      ...(extra.preventDestroy !== undefined ? { preventDestroy: extra.preventDestroy } : {}),
      ...(extra.ignoreChanges ? { ignoreChanges: extra.ignoreChanges } : {}),
    },
    ...(extra.secretPaths ? { secretPaths: extra.secretPaths } : {}),
  });
}

export function live(
  kind: Kind,
  name: string,
  fields: JsonObject = {},
  extra: { owner?: string; dependsOn?: Address[]; id?: string } = {},
): LiveResource {
  return LiveResource.create({
    kind,
    name,
    spec: { name, ...fields },
    ...(extra.owner !== undefined ? { owner: extra.owner } : {}),
    ...(extra.dependsOn ? { dependsOn: extra.dependsOn } : {}),
    ...(extra.id !== undefined ? { id: extra.id } : {}),
  });
}
