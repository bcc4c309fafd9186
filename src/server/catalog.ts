import type { JsonObject } from "../model/index.js";
import type { KindModule, Links } from "./kinds/kind.js";
import type { Indexer, Referrer, StateReader, StateWriter } from "./store.js";

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

/** The catalog kind of databases CREATE DATABASE made (server/sql/objects.ts SQL_KINDS.database). */
const DATABASE_KIND = "sql_database";

/** Index term for "reads or writes the relation `name`". */
function relationTerm(name: string): string {
  return `relation\u0000${name}`;
}

/** Index term for "uses the non-relation object `kind`/`name`". */
function useTerm(kind: string, name: string): string {
  return `use\u0000${kind}\u0000${name}`;
}

/**
 * What the store indexes each record under: the relations it reads or writes and the objects it
 * uses, so that a drop asks the index instead of scanning and re-tokenising every stored query.
 */
export function dependencyIndexer(modules: readonly KindModule[]): Indexer {
  const byKind = new Map(modules.map((module) => [module.kind, module]));
  return (kind, record) => {
    const module = byKind.get(kind);
    if (!module?.holdsDependencies) return [];
    const links = linksOf(module, record);
    return [
      ...links.reads.map(relationTerm),
      ...links.writes.map(relationTerm),
      ...(links.uses ?? []).map((use) => useTerm(use.kind, use.name)),
    ];
  };
}

const recordLinks = new WeakMap<JsonObject, Links>();

/**
 * What a stored record reads, writes and uses. A stored record never changes (the store freezes
 * it and replaces it on update) and its links depend on it alone, so they are worked out once,
 * when the index first asks, and every topology request after that reuses them.
 */
export function linksOf(module: KindModule, record: JsonObject): Links {
  let links = recordLinks.get(record);
  if (!links) {
    links = module.links(record);
    recordLinks.set(record, links);
  }
  return links;
}

export function createCatalog(modules: readonly KindModule[], state: StateReader): Catalog {
  const relationModules = modules.filter((module) => module.relation);
  const position = new Map(modules.map((module, index) => [module.kind, index]));
  /** Index hits as Located, in module order and then insertion order, as a scan would find them. */
  const locate = (hits: readonly Referrer[]): Located[] =>
    hits
      .flatMap((hit) => {
        const at = position.get(hit.kind);
        const module = at === undefined ? undefined : modules[at];
        return module?.holdsDependencies ? [{ module, record: hit.record, at: at as number }] : [];
      })
      .sort((a, b) => a.at - b.at)
      .map(({ module, record }) => ({ module, record }));
  const catalog: Catalog = {
    modules,
    get: (kind, key) => state.get(kind, key),
    list: (kind) => state.list(kind),
    relation(name) {
      const find = (key: string): Located | undefined => {
        for (const module of relationModules) {
          const record = state.get(module.kind, key);
          if (record) return { module, record };
        }
        return undefined;
      };
      const found = find(name);
      const dot = name.indexOf(".");
      if (found || dot <= 0 || state.get(DATABASE_KIND, name.slice(0, dot))) return found;
      // A database nobody created (`system.numbers`, `test.hits` in the engine's own tests): the
      // bare name, as before databases held objects here (docs/fidelity.md, "Databases").
      return find(name.slice(dot + 1));
    },
    dependentsOf(name) {
      return locate(state.referrers(relationTerm(name))).filter(({ module, record }) => !(module.relation && record["name"] === name));
    },
    usersOf(kind, name) {
      return locate(state.referrers(useTerm(kind, name)));
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
        if (located) pending.push(...linksOf(located.module, located.record).reads);
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
