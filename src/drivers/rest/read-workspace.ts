import { ApiError, LiveStateError } from "../../errors.js";
import type { Kind, LiveResource } from "../../model/index.js";
import { addressOf, isJsonObject } from "../../model/index.js";
import type { TimeplusClient } from "../http.js";
import { TOPOLOGY_PATH } from "./endpoints.js";
import { liveResourcesOf, normalizeList, type ListedKind, type TopologyGraph } from "./normalize.js";
import { ID_KINDS, KIND_MODULES, REST_KINDS, restCollectionPath } from "../../kinds/index.js";

/**
 * The live workspace in a fixed number of requests: one list call per kind plus the topology
 * (unless `topology` is false: the SQL driver's read of the appserver's kinds), all at once;
 * never one request per resource.
 */
export async function readWorkspace(
  client: Pick<TimeplusClient, "request">,
  kinds: readonly Kind[] = REST_KINDS,
  options: { topology?: boolean } = {},
): Promise<LiveResource[]> {
  // Asked first: with more requests than the concurrency limit lets through at once, those asked
  // last wait for a slot, and the topology of a large workspace is the answer slowest to build.
  const topologyRead =
    options.topology === false
      ? Promise.resolve(undefined)
      : client
          .request<TopologyGraph>({ method: "GET", path: TOPOLOGY_PATH })
          .then((response) => response.body)
          .catch((error: unknown) => {
            // Topology only adds edges that SQL already shows; an older server without it is fine.
            if (error instanceof ApiError && error.status === 404) return undefined;
            throw error;
          });
  // Each list is normalized as it arrives: the server answers the lists one after another, and
  // the client's work on those that came first fits in the wait for the rest.
  const [topology, lists] = await Promise.all([topologyRead, Promise.all(kinds.map((kind) => listKind(client, kind).then(normalizeList)))]);
  // Two dashboards (or saved queries, …) may share a name: the planner refuses that only where a
  // manifest declares the name (plan/plan.ts), so one project's duplicates never block another.
  return liveResourcesOf(lists, topology);
}

async function listKind(client: Pick<TimeplusClient, "request">, kind: Kind): Promise<ListedKind> {
  try {
    const response = await client.request<unknown>({ method: "GET", path: restCollectionPath(kind) });
    return { kind, items: Array.isArray(response.body) ? response.body : [] };
  } catch (error) {
    // A deployment that predates a kind's endpoint has none of that kind, or lists it elsewhere.
    if (error instanceof ApiError && error.status === 404) {
      const older = KIND_MODULES[kind].rest?.olderCollection;
      if (older) {
        const listed = await client.request<unknown>({ method: "GET", path: `/${older.collection}` });
        const items = Array.isArray(listed.body) ? listed.body : [];
        return { kind, items: items.filter((item) => isJsonObject(item) && older.isOfKind(item)) };
      }
      return { kind, items: [] };
    }
    throw error;
  }
}

/** Kinds with server ids may hold two objects with one name; tpctl never guesses between them (export). */
export function rejectAmbiguousNames(resources: readonly LiveResource[]): void {
  const seen = new Map<string, LiveResource>();
  for (const resource of resources) {
    const key = resource.address;
    const first = seen.get(key);
    if (first && ID_KINDS.has(resource.kind)) {
      throw new LiveStateError(
        `the workspace holds two ${resource.kind}s named "${resource.name}" (ids ${first.id} and ${resource.id}); rename or delete one so that ${addressOf(resource.kind, resource.name)} means one object`,
      );
    }
    seen.set(key, resource);
  }
}
