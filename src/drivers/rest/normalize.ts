import type { Address, JsonObject, JsonValue, Kind } from "../../model/index.js";
import {
  addressOf,
  isJsonObject,
  isKind,
  LiveResource,
  pointerSegments,
  readFunctionBodyMarkers,
  readOwnershipMarker,
  readSchemaOwnershipMarker,
  type OwnershipRecord,
} from "../../model/index.js";
import { createNameResolver, inferDependencies } from "../../kinds/dependencies.js";
import { KIND_MODULES, ID_KINDS, knownSecretPaths } from "../../kinds/index.js";
import { isReservedName } from "../../model/index.js";

/** One kind's list response, as the API returned it. */
export interface ListedKind {
  readonly kind: Kind;
  readonly items: readonly unknown[];
}

export interface TopologyGraph {
  readonly nodes?: readonly unknown[];
  readonly edges?: readonly unknown[];
  readonly dependencies?: readonly unknown[];
}

/**
 * API JSON into LiveResources shaped like the request fields, so that a diff against a manifest
 * compares like with like. Response-only fields (created_at, status, derived view columns, …)
 * are dropped; the ownership marker is taken out of the description.
 */
export function normalizeWorkspace(lists: readonly ListedKind[], topology: TopologyGraph | undefined): LiveResource[] {
  return liveResourcesOf(lists.map(normalizeList), topology);
}

/**
 * The first half of normalizeWorkspace, for one kind's list: what depends on that list alone, so
 * that a reader can do it the moment the list arrives, while the other lists are still on their way.
 */
export function normalizeList({ kind, items }: ListedKind): readonly LiveDraft[] {
  const drafts: LiveDraft[] = [];
  for (const item of items) {
    if (!isJsonObject(item)) continue;
    if (KIND_MODULES[kind].rest?.notOfKind?.(item)) continue;
    if (kind === "view" && typeof item["name"] === "string" && isReservedName(item["name"])) continue;
    const draft = normalizeItem(kind, item);
    if (draft) drafts.push(draft);
  }
  return drafts;
}

/** The second half of normalizeWorkspace: every kind's normalized list, in the order listed, with the topology. */
export function liveResourcesOf(lists: readonly (readonly LiveDraft[])[], topology: TopologyGraph | undefined): LiveResource[] {
  const drafts = lists.flat();
  const resolver = createNameResolver(drafts);
  const addresses = drafts.map((draft) => addressOf(draft.kind, draft.name));
  const topologyDeps = dependenciesFromTopology(topology, drafts, addresses);
  return drafts.map((draft, index) => {
    const address = addresses[index] as Address;
    const dependsOn = new Set<Address>(inferDependencies(draft.kind, draft.spec, resolver).dependsOn);
    for (const dependency of topologyDeps.get(address) ?? []) dependsOn.add(dependency);
    dependsOn.delete(address);
    return LiveResource.create({ ...draft, dependsOn: [...dependsOn].sort() });
  });
}

/** One listed object, normalized, before its dependencies are known. */
export interface LiveDraft {
  kind: Kind;
  name: string;
  id?: string;
  spec: JsonObject;
  owner?: string;
  status?: string;
  secretsFingerprint?: string;
}

function normalizeItem(kind: Kind, item: JsonObject): LiveDraft | undefined {
  const name = item["name"];
  if (typeof name !== "string" || name === "") return undefined;
  const fields = KIND_MODULES[kind].fields;
  let spec: Record<string, JsonValue> = { name };
  // An empty ttl_expression means none. It is left out rather than deleted afterwards: a delete
  // turns the object into a slow dictionary for everything that reads it later.
  let ttl: JsonValue | undefined;
  for (const field of Object.keys(fields)) {
    const value = item[field];
    if (value === undefined || value === null) continue;
    if (field === "ttl_expression") ttl = value;
    if (field !== "ttl_expression" || value !== "") spec[field] = value;
  }
  // Older servers return only the deprecated `ttl` (docs/timeplus-api.md §3.1).
  if ("ttl_expression" in fields && ttl === undefined && typeof item["ttl"] === "string" && item["ttl"] !== "") {
    spec["ttl_expression"] = item["ttl"];
  }
  const rest = KIND_MODULES[kind].rest;
  if (rest?.readBack) {
    // readBack hands back this fresh object or another it built; only a frozen one needs copying.
    const back = rest.readBack(spec);
    spec = Object.isFrozen(back) ? { ...back } : back;
  }
  // A secret the server returns is removed here, at the one door live data comes in by: nothing
  // downstream (plans, saved plans, drift, export, errors) ever holds it, and secrets are compared
  // by fingerprint, never by value. It keeps its key with an empty value, which still tells export
  // that the resource has one (a kind whose secret goes entirely drops it in its readBack).
  for (const path of knownSecretPaths(kind, spec)) {
    const [field = "", ...below] = pointerSegments(path);
    const value = spec[field];
    if (value === undefined) continue;
    spec[field] = blankAt(value, below);
  }
  let record: OwnershipRecord = {};
  if (kind === "udf" && typeof spec["source"] === "string" && spec["type"] === "javascript") {
    // A function created over SQL carries its description and owner in its body, and the REST API
    // returns that body as it is: read them out, so that it is the same UDF whichever driver made it.
    const read = readFunctionBodyMarkers(spec["source"]);
    const description = typeof spec["description"] === "string" ? readOwnershipMarker(spec["description"]) : { description: "" };
    spec["source"] = read.source;
    spec["description"] = description.description !== "" ? description.description : (read.description ?? "");
    record = description.owner !== undefined ? description : read;
  } else if (KIND_MODULES[kind].marker === "content" && typeof spec["content"] === "string") {
    const marker = readSchemaOwnershipMarker(spec["content"]);
    spec["content"] = marker.content;
    record = marker;
  } else if (typeof spec["description"] === "string") {
    const marker = readOwnershipMarker(spec["description"]);
    spec["description"] = marker.description;
    record = marker;
  }
  const id = ID_KINDS.has(kind) && typeof item["id"] === "string" ? item["id"] : undefined;
  const status = typeof item["status"] === "string" ? item["status"] : undefined;
  return {
    kind,
    name,
    spec,
    ...(id !== undefined ? { id } : {}),
    ...(record.owner !== undefined ? { owner: record.owner } : {}),
    ...(record.secretsFingerprint !== undefined ? { secretsFingerprint: record.secretsFingerprint } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}

/** `value` with the string at `segments` (unescaped JSON-pointer segments below the field) made empty. */
function blankAt(value: JsonValue, segments: readonly string[]): JsonValue {
  const [head, ...rest] = segments;
  if (head === undefined) return typeof value === "string" && value !== "" ? "" : value;
  const key = head;
  if (Array.isArray(value)) return value.map((item: JsonValue, index: number) => (String(index) === key ? blankAt(item, rest) : item));
  if (isJsonObject(value) && key in value) return { ...value, [key]: blankAt(value[key] as JsonValue, rest) };
  return value;
}

const ENGINE_TYPES: Readonly<Record<string, Kind>> = {
  Stream: "stream",
  MaterializedView: "materialized_view",
  View: "view",
  ExternalStream: "external_stream",
  ExternalTable: "external_table",
};

/**
 * Topology `dependencies` (2024-12-31+) say "source depends on target". Node ids are opaque, so
 * every edge is resolved through `nodes[]` (docs/timeplus-api.md §5).
 */
function dependenciesFromTopology(
  topology: TopologyGraph | undefined,
  resources: readonly { kind: Kind; name: string; id?: string }[],
  addresses: readonly Address[],
): Map<Address, Address[]> {
  const result = new Map<Address, Address[]>();
  if (!topology?.nodes || !topology.dependencies) return result;
  const byId = new Map<string, { kind: Kind; name: string; id?: string }>();
  for (const resource of resources) if (resource.id !== undefined) byId.set(resource.id, resource);
  const known = new Set(addresses);
  const addressOfNode = new Map<string, Address>();
  for (const node of topology.nodes) {
    if (!isJsonObject(node) || typeof node["id"] !== "string") continue;
    const type = typeof node["type"] === "string" ? node["type"] : "";
    const kind: Kind | undefined = isKind(type) ? type : ENGINE_TYPES[type];
    if (!kind) continue;
    const byIdMatch = ID_KINDS.has(kind) ? byId.get(node["id"]) : undefined;
    const name = byIdMatch?.name ?? (typeof node["name"] === "string" ? node["name"] : undefined);
    if (!name) continue;
    const address = addressOf(kind, name);
    if (known.has(address)) addressOfNode.set(node["id"], address);
  }
  for (const edge of topology.dependencies) {
    if (!isJsonObject(edge)) continue;
    const from = typeof edge["source"] === "string" ? addressOfNode.get(edge["source"]) : undefined;
    const to = typeof edge["target"] === "string" ? addressOfNode.get(edge["target"]) : undefined;
    if (!from || !to || from === to) continue;
    const list = result.get(from) ?? [];
    list.push(to);
    result.set(from, list);
  }
  return result;
}
