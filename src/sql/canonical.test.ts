import { describe, expect, it } from "vitest";
import { canonicalizeSql, formatSql } from "./canonical.js";
import { SqlSyntaxError } from "./tokenize.js";

describe("canonicalizeSql", () => {
  it("writes one fixed layout", () => {
    const sql = `
      -- clicks per page, every 5 seconds
      SELECT window_start , page, count( * ) AS n   /* total */
      FROM tumble( table(\`web\`.clicks) , 5s )
      WHERE page IN ('a','b') AND tags[ 1 ] != ''
      GROUP BY window_start, page
      EMIT PERIODIC 5s ;
    `;
    expect(canonicalizeSql(sql)).toMatchInlineSnapshot(
      `"select window_start, page, count(*) as n from tumble(table(web.clicks), 5s) where page in ('a', 'b') and tags[1] != '' group by window_start, page emit periodic 5s"`,
    );
  });

  it("makes whitespace, keyword case, comments and trailing semicolons vanish", () => {
    const variants = [
      "SELECT a, b FROM s WHERE x = 1",
      "select a,b from s where x=1;",
      "  Select\ta ,\n b\nFrom s -- note FROM t\nWHERE x = 1 ;; ",
      "SELECT /* FROM t */ a, b FROM s WHERE (x = 1)".replace("(x = 1)", "x = 1"),
      "SELECT a, b FROM s WHERE x = 1 -- the end",
    ];
    expect(new Set(variants.map(canonicalizeSql))).toEqual(new Set(["select a, b from s where x = 1"]));
  });

  it("spaces calls and brackets the same way whatever the input did", () => {
    expect(canonicalizeSql("f (x) IN(1,2) OVER(PARTITION BY k) arr [1] LEFT( s, 3 ) x::Array( String )")).toBe(
      "f(x) in (1, 2) over (partition by k) arr[1] LEFT(s, 3) x :: Array(String)",
    );
  });

  it("writes a quoted identifier bare when it needs no quotes", () => {
    expect(canonicalizeSql('SELECT `a`, "b" FROM `db`.`clicks`')).toBe(canonicalizeSql("SELECT a, b FROM db.clicks"));
  });

  it("keeps quotes an identifier needs, in one quoting style", () => {
    expect(canonicalizeSql('SELECT "from", `my col`, "a`b" FROM s')).toBe("select `from`, `my col`, `a\\`b` from s");
    expect(canonicalizeSql('SELECT "my col"')).toBe(canonicalizeSql("SELECT `my col`"));
  });

  it("treats a keyword-like name after a dot as a name", () => {
    expect(canonicalizeSql("SELECT t.`order` FROM t")).toBe(canonicalizeSql("SELECT t.order FROM t"));
  });

  it("leaves string literals untouched", () => {
    expect(canonicalizeSql("SELECT 'A  -- B',   'it''s'")).toBe("select 'A  -- B', 'it''s'");
  });

  it("keeps statements apart in a multi-statement text", () => {
    expect(canonicalizeSql("SELECT 1 ;\nSELECT 2;")).toBe("select 1; select 2");
  });

  it.each([
    ["a literal", "SELECT * FROM s WHERE x = 1", "SELECT * FROM s WHERE x = 2"],
    ["a string", "SELECT * FROM s WHERE x = 'a'", "SELECT * FROM s WHERE x = 'A'"],
    ["whitespace inside a string", "SELECT 'a b'", "SELECT 'a  b'"],
    ["an identifier", "SELECT a FROM s", "SELECT b FROM s"],
    ["identifier case", "SELECT Page FROM s", "SELECT page FROM s"],
    ["function case", "SELECT count() FROM s", "SELECT COUNT() FROM s"],
    ["a relation", "SELECT * FROM s", "SELECT * FROM db.s"],
    ["an operator", "SELECT * FROM s WHERE x < 1", "SELECT * FROM s WHERE x <= 1"],
    ["a duration", "SELECT * FROM tumble(s, 5s)", "SELECT * FROM tumble(s, 5m)"],
    ["an alias", "SELECT * FROM tumble(s, 5 s)", "SELECT * FROM tumble(s, 5s)"],
    ["a quoted keyword", "SELECT `select` FROM s", "SELECT select FROM s"],
    ["a name with a space", "SELECT `a b`", "SELECT a b"],
    ["a comment-looking string", "SELECT '--x'", "SELECT --x"],
  ])("tells queries apart that differ in %s", (_what, a, b) => {
    expect(canonicalizeSql(a)).not.toBe(canonicalizeSql(b));
  });

  it("throws SqlSyntaxError on SQL it cannot tokenize", () => {
    expect(() => canonicalizeSql("SELECT 'x")).toThrow(SqlSyntaxError);
  });
});

describe("keywords by position", () => {
  it.each([
    ["SELECT count() FROM s EMIT ON UPDATE WITH DELAY 1s", "select count() from s emit on update with delay 1s"],
    ["SELECT count() FROM s EMIT AFTER WATERMARK AND DELAY 2s", "select count() from s emit after watermark and delay 2s"],
    ["SELECT count() FROM tumble(s, 5s) GROUP BY window_start EMIT AFTER WINDOW CLOSE WITH DELAY 1s", null],
    ["SELECT * FROM s EMIT CHANGELOG", null],
    ["SELECT count() FROM s EMIT LAST 1h ON PROCTIME", null],
    ["SELECT count() FROM s EMIT PERIODIC 5s REPEAT", null],
    ["SELECT count() FROM s EMIT STREAM PERIODIC 1s", null],
    ["SELECT count() FROM s EMIT TIMEOUT 5s", null],
    ["SELECT now() - INTERVAL 5 SECOND, INTERVAL '1' DAY, INTERVAL (n + 1) HOUR FROM s", null],
    ["SELECT extract(DAY FROM ts) FROM s", null],
    ["SELECT count() FROM s SHUFFLE BY k GROUP BY k", null],
    ["SELECT n FROM s ORDER BY n WITH FILL FROM 1 TO 10 STEP 1", null],
    ["SELECT x FROM s ORDER BY x DESC NULLS FIRST, y NULLS LAST", null],
    ["SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM s", null],
    ["SELECT sum(x) OVER (ORDER BY t RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM s", null],
  ])("ignores the case of %s", (sql, expected) => {
    const swapped = sql.replace(/[A-Za-z_]+/g, (word) =>
      word === word.toUpperCase() ? word.toLowerCase() : word.toUpperCase() === word ? word : word,
    );
    const lower = sql.replace(/\b[A-Z][A-Z_]+\b/g, (word) => word.toLowerCase());
    expect(canonicalizeSql(lower)).toBe(canonicalizeSql(sql));
    expect(canonicalizeSql(swapped)).toBe(canonicalizeSql(sql));
    if (expected !== null) expect(canonicalizeSql(sql)).toBe(expected);
  });

  it("keeps the case of the same words used as names elsewhere", () => {
    expect(canonicalizeSql("SELECT first, last, range(3), step, day, stream FROM s")).toBe(
      "select first, last, range(3), step, day, stream from s",
    );
    expect(canonicalizeSql("SELECT First FROM s")).not.toBe(canonicalizeSql("SELECT first FROM s"));
    expect(canonicalizeSql("SELECT x FROM s ORDER BY Last")).not.toBe(canonicalizeSql("SELECT x FROM s ORDER BY last"));
    expect(canonicalizeSql("SELECT x FROM s ORDER BY x NULLS Last")).toBe(canonicalizeSql("SELECT x FROM s ORDER BY x NULLS LAST"));
  });
});

describe("formatSql", () => {
  it("puts each clause of the outer query on its own line, keywords upper-case", () => {
    const sql = "select k, count() as n from s left join t on s.id = t.id where x > interval 1 day group by k emit periodic 5s -- c";
    expect(formatSql(sql)).toBe(
      "SELECT k, count() AS n\nFROM s\nLEFT JOIN t ON s.id = t.id\nWHERE x > INTERVAL 1 DAY\nGROUP BY k\nEMIT PERIODIC 5s",
    );
  });

  it("means the same query", () => {
    const sql = "SELECT left(s, 2), first FROM (SELECT * FROM a UNION ALL SELECT * FROM b) ORDER BY first NULLS LAST";
    expect(canonicalizeSql(formatSql(sql))).toBe(canonicalizeSql(sql));
  });
});
