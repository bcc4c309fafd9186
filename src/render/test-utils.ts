import type {
  Address,
  Change,
  CreateChange,
  DeleteChange,
  FieldChange,
  JsonObject,
  JsonValue,
  Kind,
  Plan,
  ReplaceChange,
  Step,
  StepPhase,
  UpdateChange,
} from "../model/index.js";
import { DesiredResource, LiveResource, PLAN_FORMAT_VERSION, addressOf, stepId } from "../model/index.js";

/** Builders for the plans the renderer tests draw: just enough to be valid model values. */

export function field(
  name: string,
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  extra: { isSql?: boolean; secret?: boolean; forcesReplace?: boolean } = {},
): FieldChange {
  return {
    field: name,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
    isSql: extra.isSql ?? false,
    secret: extra.secret ?? false,
    forcesReplace: extra.forcesReplace ?? false,
  };
}

export function sqlField(name: string, before: string | undefined, after: string | undefined, forcesReplace = false): FieldChange {
  return field(name, before, after, { isSql: true, forcesReplace });
}

function pair(kind: Kind, name: string, spec: JsonObject, secretPaths: readonly string[] = []) {
  return {
    desired: DesiredResource.create({ kind, name, spec: { name, ...spec }, secretPaths }),
    live: LiveResource.create({ kind, name, spec: { name, ...spec }, owner: "fleet" }),
  };
}

export function createOf(kind: Kind, name: string, spec: JsonObject = {}, extra: { secretPaths?: readonly string[] } = {}): CreateChange {
  return {
    kind,
    name,
    address: addressOf(kind, name),
    action: "create",
    reason: "declared in the manifests but not in the workspace",
    destructive: false,
    fieldChanges: [],
    desired: pair(kind, name, spec, extra.secretPaths).desired,
  };
}

export function updateOf(
  kind: Kind,
  name: string,
  fieldChanges: readonly FieldChange[],
  extra: { secretPaths?: readonly string[] } = {},
): UpdateChange {
  const { desired, live } = pair(kind, name, {}, extra.secretPaths);
  return {
    kind,
    name,
    address: addressOf(kind, name),
    action: "update",
    reason: `${fieldChanges.map((change) => change.field).join(", ")} can be updated in place`,
    destructive: false,
    fieldChanges,
    desired,
    live,
  };
}

export function replaceOf(
  kind: Kind,
  name: string,
  fieldChanges: readonly FieldChange[],
  extra: { destructive?: boolean; reason?: string; cascadedFrom?: Address } = {},
): ReplaceChange {
  const { desired, live } = pair(kind, name, {});
  return {
    kind,
    name,
    address: addressOf(kind, name),
    action: "replace",
    reason: extra.reason ?? `${fieldChanges.map((change) => change.field).join(", ")} cannot be updated in place`,
    destructive: extra.destructive ?? false,
    fieldChanges,
    desired,
    live,
    ...(extra.cascadedFrom ? { cascadedFrom: extra.cascadedFrom } : {}),
  };
}

export function deleteOf(kind: Kind, name: string, extra: { destructive?: boolean } = {}): DeleteChange {
  return {
    kind,
    name,
    address: addressOf(kind, name),
    action: "delete",
    reason: 'created by project "fleet" and no longer declared',
    destructive: extra.destructive ?? false,
    fieldChanges: [],
    live: pair(kind, name, {}).live,
  };
}

const PHASES: Readonly<Record<Change["action"], readonly StepPhase[]>> = {
  create: ["create"],
  update: ["update"],
  replace: ["delete", "create"],
  delete: ["delete"],
};

/**
 * A plan of these changes in this order. Steps follow the changes, a replace's create waiting
 * for its delete; `waits` adds more, as step id to the step ids it waits for.
 */
export function planOf(
  changes: readonly Change[],
  extra: { unmanaged?: readonly Address[]; warnings?: readonly string[]; waits?: Readonly<Record<string, readonly string[]>> } = {},
): Plan {
  const steps: Step[] = changes.flatMap((change) =>
    PHASES[change.action].map((phase) => {
      const id = stepId(phase, change.address);
      const own = change.action === "replace" && phase === "create" ? [stepId("delete", change.address)] : [];
      return { id, phase, address: change.address, waitsFor: [...own, ...(extra.waits?.[id] ?? [])] };
    }),
  );
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    changes,
    steps,
    unmanaged: extra.unmanaged ?? [],
    warnings: extra.warnings ?? [],
    refusals: [],
  };
}

/** A plan with one change of every kind of action, unmanaged resources and a warning. */
export function samplePlan(): Plan {
  return planOf(
    [
      deleteOf("materialized_view", "old_agg", { destructive: true }),
      createOf("stream", "car_live_data", {
        description: "live telemetry",
        columns: [
          { name: "cid", type: "string" },
          { name: "speed_kmh", type: "float32" },
          { name: "latitude", type: "float64" },
        ],
        logstore_retention_ms: 86400000,
      }),
      createOf("materialized_view", "fast_cars", {
        query: "SELECT cid, speed_kmh\nFROM car_live_data\nWHERE speed_kmh > 100",
      }),
      updateOf("view", "slow_cars", [
        field("description", "slow", "slow ones"),
        sqlField("query", "SELECT cid\nFROM car_live_data\nWHERE speed_kmh < 10", "SELECT cid\nFROM car_live_data\nWHERE speed_kmh < 20"),
      ]),
      replaceOf(
        "stream",
        "totals",
        [field("columns", [{ name: "n", type: "int32" }], [{ name: "n", type: "int64" }], { forcesReplace: true })],
        { destructive: true },
      ),
      replaceOf("view", "total_view", [], { reason: "reads stream/totals, which is replaced", cascadedFrom: "stream/totals" }),
    ],
    {
      unmanaged: ["stream/manual", "view/adhoc"],
      warnings: ['view/slow_cars reads "gone", which is neither declared in the manifests nor live'],
      waits: {
        "create:materialized_view/fast_cars": ["create:stream/car_live_data"],
        "delete:stream/totals": ["delete:view/total_view"],
        "create:view/total_view": ["create:stream/totals"],
      },
    },
  );
}
