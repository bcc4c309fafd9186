import { describe, expect, it } from "vitest";
import { DependencyCycleError, LiveStateError, SafetyRefusal, UsageError } from "../errors.js";
import type { Address, Change, DesiredResource, LiveResource } from "../model/index.js";
import type { InferredDependencies } from "../kinds/dependencies.js";
import {
  changeFor,
  checkSelectors,
  deletesStillRead,
  deletionsOf,
  excludeFrom,
  protectedFromChange,
  scheduleSteps,
  selectTargets,
  setAsideAmbiguous,
} from "./plan.js";
import { refusal, refusalError, throwIfRefused } from "./refusals.js";
import { desired, live } from "./test-utils.js";

// Each phase of assemblePlan on its own; plan.test.ts checks them together.

const columns = [{ name: "cid", type: "string" }];
const liveStream = (name: string, owner?: string) =>
  live("stream", name, { columns, mode: "append", description: "" }, owner === undefined ? {} : { owner });
const deps = (entries: Record<string, readonly Address[]>): Map<Address, InferredDependencies> =>
  new Map(Object.entries(entries).map(([address, dependsOn]) => [address as Address, { dependsOn, unresolved: [] }]));
const byAddress = (changes: readonly Change[]): Map<Address, Change> => new Map(changes.map((change) => [change.address, change]));
const actions = (changes: Iterable<Change>) => [...changes].map((change) => `${change.action} ${change.address}`);

describe("setAsideAmbiguous", () => {
  const twins = [
    live("sink", "out", { type: "http" }, { id: "s1" }),
    live("sink", "out", { type: "http" }, { id: "s2" }),
    liveStream("cars"),
    liveStream("cars"),
  ];

  it("sets aside two objects of an id-addressed kind behind one undeclared address, and only those", () => {
    const result = setAsideAmbiguous(twins, new Set());
    expect(result.ambiguous).toEqual([{ address: "sink/out", count: 2 }]);
    expect(result.live.map((resource) => resource.address)).toEqual(["stream/cars", "stream/cars"]);
    expect(result.refusals).toEqual([]);
  });

  it("refuses when a manifest declares the address, naming the ids", () => {
    const result = setAsideAmbiguous(twins, new Set<Address>(["sink/out"]));
    expect(result.ambiguous).toEqual([]);
    expect(result.refusals.map((refused) => [refused.kind, refused.message])).toEqual([
      [
        "ambiguous_name",
        'the workspace holds 2 sinks named "out" (ids s1, s2); rename or delete all but one so that sink/out means one object',
      ],
    ]);
  });
});

describe("checkSelectors", () => {
  const declared = new Map<Address, DesiredResource>([["stream/cars", desired("stream", "cars", { columns })]]);
  const inWorkspace = new Map<Address, LiveResource>([["stream/old", liveStream("old", "fleet")]]);

  it("accepts selectors that name something declared or live", () => {
    expect(
      checkSelectors({ targets: ["stream/cars"], excludes: ["stream/old"], replaces: ["stream/cars"] }, declared, inWorkspace),
    ).toEqual([]);
  });

  it("refuses one that names nothing, and --replace of what is only live", () => {
    const refusals = checkSelectors({ targets: ["stream/crs"], replaces: ["stream/old"] }, declared, inWorkspace);
    expect(refusals.map((refused) => refused.kind)).toEqual(["unmatched_selector", "replace_undeclared"]);
    expect(refusals[1]?.meta).toEqual({ flag: "--replace", address: "stream/old" });
  });
});

describe("changeFor", () => {
  it("creates what is not live, and does nothing when nothing differs", () => {
    expect(changeFor(desired("stream", "cars", { columns }), undefined)?.action).toBe("create");
    expect(changeFor(desired("stream", "cars", { columns }), liveStream("cars", "fleet"))).toBeUndefined();
  });

  it("updates in place what the API updates in place, and replaces what it cannot", () => {
    const view = changeFor(desired("view", "v", { query: "SELECT 2" }), live("view", "v", { query: "SELECT 1" }));
    expect([view?.action, view?.reason, view?.destructive]).toEqual(["update", "query can be updated in place", false]);
    const stream = changeFor(desired("stream", "cars", { columns: [{ name: "cid", type: "int8" }] }), liveStream("cars", "fleet"));
    expect([stream?.action, stream?.reason, stream?.destructive]).toEqual(["replace", "columns cannot be updated in place", true]);
  });

  it("renames when previous_name found the old object live", () => {
    const change = changeFor(desired("stream", "cars", { columns }), undefined, liveStream("autos", "fleet"));
    expect(change?.action).toBe("replace");
    expect(change?.fieldChanges[0]).toMatchObject({ field: "name", before: "autos", after: "cars", forcesReplace: true });
  });
});

describe("deletionsOf", () => {
  it("deletes the undeclared resources this project created, and leaves the rest unmanaged", () => {
    const result = deletionsOf(
      [
        liveStream("cars", "fleet"),
        liveStream("old", "fleet"),
        liveStream("renamed", "fleet"),
        liveStream("theirs", "other"),
        liveStream("manual"),
      ],
      new Set<Address>(["stream/cars"]),
      new Set<Address>(["stream/renamed"]),
      { project: "fleet" },
    );
    expect(actions(result.deletes)).toEqual(["delete stream/old"]);
    expect(result.deletes[0]?.reason).toBe('created by project "fleet" and no longer declared');
    expect(result.unmanaged).toEqual(["stream/theirs", "stream/manual"]);
  });

  it("destroy also deletes what the manifests declare, whoever created it; drift deletes nothing", () => {
    const inWorkspace = [liveStream("cars", "other"), liveStream("old", "fleet"), liveStream("manual")];
    const destroy = deletionsOf(inWorkspace, new Set(), new Set(), {
      project: "fleet",
      mode: "destroy",
      declared: new Set(["stream/cars"]),
    });
    expect(destroy.deletes.map((change) => `${change.address}: ${change.reason}`)).toEqual([
      "stream/cars: declared in the manifests, so destroy deletes it",
      'stream/old: created by project "fleet" and no longer declared',
    ]);
    expect(destroy.unmanaged).toEqual(["stream/manual"]);
    const drift = deletionsOf(inWorkspace, new Set(), new Set(), { project: "fleet", mode: "drift" });
    expect([drift.deletes, drift.unmanaged]).toEqual([[], ["stream/cars", "stream/old", "stream/manual"]]);
  });
});

describe("the refusals of the selected changes", () => {
  const deleted = deletionsOf([liveStream("cars", "fleet")], new Set(), new Set(), { project: "fleet" }).deletes;

  it("refuses a delete that something left in place still reads, unless it reads loosely", () => {
    const reader = live("view", "theirs", { query: "SELECT * FROM cars" }, { dependsOn: ["stream/cars"] });
    const dashboard = live("dashboard", "d", {}, { id: "d1", dependsOn: ["stream/cars"] });
    const inWorkspace = new Map([reader, dashboard].map((resource) => [resource.address, resource]));
    const refusals = deletesStillRead(byAddress(deleted), new Map([["stream/cars", ["view/theirs", "dashboard/d"]]]), inWorkspace);
    expect(refusals.map((refused) => refused.kind)).toEqual(["delete_still_read"]);
    expect(refusals[0]?.message).toContain("stream/cars would be deleted, but view/theirs, which this plan leaves in place, reads it");
  });

  it("refuses to replace a resource with prevent_destroy, and lets it be updated", () => {
    const protectedStream = desired("stream", "cars", { columns: [{ name: "cid", type: "int8" }] }, { preventDestroy: true });
    const replace = changeFor(protectedStream, liveStream("cars", "fleet")) as Change;
    expect(protectedFromChange(byAddress([replace])).map((refused) => [refused.kind, refused.meta])).toEqual([
      ["prevent_destroy", { address: "stream/cars", action: "replace" }],
    ]);
    const update = changeFor(
      desired("view", "v", { query: "SELECT 2" }, { preventDestroy: true }),
      live("view", "v", { query: "SELECT 1" }),
    );
    expect(protectedFromChange(byAddress([update as Change]))).toEqual([]);
  });
});

describe("selectTargets and excludeFrom", () => {
  const changes = byAddress(
    [
      changeFor(desired("stream", "cars", { columns }), undefined),
      changeFor(desired("view", "fast", { query: "SELECT * FROM cars" }), undefined),
      changeFor(desired("stream", "other", { columns }), undefined),
    ].filter((change): change is Change => change !== undefined),
  );
  const reads = deps({ "view/fast": ["stream/cars"] });

  it("--target takes the named resource and what it needs", () => {
    expect(actions(selectTargets(changes, ["view/fast"], reads).values())).toEqual(["create stream/cars", "create view/fast"]);
  });

  it("--exclude leaves out the named resource and what reads it", () => {
    const { kept, refusals } = excludeFrom(changes, ["stream/cars"], reads, new Map());
    expect(actions(kept.values())).toEqual(["create stream/other"]);
    expect(refusals).toEqual([]);
  });
});

describe("scheduleSteps", () => {
  it("drops readers before what they read and creates them after, in one deterministic order", () => {
    const stream = changeFor(
      desired("stream", "cars", { columns: [{ name: "cid", type: "int8" }] }),
      liveStream("cars", "fleet"),
    ) as Change;
    const view = changeFor(desired("view", "fast", { query: "SELECT 2 FROM cars" }), live("view", "fast", { query: "SELECT 1 FROM cars" }));
    const cascaded: Change = {
      ...(view as Change & { action: "update" }),
      action: "replace",
      reason: "reads stream/cars, which is replaced",
    };
    const steps = scheduleSteps(
      byAddress([stream, cascaded]),
      deps({ "view/fast": ["stream/cars"] }),
      new Map([["stream/cars", ["view/fast"]]]),
    );
    expect(steps.map((step) => `${step.id} <- ${step.waitsFor.join(",")}`)).toEqual([
      "delete:view/fast <- ",
      "delete:stream/cars <- delete:view/fast",
      "create:stream/cars <- delete:stream/cars",
      "create:view/fast <- delete:view/fast,create:stream/cars",
    ]);
  });
});

describe("refusals", () => {
  it("become the error each kind always was, so the exit status and the JSON failure stay the same", () => {
    const errorOf = (kind: Parameters<typeof refusal>[0], meta = {}) => refusalError(refusal(kind, "why", meta));
    expect(errorOf("prevent_destroy", { address: "stream/cars" })).toBeInstanceOf(SafetyRefusal);
    expect(errorOf("empty_manifests")).toBeInstanceOf(SafetyRefusal);
    expect(errorOf("unmatched_selector")).toBeInstanceOf(UsageError);
    expect(errorOf("delete_still_read")).toBeInstanceOf(LiveStateError);
    const cycle = errorOf("dependency_cycle", { cycle: ["view/a", "view/b", "view/a"] });
    expect(cycle).toBeInstanceOf(DependencyCycleError);
    expect(cycle.message).toBe("dependency cycle: view/a -> view/b -> view/a");
    expect(errorOf("prevent_destroy", { address: "stream/cars" }).meta).toEqual({ address: "stream/cars" });
  });

  it("throwIfRefused throws the first refusal, and passes a plan without any", () => {
    const plan = { formatVersion: "1", changes: [], steps: [], unmanaged: [], warnings: [], refusals: [] } as const;
    expect(throwIfRefused(plan)).toBe(plan);
    expect(() => throwIfRefused({ ...plan, refusals: [refusal("reads_deleted", "first"), refusal("prevent_destroy", "second")] })).toThrow(
      new LiveStateError("first"),
    );
  });
});
