import type { JsonObject } from "../model/index.js";
import type { KindModule } from "./kinds/kind.js";
import type { StateReader, StateWriter } from "./store.js";

export interface Located {
  readonly module: KindModule;
  readonly record: JsonObject;
}

/** Cross-kind questions about one workspace: the engine's namespace and its dependency rules. */
export interface Catalog {
  readonly modules: readonly KindModule[];
  get(kind: string, key: string): JsonObject | undefined;
  /** In insertion order. */
  list(kind: string): JsonObject[];
  /** The object that holds `name` in the engine's one namespace of streams, views and the like. */
  relation(name: string): Located | undefined;
  /** Objects that the engine will not let `name` be dropped from under (they read or write it). */
  dependentsOf(name: string): Located[];
  /** Objects that use the non-relation object `kind`/`name` (a UDF their SQL calls, a schema). */
  usersOf(kind: string, name: string): Located[];
  /** Whether following reads from `names` arrives at `target` (a view reading itself, at any depth). */
  reaches(names: readonly string[], target: string): boolean;
}

export interface Transaction extends Catalog {
  put(kind: string, key: string, record: JsonObject): void;
  remove(kind: string, key: string): void;
}

export function createCatalog(modules: readonly KindModule[], state: StateReader): Catalog {
  const relationModules = modules.filter((module) => module.relation);
  const catalog: Catalog = {
    modules,
    get: (kind, key) => state.get(kind, key),
    list: (kind) => state.list(kind),
    relation(name) {
      for (const module of relationModules) {
        const record = state.get(module.kind, name);
        if (record) return { module, record };
      }
      return undefined;
    },
    dependentsOf(name) {
      const found: Located[] = [];
      for (const module of modules) {
        if (!module.holdsDependencies) continue;
        for (const record of state.list(module.kind)) {
          if (module.relation && record["name"] === name) continue;
          const links = module.links(record);
          if (links.reads.includes(name) || links.writes.includes(name)) found.push({ module, record });
        }
      }
      return found;
    },
    usersOf(kind, name) {
      const found: Located[] = [];
      for (const module of modules) {
        if (!module.holdsDependencies) continue;
        for (const record of state.list(module.kind)) {
          const uses = module.links(record).uses ?? [];
          if (uses.some((use) => use.kind === kind && use.name === name)) found.push({ module, record });
        }
      }
      return found;
    },
    reaches(names, target) {
      const seen = new Set<string>();
      const pending = [...names];
      while (pending.length > 0) {
        const name = pending.pop() as string;
        if (name === target) return true;
        if (seen.has(name)) continue;
        seen.add(name);
        const located = catalog.relation(name);
        if (located) pending.push(...located.module.links(located.record).reads);
      }
      return false;
    },
  };
  return catalog;
}

export function createTransaction(modules: readonly KindModule[], state: StateWriter): Transaction {
  return {
    ...createCatalog(modules, state),
    put: (kind, key, record) => state.put(kind, key, record),
    remove: (kind, key) => state.remove(kind, key),
  };
}
