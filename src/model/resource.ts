import type { Address, Kind } from "./kinds.js";
import { addressOf, DEFAULT_DATABASE } from "./kinds.js";
import type { JsonObject } from "./json.js";

/** Where something came from in a manifest file, 1-based like editors show it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Lifecycle {
  readonly preventDestroy: boolean;
  /** Top-level API field names whose differences the plan ignores. */
  readonly ignoreChanges: readonly string[];
}

/**
 * A resource as a manifest declares it. `spec` holds only API request fields (never `kind`,
 * `depends_on` or `lifecycle`); `name` is also present in `spec` since the API takes it there.
 */
export interface DesiredResource {
  readonly kind: Kind;
  readonly name: string;
  readonly address: Address;
  readonly spec: JsonObject;
  /** Declared with `depends_on`; inferred dependencies are added by the planner. */
  readonly dependsOn: readonly Address[];
  readonly lifecycle: Lifecycle;
  /** JSON pointers into `spec` whose values are secret (from `${secret:…}` or secret fields). */
  readonly secretPaths: readonly string[];
  /** `previous_name`: the name this resource had before a rename (never guessed). */
  readonly previousName?: string;
  readonly location?: SourceLocation;
  /**
   * The database it lives in, when not `default`; `name` is then qualified, `db.name`, so that
   * addresses, selectors and references tell it from its namesake in `default` (model/kinds.ts).
   */
  readonly database?: string;
}

export const DesiredResource = Object.freeze({
  create(input: {
    kind: Kind;
    name: string;
    spec: JsonObject;
    dependsOn?: readonly Address[];
    lifecycle?: Partial<Lifecycle>;
    secretPaths?: readonly string[];
    previousName?: string;
    location?: SourceLocation;
    database?: string;
  }): DesiredResource {
    // Optional parts are added one by one, in this order, rather than spread from temporary
    // objects: a plan of a large workspace makes thousands of these.
    const resource: { -readonly [K in keyof DesiredResource]: DesiredResource[K] } = {
      kind: input.kind,
      name: input.name,
      address: addressOf(input.kind, input.name),
      spec: input.spec,
      dependsOn: frozenCopy(input.dependsOn),
      lifecycle: Object.freeze({
        preventDestroy: input.lifecycle?.preventDestroy ?? false,
        ignoreChanges: frozenCopy(input.lifecycle?.ignoreChanges),
      }),
      secretPaths: frozenCopy(input.secretPaths),
    };
    if (input.previousName !== undefined) resource.previousName = input.previousName;
    if (input.location) resource.location = input.location;
    if (input.database !== undefined && input.database !== DEFAULT_DATABASE) resource.database = input.database;
    return Object.freeze(resource);
  },

  /**
   * A copy of `resource` with some of its parts replaced and everything else (previous name,
   * location) kept: the one way a stage derives a resource from another, so none drops a part.
   */
  with(
    resource: DesiredResource,
    changes: { spec?: JsonObject; dependsOn?: readonly Address[]; lifecycle?: Partial<Lifecycle>; secretPaths?: readonly string[] },
  ): DesiredResource {
    return DesiredResource.create({
      kind: resource.kind,
      name: resource.name,
      spec: changes.spec ?? resource.spec,
      dependsOn: changes.dependsOn ?? resource.dependsOn,
      lifecycle: { ...resource.lifecycle, ...changes.lifecycle },
      secretPaths: changes.secretPaths ?? resource.secretPaths,
      ...(resource.previousName !== undefined ? { previousName: resource.previousName } : {}),
      ...(resource.location ? { location: resource.location } : {}),
      ...(resource.database !== undefined ? { database: resource.database } : {}),
    });
  },
});

/**
 * A resource as the live workspace reports it, already normalised into the shape of the API's
 * request fields (server-only fields such as created_at dropped, formatting folded away).
 */
export interface LiveResource {
  readonly kind: Kind;
  readonly name: string;
  readonly address: Address;
  /** Server-generated id, for kinds identified by id (sources, sinks, …). */
  readonly id?: string;
  readonly spec: JsonObject;
  /** The tpctl project that created it, read from the ownership marker; undefined if none. */
  readonly owner?: string;
  /** Addresses this resource reads or writes, as the live workspace reports them. */
  readonly dependsOn: readonly Address[];
  /** Runtime status where the API reports one (e.g. a source's "running" / "stopped"). */
  readonly status?: string;
  /** Fingerprint of the secret values tpctl last wrote (the API never returns secrets). */
  readonly secretsFingerprint?: string;
}

export const LiveResource = Object.freeze({
  create(input: {
    kind: Kind;
    name: string;
    spec: JsonObject;
    id?: string;
    owner?: string;
    dependsOn?: readonly Address[];
    status?: string;
    secretsFingerprint?: string;
  }): LiveResource {
    const resource: { -readonly [K in keyof LiveResource]: LiveResource[K] } = {
      kind: input.kind,
      name: input.name,
      address: addressOf(input.kind, input.name),
      spec: input.spec,
      dependsOn: frozenCopy(input.dependsOn),
    };
    if (input.id !== undefined) resource.id = input.id;
    if (input.owner !== undefined) resource.owner = input.owner;
    if (input.status !== undefined) resource.status = input.status;
    if (input.secretsFingerprint !== undefined) resource.secretsFingerprint = input.secretsFingerprint;
    return Object.freeze(resource);
  },
});

const EMPTY: readonly never[] = Object.freeze([]);

/** A frozen copy of a list; every empty one is the same frozen empty list. */
function frozenCopy<T>(list: readonly T[] | undefined): readonly T[] {
  return list === undefined || list.length === 0 ? EMPTY : Object.freeze([...list]);
}
