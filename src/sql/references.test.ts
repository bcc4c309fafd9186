import { describe, expect, it } from "vitest";
import { extractReferences } from "./references.js";
import { SqlSyntaxError } from "./tokenize.js";

const relations = (sql: string): readonly string[] => extractReferences(sql).relations;
const functions = (sql: string): readonly string[] => extractReferences(sql).functions;

describe("extractReferences: relations", () => {
  it("finds FROM and every kind of JOIN", () => {
    expect(
      relations(`
        SELECT * FROM a
        JOIN b ON a.id = b.id
        LEFT JOIN c USING (id)
        LEFT OUTER JOIN d ON true
        RIGHT JOIN e ON true
        INNER JOIN f ON true
        FULL OUTER JOIN g ON true
        CROSS JOIN h
        ASOF JOIN i ON a.id = i.id AND a.ts >= i.ts
        LATEST JOIN j ON a.id = j.id
        ASOF LEFT JOIN k ON a.ts >= k.ts
        ANY JOIN l USING id
        GLOBAL SEMI JOIN m USING id
      `),
    ).toEqual(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"]);
  });

  it("finds comma joins, with and without aliases", () => {
    expect(relations("SELECT * FROM a, b AS x, c y, d WHERE a.k = x.k")).toEqual(["a", "b", "c", "d"]);
  });

  it("drops a database qualifier and keeps first-seen order without duplicates", () => {
    expect(relations("SELECT * FROM db.b JOIN a ON true JOIN default.b ON true JOIN a ON true")).toEqual(["b", "a"]);
  });

  it("unquotes backtick and double-quoted names", () => {
    expect(relations('SELECT * FROM `my stream` JOIN "db"."select" ON true JOIN `db`.`x` ON true')).toEqual(["my stream", "select", "x"]);
  });

  it("ignores keywords in any case only when they are keywords", () => {
    expect(relations("select * from A inner join B on true")).toEqual(["A", "B"]);
    expect(relations("SELECT `from`, 'FROM x' AS `join` FROM s")).toEqual(["s"]);
  });

  it("ignores FROM and JOIN in comments and strings", () => {
    expect(
      relations(`
        -- FROM old_stream
        SELECT 'FROM quoted JOIN q', "FROM" /* JOIN hidden */ FROM s
        WHERE note != 'x FROM y'
      `),
    ).toEqual(["s"]);
  });

  it("finds relations inside window functions and table()", () => {
    expect(relations("SELECT * FROM table(a)")).toEqual(["a"]);
    expect(relations("SELECT * FROM tumble(b, 5s)")).toEqual(["b"]);
    expect(relations("SELECT * FROM tumble(b, ts, 5s)")).toEqual(["b"]);
    expect(relations("SELECT * FROM hop(c, 1s, 5s) AS w")).toEqual(["c"]);
    expect(relations("SELECT * FROM session(d, 5s, [a > 1, a < 0])")).toEqual(["d"]);
    expect(relations("SELECT * FROM dedup(e, id, 60s)")).toEqual(["e"]);
    expect(relations("SELECT * FROM changelog(f, id)")).toEqual(["f"]);
    expect(relations("SELECT * FROM TUMBLE(g, 5s)")).toEqual(["g"]);
  });

  it("finds relations inside nested window functions and qualified names inside them", () => {
    expect(relations("SELECT * FROM tumble(table(db.x), 5s)")).toEqual(["x"]);
    expect(relations("SELECT * FROM dedup(tumble(y, 1m), id) JOIN table(z) AS t ON true")).toEqual(["y", "z"]);
    expect(relations("SELECT * FROM tumble((SELECT * FROM inner_s), 5s)")).toEqual(["inner_s"]);
  });

  it("does not take other table functions for relations", () => {
    expect(relations("SELECT * FROM numbers(10)")).toEqual([]);
    expect(relations("SELECT * FROM generate_random('a int, b string', 10) JOIN s ON true")).toEqual(["s"]);
  });

  it("does not take a subquery or an alias for a name", () => {
    expect(relations("SELECT * FROM (SELECT * FROM a) AS sub JOIN (SELECT * FROM b) sub2 ON sub.k = sub2.k")).toEqual(["a", "b"]);
  });

  it("finds relations in subqueries, unions and IN (SELECT …)", () => {
    expect(
      relations(`
        SELECT * FROM a WHERE id IN (SELECT id FROM b WHERE x NOT IN (SELECT x FROM c))
        UNION ALL
        SELECT * FROM d WHERE EXISTS (SELECT 1 FROM e)
        UNION DISTINCT
        SELECT (SELECT max(v) FROM f) AS m, * FROM g
      `),
    ).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
  });

  it("finds a relation used as the set of IN, but not an alias", () => {
    expect(relations("SELECT * FROM s WHERE id IN blocked AND k GLOBAL NOT IN db.other")).toEqual(["s", "blocked", "other"]);
    expect(relations("WITH [1, 2] AS ids SELECT * FROM s WHERE id IN ids OR id IN (1, 2) OR id IN tuple(3)")).toEqual(["s"]);
  });

  it("excludes ARRAY JOIN, which joins a column", () => {
    expect(relations("SELECT * FROM s ARRAY JOIN tags AS tag LEFT ARRAY JOIN items JOIN t ON true")).toEqual(["s", "t"]);
  });

  it("ignores FROM and IN inside function arguments", () => {
    expect(relations("SELECT extract(DAY FROM ts), trim(BOTH ' ' FROM name), substring(s FROM 2), position(a IN b) FROM real_s")).toEqual([
      "real_s",
    ]);
  });

  it("still finds a subquery inside function arguments", () => {
    expect(relations("SELECT has((SELECT groupArray(id) FROM allowed), id), exists(SELECT 1 FROM other) FROM s")).toEqual([
      "allowed",
      "other",
      "s",
    ]);
  });

  it("ignores WITH TOTALS / WITH FILL / WITH TIES / WITH DELAY", () => {
    expect(
      relations(
        "SELECT k, count() FROM s GROUP BY k WITH TOTALS ORDER BY k WITH FILL LIMIT 5 WITH TIES EMIT AFTER WATERMARK WITH DELAY 2s",
      ),
    ).toEqual(["s"]);
  });

  describe("CTEs", () => {
    it("excludes a CTE name", () => {
      expect(relations("WITH recent AS (SELECT * FROM clicks WHERE ts > now() - 1h) SELECT * FROM recent")).toEqual(["clicks"]);
    });

    it("excludes several CTE names, a later one reading an earlier one", () => {
      expect(
        relations(`
          WITH a AS (SELECT * FROM s1),
               b AS (SELECT * FROM a JOIN s2 ON true)
          SELECT * FROM b JOIN a ON true JOIN table(b) AS t ON true, tumble(a, 5s)
        `),
      ).toEqual(["s1", "s2"]);
    });

    it("excludes a CTE name in subqueries and union branches of its query", () => {
      expect(
        relations("WITH c AS (SELECT * FROM s) SELECT * FROM c WHERE id IN (SELECT id FROM c) UNION ALL SELECT * FROM c WHERE k IN c"),
      ).toEqual(["s"]);
    });

    it("reads the real relation inside a CTE that shadows it, and the CTE after", () => {
      expect(relations("WITH orders AS (SELECT * FROM orders WHERE valid) SELECT * FROM orders")).toEqual(["orders"]);
      expect(relations("WITH orders AS (SELECT 1) SELECT * FROM orders")).toEqual([]);
    });

    it("keeps a database-qualified name even when a CTE has the same bare name", () => {
      expect(relations("WITH x AS (SELECT 1) SELECT * FROM x JOIN db.x ON true")).toEqual(["x"]);
    });

    it("scopes a CTE defined in a subquery to that subquery", () => {
      expect(relations("SELECT * FROM (WITH a AS (SELECT * FROM s) SELECT * FROM a) AS sub JOIN a ON true")).toEqual(["s", "a"]);
    });

    it("excludes quoted CTE names", () => {
      expect(relations("WITH `my cte` AS (SELECT * FROM s) SELECT * FROM `my cte`")).toEqual(["s"]);
    });

    it("reads relations in ClickHouse's WITH <expression> AS alias", () => {
      expect(relations("WITH (SELECT max(ts) FROM marks) AS last_mark, 10 AS n SELECT * FROM s WHERE ts > last_mark")).toEqual([
        "marks",
        "s",
      ]);
    });

    it("does not let CTEs of one statement hide names in the next", () => {
      expect(relations("WITH a AS (SELECT 1) SELECT * FROM a; SELECT * FROM a")).toEqual(["a"]);
    });
  });

  it("reads the SELECT of an INSERT but not its target", () => {
    expect(relations("INSERT INTO target (a, b) SELECT a, b FROM source")).toEqual(["source"]);
  });

  it("returns nothing for a query without relations", () => {
    expect(extractReferences("SELECT 1")).toEqual({ relations: [], functions: [] });
  });

  it("throws SqlSyntaxError on SQL it cannot tokenize", () => {
    expect(() => extractReferences("SELECT * FROM s WHERE a = 'x")).toThrow(SqlSyntaxError);
  });
});

describe("extractReferences: functions", () => {
  it("lists every call as written, in first-seen order, without duplicates", () => {
    expect(
      functions("SELECT count(), my_udf(a, lower (b)), count(*), COUNT(c), `odd udf`(x) FROM tumble(table(s), 5s) WHERE my_udf(z) > 0"),
    ).toEqual(["count", "my_udf", "lower", "COUNT", "odd udf", "tumble", "table"]);
  });

  it("ignores names in comments and strings", () => {
    expect(functions("SELECT 'f(x)' -- g(y)\n /* h(z) */ FROM s")).toEqual([]);
  });

  it("does not take keywords before a parenthesis for calls, except function-named ones", () => {
    expect(functions("SELECT * FROM s WHERE k IN (1) AND EXISTS (SELECT 1) OVER (PARTITION BY k) USING (k)")).toEqual([]);
    expect(functions("SELECT left(s, 2), any(x), array(1, 2) FROM t LEFT JOIN u ON true")).toEqual(["left", "any", "array"]);
  });

  it("does not take type names for calls", () => {
    expect(functions("SELECT CAST(x AS Decimal(10, 2)), y::Array(Nullable(String)), to_int(z) FROM s")).toEqual(["CAST", "to_int"]);
  });

  it("does not take a CTE definition or an INSERT column list for a call", () => {
    expect(functions("WITH a AS (SELECT 1), b AS (SELECT 2) INSERT INTO t (x) SELECT f(1) FROM a")).toEqual(["f"]);
  });

  it("includes lambdas' inner calls and nested calls", () => {
    expect(functions("SELECT array_map(x -> plus_one(x), arr) FROM s")).toEqual(["array_map", "plus_one"]);
  });
});

describe("relations named like keywords", () => {
  it.each([
    ["SELECT * FROM ties", ["ties"]],
    ["SELECT * FROM rollup", ["rollup"]],
    ["SELECT * FROM a JOIN left ON a.id = left.id", ["a", "left"]],
    ["SELECT * FROM right AS r LEFT JOIN a ON r.id = a.id", ["right", "a"]],
    ["SELECT * FROM default.left", ["left"]],
    ["WITH ties AS (SELECT * FROM a) SELECT * FROM ties", ["a"]],
    ["SELECT x FROM a ORDER BY x LIMIT 3 WITH TIES", ["a"]],
    ["SELECT k, count() FROM a GROUP BY k WITH ROLLUP", ["a"]],
  ])("%s reads %j", (sql, relations) => {
    expect(extractReferences(sql).relations).toEqual(relations);
  });
});
