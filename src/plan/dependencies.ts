import type { Address, DesiredResource, JsonValue, Kind } from "../model/index.js";
import { addressOf, isJsonObject, RELATION_KINDS } from "../model/index.js";
import { extractReferences } from "../sql/index.js";

/** Looks up what a bare name in SQL or a reference field means in this workspace. */
export interface NameResolver {
  /** A stream, view, materialized view, external stream or table named `name`. */
  relation(name: string): Address | undefined;
  udf(name: string): Address | undefined;
  schema(name: string): Address | undefined;
}

export interface InferredDependencies {
  readonly dependsOn: readonly Address[];
  /** Relation names read or written that resolve to nothing declared or live. */
  readonly unresolved: readonly string[];
}

/** Every SQL text a resource of this kind runs (docs/timeplus-api.md §7). */
export function sqlOf(kind: Kind, spec: Readonly<Record<string, JsonValue>>): string[] {
  const texts: string[] = [];
  const add = (value: JsonValue | undefined): void => {
    if (typeof value === "string" && value.trim() !== "") texts.push(value);
  };
  switch (kind) {
    case "view":
    case "materialized_view":
    case "sink":
      add(spec["query"]);
      break;
    case "alert":
      add(spec["trigger_sql"]);
      add(spec["resolve_sql"]);
      break;
    case "saved_query":
      add(spec["sql"]);
      break;
    case "dashboard": {
      const panels = spec["panels"];
      if (Array.isArray(panels)) {
        for (const panel of panels) {
          if (isJsonObject(panel) && (panel["viz_type"] ?? "chart") === "chart") add(panel["viz_content"]);
        }
      }
      break;
    }
    default:
      break;
  }
  return texts;
}

/** Names a resource writes into or names by reference rather than through SQL. */
function referencedRelations(kind: Kind, spec: Readonly<Record<string, JsonValue>>): string[] {
  const value = kind === "materialized_view" ? spec["target_stream"] : kind === "source" ? spec["stream"] : undefined;
  return typeof value === "string" && value !== "" ? [value] : [];
}

/**
 * An external stream reads Protobuf through `format_schema = 'schema_name:Message'` in its settings.
 */
function referencedSchemas(kind: Kind, spec: Readonly<Record<string, JsonValue>>): string[] {
  if (kind !== "external_stream" && kind !== "external_table") return [];
  const settings = spec["settings"];
  if (!Array.isArray(settings)) return [];
  const names: string[] = [];
  for (const setting of settings) {
    if (!isJsonObject(setting) || setting["key"] !== "format_schema") continue;
    const value = setting["value"];
    if (typeof value === "string" && value !== "") names.push(value.split(":")[0] ?? value);
  }
  return names;
}

export function inferDependencies(kind: Kind, spec: Readonly<Record<string, JsonValue>>, resolver: NameResolver): InferredDependencies {
  const dependsOn = new Set<Address>();
  const unresolved = new Set<string>();
  const relationNames: string[] = [...referencedRelations(kind, spec)];
  const functionNames: string[] = [];
  for (const sql of sqlOf(kind, spec)) {
    try {
      const references = extractReferences(sql);
      relationNames.push(...references.relations);
      functionNames.push(...references.functions);
    } catch {
      // Unparseable SQL has no dependencies we can know; the server reports the syntax error.
    }
  }
  for (const name of relationNames) {
    const address = resolver.relation(name);
    if (address) dependsOn.add(address);
    else unresolved.add(name);
  }
  for (const name of functionNames) {
    const address = resolver.udf(name);
    if (address) dependsOn.add(address);
  }
  for (const name of referencedSchemas(kind, spec)) {
    const address = resolver.schema(name);
    if (address) dependsOn.add(address);
  }
  return { dependsOn: [...dependsOn], unresolved: [...unresolved] };
}

/** A resolver over a set of named resources: declared ones win over live ones of the same name. */
export function createNameResolver(...sources: readonly (readonly { readonly kind: Kind; readonly name: string }[])[]): NameResolver {
  const relations = new Map<string, Address>();
  const udfs = new Map<string, Address>();
  const schemas = new Map<string, Address>();
  for (const resources of [...sources].reverse()) {
    for (const { kind, name } of resources) {
      if (RELATION_KINDS.has(kind)) relations.set(name, addressOf(kind, name));
      else if (kind === "udf") udfs.set(name, addressOf(kind, name));
      else if (kind === "schema") schemas.set(name, addressOf(kind, name));
    }
  }
  return {
    relation: (name) => relations.get(name),
    udf: (name) => udfs.get(name),
    schema: (name) => schemas.get(name),
  };
}

/** The declared dependencies plus the inferred ones, for each desired resource. */
export function dependenciesOf(desired: readonly DesiredResource[], resolver: NameResolver): Map<Address, InferredDependencies> {
  const result = new Map<Address, InferredDependencies>();
  for (const resource of desired) {
    const inferred = inferDependencies(resource.kind, resource.spec, resolver);
    const all = new Set<Address>([...resource.dependsOn, ...inferred.dependsOn]);
    all.delete(resource.address);
    result.set(resource.address, { dependsOn: [...all], unresolved: inferred.unresolved });
  }
  return result;
}
