import { describe, expect, it } from "vitest";
import type { JsonValue } from "../model/index.js";
import { ApiFailure } from "./errors.js";
import { checkQuery, deriveColumns } from "./query.js";

function failureOf(run: () => unknown): { status: number; code: number; system: string; message: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    return { status: error.status, code: error.code, system: error.system, message: error.message };
  }
}

describe("checkQuery", () => {
  it("returns the relations a valid query reads", () => {
    expect(checkQuery("WITH r AS (SELECT * FROM a) SELECT x FROM r JOIN b ON r.id = b.id;").relations).toEqual(["a", "b"]);
  });

  it.each([
    ["SELECT window_start, count() FROM session(s, ts, 5s, [a = 1, a = 2)) GROUP BY window_start", ["s"]],
    ["SELECT count() FROM session(s, 5s, (a = 1, a = 2]) JOIN t ON s.id = t.id", ["s", "t"]],
    ["(SELECT 1) UNION ALL (SELECT 2)", []],
    ["((SELECT x FROM a)) UNION ALL (SELECT x FROM b)", ["a", "b"]],
    ["SELECT x // the column\nFROM a", ["a"]],
  ])("accepts valid Timeplus SQL the engine accepts: %s", (query, relations) => {
    expect(checkQuery(query).relations).toEqual(relations);
  });

  it.each([
    ["", "Syntax error: empty query"],
    ["  -- only a comment", "Syntax error: empty query"],
    ["DROP STREAM cars", "Syntax error at position 0 ('DROP'): the query must start with SELECT or WITH"],
    ["SELECT 'abc FROM cars", "SQL syntax error: string literal starting at offset 7 (line 1, column 8) is never closed"],
    ["SELECT count(x FROM cars", "Syntax error at position 12 ('('): unbalanced parentheses, never closed"],
    ["SELECT x) FROM cars", "Syntax error at position 8 (')'): unbalanced parentheses"],
    ["SELECT [1, 2) FROM cars", "Syntax error at position 12 (')'): unbalanced parentheses"],
    ["SELECT 1; SELECT 2", "Syntax error at position 8 (';'): multi-statements are not allowed"],
  ])("refuses %j with 62 SYNTAX_ERROR", (query, message) => {
    expect(failureOf(() => checkQuery(query))).toEqual({ status: 400, code: 62, system: "proton", message });
  });
});

describe("deriveColumns", () => {
  const cars: JsonValue[] = [
    { name: "cid", type: "string", default: "", codec: "", nullable: false },
    { name: "speed", type: "nullable(float32)", default: "", codec: "CODEC(ZSTD(1))", nullable: true },
  ];
  const lookup = (name: string): readonly JsonValue[] | undefined => (name === "cars" ? cars : undefined);
  const summary = (query: string): string[] =>
    deriveColumns(query, lookup).map(
      (column) => `${String(column["name"])}: ${String(column["type"])}${column["nullable"] ? " (nullable)" : ""}`,
    );

  it("expands * to the columns of the relation read, without their codecs or defaults", () => {
    expect(deriveColumns("SELECT * FROM default.cars", lookup)).toEqual([
      { name: "cid", type: "string", default: "", codec: "", nullable: false },
      { name: "speed", type: "nullable(float32)", default: "", codec: "", nullable: true },
    ]);
  });

  it("names columns by alias, plain name or expression text, typing what it can", () => {
    expect(
      summary("SELECT DISTINCT c.cid, speed AS s, speed * 2 doubled, count() AS n, count(*), lower(cid) FROM cars AS c WHERE speed > 1"),
    ).toEqual(["cid: string", "s: nullable(float32) (nullable)", "doubled: string", "n: uint64", "count(*): uint64", "lower(cid): string"]);
  });

  it("reads through windows and CTEs to the main SELECT", () => {
    expect(
      summary("WITH x AS (SELECT 1 AS y) SELECT window_start, cid, count() AS n FROM tumble(cars, 5s) GROUP BY window_start, cid"),
    ).toEqual(["window_start: datetime64(3, 'UTC')", "cid: string", "n: uint64"]);
  });

  it("gives string columns when the relation is unknown, and nothing for a query it cannot read", () => {
    expect(summary("SELECT a, * FROM elsewhere")).toEqual(["a: string"]);
    expect(deriveColumns("SELECT 'unterminated", lookup)).toEqual([]);
  });
});
