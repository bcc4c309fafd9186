import { describe, expect, it } from "vitest";
import { DependencyCycleError, LiveStateError, SafetyRefusal } from "../errors.js";
import { DesiredResource, summarizePlan } from "../model/index.js";
import { buildDependencyGraph } from "./dependency-graph.js";
import { assemblePlan } from "./plan.js";
import { throwIfRefused } from "./refusals.js";
import { desired, live } from "./test-utils.js";

const columns = [{ name: "cid", type: "string" }];
const options = { project: "fleet" };
/** The plan, or the error of its first refusal, as the CLI sees it. */
const strictPlan = (...args: Parameters<typeof assemblePlan>) => throwIfRefused(assemblePlan(...args));

describe("assemblePlan", () => {
  it("creates parents before children", () => {
    const plan = assemblePlan(
      [
        desired("materialized_view", "agg", { query: "SELECT count() FROM fast", target_stream: "totals" }),
        desired("view", "fast", { query: "SELECT * FROM cars" }),
        desired("stream", "totals", { columns }),
        desired("stream", "cars", { columns }),
      ],
      [],
      options,
    );
    expect(plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual([
      "create stream/cars",
      "create stream/totals",
      "create view/fast",
      "create materialized_view/agg",
    ]);
    expect(plan.steps.find((s) => s.address === "materialized_view/agg")?.waitsFor).toEqual(["create:stream/totals", "create:view/fast"]);
  });

  it("says over SQL that a remote UDF can hold neither its description nor the ownership marker", () => {
    const spec = { type: "remote", arguments: [], return_type: "string", url: "http://example.com/fn" };
    const over = (inPlace: "sql" | "rest") => assemblePlan([desired("udf", "fn", spec)], [], { project: "p", inPlace }).warnings;
    expect(over("sql")).toEqual([
      expect.stringMatching(/^udf\/fn: over SQL a remote function has no COMMENT and no body, .*will not delete it$/),
    ]);
    expect(over("rest")).toEqual([]);
  });

  it("plans nothing when live matches", () => {
    const plan = assemblePlan(
      [desired("stream", "cars", { columns })],
      [live("stream", "cars", { columns, mode: "append", description: "" }, { owner: "fleet" })],
      options,
    );
    expect(plan.changes).toEqual([]);
    expect(summarizePlan(plan)).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("cascades a replace to everything that reads the replaced object, transitively", () => {
    const plan = assemblePlan(
      [
        desired("stream", "cars", { columns: [{ name: "cid", type: "int64" }] }),
        desired("view", "fast", { query: "SELECT * FROM cars" }),
        desired("view", "faster", { query: "SELECT * FROM fast" }),
      ],
      [
        live("stream", "cars", { columns }, { owner: "fleet" }),
        live("view", "fast", { query: "SELECT * FROM cars" }, { owner: "fleet", dependsOn: ["stream/cars"] }),
        live("view", "faster", { query: "SELECT * FROM fast" }, { owner: "fleet", dependsOn: ["view/fast"] }),
      ],
      options,
    );
    expect(plan.changes.map((c) => [c.action, c.address, c.reason, c.destructive])).toEqual([
      ["replace", "view/faster", "reads view/fast, which is replaced", false],
      ["replace", "view/fast", "reads stream/cars, which is replaced", false],
      ["replace", "stream/cars", "columns cannot be updated in place", true],
    ]);
    expect(plan.steps.map((s) => s.id)).toEqual([
      "delete:view/faster",
      "delete:view/fast",
      "delete:stream/cars",
      "create:stream/cars",
      "create:view/fast",
      "create:view/faster",
    ]);
  });

  it("does not replace a saved query or dashboard whose stream is replaced: their SQL is only stored text", () => {
    const plan = assemblePlan(
      [
        desired("stream", "cars", { columns: [{ name: "cid", type: "int64" }] }),
        desired("saved_query", "q", { sql: "SELECT * FROM cars" }),
      ],
      [
        live("stream", "cars", { columns }, { owner: "fleet" }),
        live("saved_query", "q", { sql: "SELECT * FROM cars" }, { owner: "fleet", id: "q1", dependsOn: ["stream/cars"] }),
      ],
      options,
    );
    expect(plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual(["replace stream/cars"]);
  });

  it("deletes only what this project owns, dependents first, and leaves the rest alone", () => {
    const plan = assemblePlan(
      [],
      [
        live("stream", "cars", { columns }, { owner: "fleet" }),
        live("view", "fast", { query: "SELECT * FROM cars" }, { owner: "fleet", dependsOn: ["stream/cars"] }),
        live("stream", "theirs", { columns }, { owner: "other" }),
        live("stream", "manual", { columns }),
      ],
      options,
    );
    expect(plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual(["delete view/fast", "delete stream/cars"]);
    expect(plan.steps.find((s) => s.address === "stream/cars")?.waitsFor).toEqual(["delete:view/fast"]);
    expect(plan.unmanaged).toEqual(["stream/manual", "stream/theirs"]);
  });

  it("updates in place what the API updates in place", () => {
    const plan = assemblePlan(
      [desired("stream", "cars", { columns }), desired("view", "fast", { query: "SELECT * FROM cars WHERE x > 1" })],
      [
        live("view", "fast", { query: "SELECT * FROM cars" }, { owner: "fleet", dependsOn: ["stream/cars"] }),
        live("stream", "cars", { columns }, { owner: "fleet" }),
      ],
      options,
    );
    expect(plan.changes.map((c) => [c.action, c.address, c.reason])).toEqual([["update", "view/fast", "query can be updated in place"]]);
  });

  it("refuses to delete something a resource it leaves in place still reads", () => {
    expect(() =>
      strictPlan(
        [],
        [
          live("stream", "cars", { columns }, { owner: "fleet" }),
          live("view", "theirs", { query: "SELECT * FROM cars" }, { dependsOn: ["stream/cars"] }),
        ],
        options,
      ),
    ).toThrow("stream/cars would be deleted, but view/theirs, which this plan leaves in place, reads it and the server would refuse");
  });

  it("refuses to delete something a declared resource still reads", () => {
    expect(() =>
      strictPlan(
        [desired("view", "fast", { query: "SELECT * FROM cars" })],
        [live("stream", "cars", { columns }, { owner: "fleet" })],
        options,
      ),
    ).toThrow(LiveStateError);
  });

  it("reports a dependency cycle by name", () => {
    expect(() =>
      strictPlan([desired("view", "a", { query: "SELECT * FROM b" }), desired("view", "b", { query: "SELECT * FROM a" })], [], options),
    ).toThrow(DependencyCycleError);
  });

  it("reports a dependency cycle in a frozen list the dependency graph has not read", () => {
    const list = Object.freeze([desired("view", "a", { query: "SELECT * FROM b" }), desired("view", "b", { query: "SELECT * FROM a" })]);
    expect(() => buildDependencyGraph(list)).toThrow(DependencyCycleError);
    expect(() => strictPlan(list, [], options)).toThrow(DependencyCycleError);
  });

  it("plans a frozen list the dependency graph found acyclic, in dependency order", () => {
    const list = Object.freeze([desired("view", "v", { query: "SELECT * FROM s" }), desired("stream", "s", { columns })]);
    const graph = buildDependencyGraph(list);
    expect(buildDependencyGraph(list)).toBe(graph);
    expect(strictPlan(list, [], options).steps.map((step) => step.id)).toEqual(["create:stream/s", "create:view/v"]);
  });

  it("refuses to replace a resource with prevent_destroy", () => {
    expect(() =>
      strictPlan(
        [desired("stream", "cars", { columns: [{ name: "x", type: "int8" }] }, { preventDestroy: true })],
        [live("stream", "cars", { columns }, { owner: "fleet" })],
        options,
      ),
    ).toThrow(SafetyRefusal);
  });

  it("drops an object before creating one of another kind under the same name", () => {
    const plan = assemblePlan(
      [desired("stream", "src", { columns }), desired("materialized_view", "fast", { query: "SELECT * FROM src" })],
      [
        live("stream", "src", { columns }, { owner: "fleet" }),
        live("view", "fast", { query: "SELECT * FROM src" }, { owner: "fleet", dependsOn: ["stream/src"] }),
      ],
      options,
    );
    expect(plan.steps.map((s) => `${s.id} <- ${s.waitsFor.join(",")}`)).toEqual([
      "delete:view/fast <- ",
      "create:materialized_view/fast <- delete:view/fast",
    ]);
  });

  it("warns that a name is held by an unmanaged object of another kind", () => {
    const plan = assemblePlan([desired("view", "recent", { query: "SELECT 1" })], [live("stream", "recent", { columns })], options);
    expect(plan.warnings).toEqual([
      'view/recent cannot be created while stream/recent, which this project does not manage, holds the name "recent"; rename one of them',
    ]);
  });

  it("warns when another project created a resource this one declares", () => {
    const plan = assemblePlan([desired("stream", "s", { columns })], [live("stream", "s", { columns }, { owner: "billing" })], options);
    expect(plan.warnings).toEqual([
      'stream/s is declared here but was created by project "billing"; two projects managing one resource will undo each other\'s changes',
    ]);
  });

  it("warns about a read of something neither declared nor live", () => {
    const plan = assemblePlan([desired("view", "v", { query: "SELECT * FROM nowhere" })], [], options);
    expect(plan.warnings).toEqual(['view/v reads "nowhere", which is neither declared in the manifests nor live']);
  });

  it("limits the plan to a target and what it needs", () => {
    const plan = assemblePlan(
      [
        desired("stream", "cars", { columns }),
        desired("view", "fast", { query: "SELECT * FROM cars" }),
        desired("stream", "other", { columns }),
      ],
      [],
      { ...options, targets: ["view/fast"] },
    );
    expect(plan.changes.map((c) => c.address)).toEqual(["stream/cars", "view/fast"]);
  });

  it("gives the same plan for the same input", () => {
    const input = [desired("stream", "b", { columns }), desired("stream", "a", { columns })];
    expect(JSON.stringify(assemblePlan(input, [], options))).toBe(JSON.stringify(assemblePlan([...input].reverse(), [], options)));
  });

  describe("renames with previous_name", () => {
    const renamed = (kind: "sink" | "stream", extra: Record<string, unknown>) =>
      DesiredResource.create({
        kind,
        name: "new_name",
        spec: { name: "new_name", ...(extra as object) },
        previousName: "old_name",
      });

    it("updates the name in place for a kind with a server id", () => {
      const plan = assemblePlan(
        [desired("stream", "s", { columns }), renamed("sink", { type: "http", query: "SELECT * FROM s" })],
        [
          live("stream", "s", { columns }, { owner: "fleet" }),
          live("sink", "old_name", { type: "http", query: "SELECT * FROM s" }, { owner: "fleet", id: "id-1", dependsOn: ["stream/s"] }),
        ],
        options,
      );
      expect(plan.changes.map((c) => [c.action, c.address, c.reason])).toEqual([
        ["update", "sink/new_name", "renamed from old_name, in place"],
      ]);
      expect(plan.changes[0]?.fieldChanges[0]).toMatchObject({ field: "name", before: "old_name", after: "new_name" });
    });

    it("replaces a kind named in its path, says what it costs, and drops readers of the old name first", () => {
      const plan = assemblePlan(
        [renamed("stream", { columns }), desired("view", "v", { query: "SELECT * FROM new_name" })],
        [
          live("stream", "old_name", { columns }, { owner: "fleet" }),
          live("view", "v", { query: "SELECT * FROM old_name" }, { owner: "fleet", dependsOn: ["stream/old_name"] }),
        ],
        options,
      );
      expect(plan.changes.map((c) => [c.action, c.address, c.destructive])).toEqual([
        ["replace", "view/v", false],
        ["replace", "stream/new_name", true],
      ]);
      expect(plan.changes[1]?.reason).toBe(
        "renamed from old_name: a stream is named in its API path, so a rename is a replace; the stream is dropped and created again, so its data or running state is lost",
      );
      expect(plan.steps.map((s) => s.id)).toEqual(["delete:view/v", "delete:stream/new_name", "create:stream/new_name", "create:view/v"]);
      expect(plan.unmanaged).toEqual([]);
    });

    it("over SQL renames a stream in place with RENAME STREAM, unless a view reads it", () => {
      const sql = { ...options, inPlace: "sql" as const };
      const alone = assemblePlan([renamed("stream", { columns })], [live("stream", "old_name", { columns }, { owner: "fleet" })], sql);
      expect(alone.changes.map((c) => [c.action, c.address, c.reason, c.destructive])).toEqual([
        ["update", "stream/new_name", "renamed from old_name, in place: RENAME STREAM, which keeps its data", false],
      ]);
      const read = assemblePlan(
        [renamed("stream", { columns }), desired("view", "v", { query: "SELECT * FROM new_name" })],
        [
          live("stream", "old_name", { columns }, { owner: "fleet" }),
          live("view", "v", { query: "SELECT * FROM old_name" }, { owner: "fleet", dependsOn: ["stream/old_name"] }),
        ],
        sql,
      );
      expect(read.changes.map((c) => [c.action, c.address])).toEqual([
        ["replace", "view/v"],
        ["replace", "stream/new_name"],
      ]);
      expect(read.changes[1]?.reason).toBe(
        "renamed from old_name: the engine renames no stream that something reads or writes (630), and view/v does; the stream is dropped and created again, so its data or running state is lost",
      );
    });

    it("is ignored once applied", () => {
      const plan = assemblePlan([renamed("stream", { columns })], [live("stream", "new_name", { columns }, { owner: "fleet" })], options);
      expect(plan.changes).toEqual([]);
    });
  });
});

describe("assemblePlan, bugs found in review", () => {
  it("replaces a stream while updating a dashboard and a saved query that read it, without a cycle", () => {
    const plan = assemblePlan(
      [
        desired("stream", "cars", { columns: [{ name: "cid", type: "int64" }] }),
        desired("saved_query", "q", { sql: "SELECT cid FROM cars" }),
        desired("dashboard", "d", {
          description: "new",
          panels: [{ id: "p", title: "P", viz_type: "chart", viz_content: "SELECT cid FROM cars" }],
        }),
      ],
      [
        live("stream", "cars", { columns }, { owner: "fleet" }),
        live("saved_query", "q", { sql: "SELECT * FROM cars" }, { owner: "fleet", id: "q1", dependsOn: ["stream/cars"] }),
        live(
          "dashboard",
          "d",
          { description: "old", panels: [{ id: "p", title: "P", viz_type: "chart", viz_content: "SELECT * FROM cars" }] },
          { owner: "fleet", id: "d1", dependsOn: ["stream/cars"] },
        ),
      ],
      options,
    );
    expect(plan.changes.map((c) => `${c.action} ${c.address}`).sort()).toEqual([
      "replace stream/cars",
      "update dashboard/d",
      "update saved_query/q",
    ]);
    const order = plan.steps.map((step) => step.id);
    // The updates still read the stream: they come after it exists again.
    expect(order.indexOf("update:saved_query/q")).toBeGreaterThan(order.indexOf("create:stream/cars"));
    expect(order.indexOf("update:dashboard/d")).toBeGreaterThan(order.indexOf("create:stream/cars"));
  });

  it("leaves alone two undeclared dashboards that share a name, and refuses only a manifest that declares it", () => {
    const twins = [
      live("dashboard", "ops", { description: "a" }, { owner: "other", id: "d1" }),
      live("dashboard", "ops", { description: "b" }, { owner: "other", id: "d2" }),
    ];
    const plan = assemblePlan(
      [desired("stream", "cars", { columns })],
      [live("stream", "cars", { columns }, { owner: "fleet" }), ...twins],
      options,
    );
    expect(plan.changes).toEqual([]);
    expect(plan.unmanaged).toEqual(["dashboard/ops"]);
    expect(plan.warnings).toContain(
      "the workspace holds 2 objects named dashboard/ops; no manifest declares the name, so tpctl leaves them all alone",
    );
    expect(() => strictPlan([desired("dashboard", "ops", { description: "a" })], twins, options)).toThrow(
      'the workspace holds 2 dashboards named "ops" (ids d1, d2); rename or delete all but one so that dashboard/ops means one object',
    );
  });
});

describe("assemblePlan, in place per driver", () => {
  const sql = { ...options, inPlace: "sql" as const };
  const target = [{ name: "n", type: "uint64" }];
  const before = [
    desired("stream", "totals", { columns: [...target, { name: "s", type: "int64" }] }),
    desired("materialized_view", "agg", { query: "SELECT count() AS n, sum(x) AS s FROM cars", target_stream: "totals" }),
  ];
  const liveNow = [
    live("stream", "cars", { columns }, { owner: "fleet" }),
    live("stream", "totals", { columns: target }, { owner: "fleet" }),
    live(
      "materialized_view",
      "agg",
      { query: "SELECT count() AS n FROM cars", target_stream: "totals" },
      { owner: "fleet", dependsOn: ["stream/cars", "stream/totals"] },
    ),
  ];
  const declared = [desired("stream", "cars", { columns }), ...before];

  it("over REST replaces a stream gaining a column and an MV whose query changed, as the REST API must", () => {
    const plan = assemblePlan(declared, liveNow, options);
    expect(plan.changes.map((c) => `${c.action} ${c.address}: ${c.reason}`)).toEqual([
      "replace materialized_view/agg: query cannot be updated in place",
      "replace stream/totals: columns cannot be updated in place",
    ]);
    expect(plan.changes.every((change) => change.fieldChanges.every((field) => field.explanation === undefined))).toBe(true);
  });

  it("over SQL updates both in place, the target stream's new column before the query that fills it", () => {
    const plan = assemblePlan(declared, liveNow, sql);
    expect(plan.changes.map((c) => `${c.action} ${c.address}: ${c.reason}`)).toEqual([
      "update stream/totals: columns can be updated in place: ALTER STREAM … ADD COLUMN s",
      "update materialized_view/agg: query can be updated in place: ALTER VIEW … MODIFY QUERY, which keeps the view's state",
    ]);
    expect(plan.changes.map((change) => change.destructive)).toEqual([false, false]);
    expect(plan.steps.find((step) => step.address === "materialized_view/agg")?.waitsFor).toEqual(["update:stream/totals"]);
  });

  it("over SQL says why a change still needs a replace, beside the fields REST's rules replace", () => {
    const plan = assemblePlan(
      [desired("stream", "cars", { columns: [{ name: "cid", type: "int64" }], mode: "versioned_kv" })],
      [live("stream", "cars", { columns, mode: "append" }, { owner: "fleet" })],
      sql,
    );
    expect(plan.changes.map((c) => `${c.action}: ${c.reason}`)).toEqual([
      "replace: mode cannot be updated in place; changing the type of column cid cannot be done in place (the engine has no MODIFY COLUMN)",
    ]);
    expect(plan.changes[0]?.destructive).toBe(true);
  });

  it("over SQL still cascades a replace to what reads the replaced stream", () => {
    const plan = assemblePlan(
      [desired("stream", "cars", { columns: [] }), desired("view", "v", { query: "SELECT * FROM cars" })],
      [
        live("stream", "cars", { columns }, { owner: "fleet" }),
        live("view", "v", { query: "SELECT * FROM cars" }, { owner: "fleet", dependsOn: ["stream/cars"] }),
      ],
      sql,
    );
    expect(plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual(["replace view/v", "replace stream/cars"]);
    expect(plan.changes[1]?.reason).toBe("removing column cid cannot be done in place (the engine has no DROP COLUMN)");
  });
});
