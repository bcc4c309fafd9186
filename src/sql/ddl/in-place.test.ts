import { describe, expect, it } from "vitest";
import { columnsVerdict, queryVerdict } from "./in-place.js";

const a = { name: "a", type: "int32" };
const b = { name: "b", type: "string" };
const c = { name: "c", type: "float64" };

describe("columnsVerdict", () => {
  it("takes new columns after the existing ones in place, naming them", () => {
    expect(columnsVerdict([a], [a, b, c])).toEqual({ inPlace: true, how: "ALTER STREAM … ADD COLUMN b, c" });
  });

  it("refuses what the engine has no ALTER for: a removal, a type, default, comment or codec change", () => {
    expect(columnsVerdict([a, b], [a])).toEqual({
      inPlace: false,
      why: "removing column b cannot be done in place (the engine has no DROP COLUMN)",
    });
    expect(columnsVerdict([a], [{ ...a, type: "int64" }])).toEqual({
      inPlace: false,
      why: "changing the type of column a cannot be done in place (the engine has no MODIFY COLUMN)",
    });
    for (const [key, text] of [
      ["default", "default"],
      ["comment", "comment"],
      ["codec", "codec"],
      ["ttl_expression", "TTL"],
    ]) {
      const verdict = columnsVerdict([a], [{ ...a, [key as string]: "x" }]);
      expect(verdict).toEqual({
        inPlace: false,
        why: `changing the ${text} of column a cannot be done in place (the engine has no MODIFY COLUMN)`,
      });
    }
  });

  it("appends only: a new column before an old one, or a reordering, is a replace", () => {
    expect(columnsVerdict([a, b], [a, c, b])).toEqual({
      inPlace: false,
      why: "adding column c there cannot be done in place (ADD COLUMN only appends)",
    });
    expect(columnsVerdict([a, b], [b, a])).toEqual({
      inPlace: false,
      why: "moving column b there cannot be done in place (ADD COLUMN only appends)",
    });
  });

  it("does not add a column with a skipping index in place (ADD COLUMN has no INDEX)", () => {
    const verdict = columnsVerdict([a], [a, { ...b, skipping_index_expression: "INDEX i b TYPE minmax GRANULARITY 1" }]);
    expect(verdict.inPlace).toBe(false);
  });
});

describe("queryVerdict", () => {
  const into = { hasTarget: true };

  it("changes an expression or the settings in place", () => {
    expect(queryVerdict("SELECT a + b AS res FROM s", "SELECT a - b AS res FROM s", into)).toEqual({
      inPlace: true,
      how: "ALTER VIEW … MODIFY QUERY, which keeps the view's state",
    });
    const settings = queryVerdict(
      "SELECT count() AS n FROM s SETTINGS checkpoint_interval = 5",
      "SELECT count() AS n FROM s SETTINGS checkpoint_interval = -1, recovery_policy = 'best_effort'",
      into,
    );
    expect(settings.inPlace).toBe(true);
  });

  it("adds output columns at the end when the view has a target stream", () => {
    const before = "SELECT window_start AS win_start, s, sum(i) AS total FROM tumble(src, 2s) GROUP BY window_start, s";
    const after = "SELECT window_start AS win_start, s, sum(i) AS total, max(i) AS max_i FROM tumble(src, 2s) GROUP BY window_start, s";
    expect(queryVerdict(before, after, into).inPlace).toBe(true);
    expect(queryVerdict(before, after, { hasTarget: false })).toEqual({
      inPlace: false,
      why: "adding output column max_i cannot be done in place for a materialized view without target_stream",
    });
  });

  it("refuses a removed or moved output column, and a swapped aggregate", () => {
    expect(queryVerdict("SELECT count() AS n, sum(a) AS s FROM t", "SELECT count() AS n FROM t", into)).toEqual({
      inPlace: false,
      why: "removing output column s cannot be done in place (the view's state and target keep it)",
    });
    expect(queryVerdict("SELECT a, b FROM t", "SELECT b, a FROM t", into).inPlace).toBe(false);
    expect(queryVerdict("SELECT count() AS n, sum(a) AS s FROM t", "SELECT count() AS n, sum(b) AS s FROM t", into)).toEqual({
      inPlace: false,
      why: "changing the aggregate behind output column s cannot be done in place (the view's state holds the old one)",
    });
  });

  it("refuses a new column of a streaming join and a change of preferred_exec_node", () => {
    const join = queryVerdict("SELECT a.x FROM a JOIN b ON a.k = b.k", "SELECT a.x, b.y FROM a JOIN b ON a.k = b.k", into);
    expect(join).toEqual({ inPlace: false, why: "adding output column y to a streaming join cannot be done in place" });
    const node = queryVerdict("SELECT x FROM s", "SELECT x FROM s SETTINGS preferred_exec_node = 2", into);
    expect(node).toEqual({
      inPlace: false,
      why: "changing preferred_exec_node cannot be done in place (it is fixed when the view is created)",
    });
  });

  it("keeps what the view reads: a new or dropped source is a replace", () => {
    expect(queryVerdict("SELECT a FROM s", "SELECT a FROM t", into)).toEqual({
      inPlace: false,
      why: "changing what the view reads (+t, -s) cannot be done in place (its checkpoints hold its positions in what it reads)",
    });
    expect(queryVerdict("SELECT a FROM s WHERE a IN (SELECT a FROM t)", "SELECT a FROM s", into)).toEqual({
      inPlace: false,
      why: "changing what the view reads (-t) cannot be done in place (its checkpoints hold its positions in what it reads)",
    });
  });

  it("names unaliased expressions by their text, so formatting is no change of column", () => {
    expect(queryVerdict("SELECT s.a, count(*) FROM s GROUP BY a", "select a ,  count( * ) from s group by a", into).inPlace).toBe(true);
  });

  it("replaces what tokens cannot follow (a UNION)", () => {
    expect(queryVerdict("SELECT a FROM s UNION ALL SELECT a FROM t", "SELECT a FROM s", into)).toEqual({
      inPlace: false,
      why: "tpctl cannot tell whether the new query keeps the output columns of the old one",
    });
  });
});
