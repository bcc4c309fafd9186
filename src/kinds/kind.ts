import type { JsonObject, JsonValue, Kind } from "../model/index.js";
import type { CreateRenderer, DropShape } from "../sql/ddl/index.js";
import type { FieldRule } from "./rules.js";

type Spec = Readonly<Record<string, JsonValue>>;

/** What a resource of a kind names besides itself, before resolving the names to addresses. */
export interface KindReferences {
  /** Every SQL text it runs (docs/timeplus-api.md §7): relations and functions are read from these. */
  readonly sql: readonly string[];
  /** Streams, views and tables it writes into or names by a field rather than through SQL. */
  readonly relations: readonly string[];
  /** Format schemas it reads through (an external stream's `format_schema` setting). */
  readonly schemas: readonly string[];
}

export const NO_REFERENCES: KindReferences = Object.freeze({ sql: [], relations: [], schemas: [] });

/**
 * Everything tpctl knows about one kind, in one place: manifest fields and how each is compared,
 * identity and naming, what losing one costs, what it references, how REST reaches it and where
 * an export puts it. The diff, the planner, the drivers and export read these; none of them
 * holds a per-kind fact of its own.
 */
export interface KindModule {
  readonly kind: Kind;
  /** For sentences: "materialized view". */
  readonly label: string;
  /** `id`: the API gives it a server-generated id and `name` is an ordinary, updatable field. */
  readonly identity: "name" | "id";
  /** `free`: named anything, as the Timeplus UI allows ("Fleet overview"); `identifier`: an SQL name. */
  readonly naming: "identifier" | "free";
  /** SQL reads it with `FROM name`: it shares one namespace with the other relations. */
  readonly relation: boolean;
  /** `engine`: the engine holds it and SQL DDL manages it; `appserver`: only the appserver's REST API has it. */
  readonly home: "engine" | "appserver";
  /** Losing it loses stored data or stops a running pipeline. */
  readonly destructiveToLose: boolean;
  /**
   * Its SQL is only stored text (dashboards, saved queries): the server does not hold it against
   * what it reads, so replacing what it reads does not require replacing it.
   */
  readonly readsLoosely: boolean;
  /** Over SQL the engine renames it in place (RENAME STREAM) unless something reads it (src/sql/ddl/in-place.ts). */
  readonly sqlRename?: boolean;
  readonly fields: Readonly<Record<string, FieldRule>>;
  /**
   * Over SQL, why this resource has no place for its description and ownership marker (no COMMENT,
   * no body), or undefined when it has one: its description is then not compared over SQL, and the
   * plan says that tpctl cannot own it.
   */
  readonly sqlHoldsNoMarker?: (spec: Spec) => string | undefined;
  readonly references: (spec: Spec) => KindReferences;
  /**
   * Its SQL DDL (docs/sql-ddl.md): which CREATE statement of src/sql/ddl/ renders it and what DROP
   * names. Absent for the appserver's own kinds, which have none.
   */
  readonly ddl?: { readonly create: CreateRenderer; readonly drop: DropShape };
  /**
   * JSON pointers of the values in a spec that are secret by their field's name (credentials in
   * properties or settings, a webhook URL): the API does not return them, so they are compared by
   * fingerprint and never shown. Absent: the kind holds no secret.
   */
  readonly secrets?: (spec: Spec) => readonly string[];
  /** Where it keeps SQL the engine runs, as paths into the spec (checked offline by the validator). */
  readonly sqlAt?: (spec: Spec) => readonly (readonly (string | number)[])[];
  /** Where tpctl's ownership marker goes: a format schema has no description, so into its content. Default `description`. */
  readonly marker?: "description" | "content";
  /** How the v1beta2 REST API reaches it; absent for the kinds only SQL reaches. */
  readonly rest?: {
    /** The collection, relative to `/api/v1beta2` (docs/timeplus-api.md §2). */
    readonly collection: string;
    /** `patch-changed`: a PATCH of the changed fields; `put-whole`: a PUT of the whole body; `none`: no update. */
    readonly update: "patch-changed" | "put-whole" | "none";
    /** Updated only while stopped (docs/timeplus-api.md §3.5): a running one is stopped around its update, then started again. */
    readonly stopsForUpdate?: boolean;
    /** How its REST answers read back as request fields, where the server spells a value its own way. */
    readonly readBack?: (spec: JsonObject) => JsonObject;
    /** Items its collection lists that are not of this kind. */
    readonly notOfKind?: (item: JsonObject) => boolean;
    /** Where a deployment that predates its collection (answering 404) lists it instead. */
    readonly olderCollection?: { readonly collection: string; readonly isOfKind: (item: JsonObject) => boolean };
  };
  readonly export: {
    /** The folder of this kind inside an export, e.g. `streams/car_live_data.yaml`. */
    readonly folder: string;
    /** Values the server reads back when a computed field was omitted: not written into an export. */
    readonly unset?: Readonly<Record<string, JsonValue>>;
    /**
     * Secrets the API hides on read that a resource must nonetheless have (a Slack sink's URL):
     * an export reads them from the environment rather than leave them out, which would wipe them.
     */
    readonly hiddenSecrets?: (spec: Spec) => readonly string[];
  };
}

/** The non-empty string values of `fields` in `spec`. */
export function textsOf(spec: Spec, ...fields: string[]): string[] {
  const texts: string[] = [];
  for (const field of fields) {
    const value = spec[field];
    if (typeof value === "string" && value.trim() !== "") texts.push(value);
  }
  return texts;
}

/** The non-empty names in reference fields of `spec`, e.g. a source's `stream`. */
export function namesOf(spec: Spec, ...fields: string[]): string[] {
  const names: string[] = [];
  for (const field of fields) {
    const value = spec[field];
    if (typeof value === "string" && value !== "") names.push(value);
  }
  return names;
}
