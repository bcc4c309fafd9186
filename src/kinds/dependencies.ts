import type { Address, DesiredResource, JsonValue, Kind } from "../model/index.js";
import { addressOf, DEFAULT_DATABASE, splitQualifiedName } from "../model/index.js";
import { extractQualifiedRelations, extractReferences } from "../sql/index.js";
import { GLOBAL_KINDS, KIND_MODULES, RELATION_KINDS } from "./index.js";

/** Looks up what a name in SQL or a reference field means in this workspace. */
export interface NameResolver {
  /**
   * A stream, view, materialized view, external stream or table named `name`: bare or `default.x`
   * in the default database, `db.x` in database db (model/kinds.ts `qualifyName`).
   */
  relation(name: string): Address | undefined;
  udf(name: string): Address | undefined;
  schema(name: string): Address | undefined;
  /** The `database/…` resource of that name, when one is declared or live. */
  database?(name: string): Address | undefined;
}

export interface InferredDependencies {
  readonly dependsOn: readonly Address[];
  /** Relation names read or written that resolve to nothing declared or live. */
  readonly unresolved: readonly string[];
}

/**
 * What a resource reads, writes and lives in. `name` (qualified, as DesiredResource.name) adds the
 * `database/…` resource of a resource in another database, so that the database is created before
 * and dropped after everything in it.
 */
export function inferDependencies(
  kind: Kind,
  spec: Readonly<Record<string, JsonValue>>,
  resolver: NameResolver,
  name?: string,
): InferredDependencies {
  const dependsOn = new Set<Address>();
  const unresolved = collectDependencies(kind, spec, resolver, name, dependsOn);
  return { dependsOn: [...dependsOn], unresolved };
}

/** inferDependencies, adding to `dependsOn` (after what it holds); returns the unresolved names. */
function collectDependencies(
  kind: Kind,
  spec: Readonly<Record<string, JsonValue>>,
  resolver: NameResolver,
  name: string | undefined,
  dependsOn: Set<Address>,
): string[] {
  const unresolved = new Set<string>();
  if (name !== undefined && !GLOBAL_KINDS.has(kind)) {
    const { database } = splitQualifiedName(name);
    const address = database === DEFAULT_DATABASE ? undefined : resolver.database?.(database);
    if (address) dependsOn.add(address);
  }
  const { relationNames, functionNames, references } = namesRead(kind, spec);
  for (const name of relationNames) {
    const address = resolver.relation(name);
    if (address) dependsOn.add(address);
    else unresolved.add(name);
  }
  for (const name of functionNames) {
    const address = resolver.udf(name);
    if (address) dependsOn.add(address);
  }
  for (const name of references.schemas) {
    const address = resolver.schema(name);
    if (address) dependsOn.add(address);
  }
  return unresolved.size === 0 ? [] : [...unresolved];
}

interface NamesRead {
  readonly relationNames: readonly string[];
  readonly functionNames: readonly string[];
  readonly references: { readonly schemas: readonly string[] };
}

// What a spec names does not depend on the resolver, and a plan asks it of the same frozen spec
// several times (the manifests' cycle check, the plan itself): remembered per spec object, and
// only for frozen ones (every validated manifest's), which cannot change under the cache.
const NAMES_READ = new WeakMap<object, NamesRead>();

/** The relation, function and schema names a spec reads, before they are resolved to addresses. */
function namesRead(kind: Kind, spec: Readonly<Record<string, JsonValue>>): NamesRead {
  const known = NAMES_READ.get(spec);
  if (known !== undefined) return known;
  const references = KIND_MODULES[kind].references(spec);
  const relationNames: string[] = [...references.relations];
  const functionNames: string[] = [];
  for (const sql of references.sql) {
    try {
      const read = extractReferences(sql);
      relationNames.push(...extractQualifiedRelations(sql));
      functionNames.push(...read.functions);
    } catch {
      // Unparseable SQL has no dependencies we can know; the server reports the syntax error.
    }
  }
  const names: NamesRead = { relationNames, functionNames, references };
  if (Object.isFrozen(spec)) NAMES_READ.set(spec, names);
  return names;
}

/** A resolver over a set of named resources: declared ones win over live ones of the same name. */
export function createNameResolver(...sources: readonly (readonly { readonly kind: Kind; readonly name: string }[])[]): NameResolver {
  const relations = new Map<string, Address>();
  const udfs = new Map<string, Address>();
  const schemas = new Map<string, Address>();
  const databases = new Map<string, Address>();
  for (const resources of [...sources].reverse()) {
    for (const { kind, name } of resources) {
      if (RELATION_KINDS.has(kind)) relations.set(name, addressOf(kind, name));
      else if (kind === "udf") udfs.set(name, addressOf(kind, name));
      else if (kind === "schema") schemas.set(name, addressOf(kind, name));
      else if (kind === "database") databases.set(name, addressOf(kind, name));
    }
  }
  return {
    // `default.events` is `events`; `analytics.events` is the qualified name itself.
    relation: (name) => relations.get(name.startsWith(`${DEFAULT_DATABASE}.`) ? name.slice(DEFAULT_DATABASE.length + 1) : name),
    udf: (name) => udfs.get(name),
    schema: (name) => schemas.get(name),
    database: (name) => databases.get(name),
  };
}

/** The declared dependencies plus the inferred ones, for each desired resource. */
export function dependenciesOf(desired: readonly DesiredResource[], resolver: NameResolver): Map<Address, InferredDependencies> {
  const result = new Map<Address, InferredDependencies>();
  for (const resource of desired) {
    // Declared first, then inferred, each once: one set, not one per part.
    const all = new Set<Address>(resource.dependsOn);
    const unresolved = collectDependencies(resource.kind, resource.spec, resolver, resource.name, all);
    all.delete(resource.address);
    result.set(resource.address, { dependsOn: [...all], unresolved });
  }
  return result;
}
