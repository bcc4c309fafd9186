import { describe, expect, it } from "vitest";
import { isPlainIdentifier } from "./identifiers.js";
import { significantTokens, SqlSyntaxError, tokenizeSql, tokensWithoutWhitespace, type Token } from "./tokenize.js";

/** `type:text` of every token that is not whitespace, for compact exact assertions. */
function brief(sql: string): string[] {
  return tokenizeSql(sql)
    .filter((token) => token.type !== "whitespace")
    .map((token) => `${token.type}:${token.text}`);
}

function only(sql: string): Token {
  const tokens = tokenizeSql(sql);
  expect(tokens).toHaveLength(1);
  return tokens[0] as Token;
}

function syntaxError(sql: string): SqlSyntaxError {
  try {
    tokenizeSql(sql);
  } catch (error) {
    if (error instanceof SqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a SqlSyntaxError for ${sql}`);
}

describe("tokenizeSql", () => {
  it("covers the input exactly, with contiguous offsets", () => {
    const sql = [
      'WITH recent AS (SELECT * FROM `db`."clicks" -- last hour',
      "  WHERE ts > now() - INTERVAL 1 HOUR)",
      "/* the window */ SELECT window_start, count(*) AS n, 'it''s' || '\\n'",
      "FROM tumble(recent, 5s) GROUP BY window_start EMIT PERIODIC 1m;\t",
    ].join("\n");
    const tokens = tokenizeSql(sql);
    expect(tokens.map((token) => token.text).join("")).toBe(sql);
    let offset = 0;
    for (const token of tokens) {
      expect(token.start).toBe(offset);
      expect(token.end).toBe(offset + token.text.length);
      offset = token.end;
    }
    expect(offset).toBe(sql.length);
  });

  it("splits a query into typed tokens", () => {
    expect(brief("SELECT a.b, count(*) FROM s WHERE x >= 1.5;")).toEqual([
      "keyword:SELECT",
      "identifier:a",
      "punctuation:.",
      "identifier:b",
      "punctuation:,",
      "identifier:count",
      "punctuation:(",
      "operator:*",
      "punctuation:)",
      "keyword:FROM",
      "identifier:s",
      "keyword:WHERE",
      "identifier:x",
      "operator:>=",
      "number:1.5",
      "punctuation:;",
    ]);
  });

  it("keeps runs of whitespace as one token", () => {
    expect(tokenizeSql("a \n\t b").map((token) => [token.type, token.text])).toEqual([
      ["identifier", "a"],
      ["whitespace", " \n\t "],
      ["identifier", "b"],
    ]);
  });

  it("detects keywords in any case and gives their upper-case value", () => {
    const tokens = tokenizeSql("select SeLeCt FROM").filter((token) => token.type === "keyword");
    expect(tokens.map((token) => [token.text, token.value])).toEqual([
      ["select", "SELECT"],
      ["SeLeCt", "SELECT"],
      ["FROM", "FROM"],
    ]);
  });

  it("treats a word after a dot as a name part, not a keyword", () => {
    expect(brief("t.order, db . select")).toEqual([
      "identifier:t",
      "punctuation:.",
      "identifier:order",
      "punctuation:,",
      "identifier:db",
      "punctuation:.",
      "identifier:select",
    ]);
  });

  it("accepts non-ASCII letters and $ in identifiers", () => {
    expect(brief("SELECT größe, a$b")).toEqual(["keyword:SELECT", "identifier:größe", "punctuation:,", "identifier:a$b"]);
  });

  describe("quoted identifiers", () => {
    it("keeps a quoted keyword an identifier", () => {
      expect(only('"from"')).toEqual({ type: "quoted_identifier", text: '"from"', value: "from", start: 0, end: 6 });
      expect(only("`SELECT`").value).toBe("SELECT");
    });

    it("resolves doubled quotes and backslash escapes", () => {
      expect(only("`a``b`").value).toBe("a`b");
      expect(only('"a""b"').value).toBe('a"b');
      expect(only("`a\\`b`").value).toBe("a`b");
      expect(only('"my stream"').value).toBe("my stream");
    });
  });

  describe("strings", () => {
    it("resolves '' and backslash escapes in the value, keeps the text", () => {
      expect(only("'it''s'")).toEqual({ type: "string", text: "'it''s'", value: "it's", start: 0, end: 7 });
      expect(only("'it\\'s'").value).toBe("it's");
      expect(only("'a\\nb\\t\\\\'").value).toBe("a\nb\t\\");
      expect(only("'\\x41\\0'").value).toBe("A\0");
    });

    it("keeps the backslash of an unknown escape, as ClickHouse does", () => {
      expect(only("'\\d+ 100\\%'").value).toBe("\\d+ 100\\%");
    });

    it("does not see comments or quotes of another kind inside a string", () => {
      expect(brief("'-- no /* no' \"x\"")).toEqual(["string:'-- no /* no'", 'quoted_identifier:"x"']);
    });

    it("reads heredoc strings", () => {
      expect(brief("AS $$ return 'a'; $$, $js$ x $js$")).toEqual([
        "keyword:AS",
        "string:$$ return 'a'; $$",
        "punctuation:,",
        "string:$js$ x $js$",
      ]);
      expect(tokenizeSql("$$ return 1 $$")[0]?.value).toBe(" return 1 ");
    });
  });

  describe("comments", () => {
    it("reads line comments up to the newline and block comments", () => {
      expect(tokenizeSql("a -- x FROM y\nb /* FROM\n z */ c").map((token) => `${token.type}:${token.text}`)).toEqual([
        "identifier:a",
        "whitespace: ",
        "comment:-- x FROM y",
        "whitespace:\n",
        "identifier:b",
        "whitespace: ",
        "comment:/* FROM\n z */",
        "whitespace: ",
        "identifier:c",
      ]);
    });

    it("reads a line comment at the end of the input", () => {
      expect(brief("a --")).toEqual(["identifier:a", "comment:--"]);
    });

    it("does not treat # as a comment", () => {
      expect(brief("a # b")).toEqual(["identifier:a", "operator:#", "identifier:b"]);
    });
  });

  describe("numbers", () => {
    it("reads integers, decimals, exponents, hex, binary and digit separators", () => {
      const numbers = brief("1, 1.5, 1., .5, 1e10, 1.5E-3, 2e+2, 0x1F, 0b101, 1_000_000");
      expect(numbers.filter((token) => token !== "punctuation:,")).toEqual([
        "number:1",
        "number:1.5",
        "number:1.",
        "number:.5",
        "number:1e10",
        "number:1.5E-3",
        "number:2e+2",
        "number:0x1F",
        "number:0b101",
        "number:1_000_000",
      ]);
    });

    it("reads Timeplus durations as one number", () => {
      expect(brief("tumble(s, 5s) hop(s, 1s, 2h) 100ms 3d 1w 2M 1y 10us")).toEqual([
        "identifier:tumble",
        "punctuation:(",
        "identifier:s",
        "punctuation:,",
        "number:5s",
        "punctuation:)",
        "identifier:hop",
        "punctuation:(",
        "identifier:s",
        "punctuation:,",
        "number:1s",
        "punctuation:,",
        "number:2h",
        "punctuation:)",
        "number:100ms",
        "number:3d",
        "number:1w",
        "number:2M",
        "number:1y",
        "number:10us",
      ]);
    });

    it("does not take a longer word for a duration", () => {
      expect(brief("5sec 1e")).toEqual(["number:5", "identifier:sec", "number:1", "identifier:e"]);
    });

    it("reads tuple access after a dot as integers, and .5 after an operand as a dot", () => {
      expect(brief("t.1.2 x .5")).toEqual([
        "identifier:t",
        "punctuation:.",
        "number:1",
        "punctuation:.",
        "number:2",
        "identifier:x",
        "punctuation:.",
        "number:5",
      ]);
    });
  });

  it("reads operators longest first, and punctuation", () => {
    expect(brief("a::b -> <=> <= >= != <> || == = < > + - * / % ? : ( ) , . ; [ ] { }")).toEqual([
      "identifier:a",
      "operator:::",
      "identifier:b",
      "operator:->",
      "operator:<=>",
      "operator:<=",
      "operator:>=",
      "operator:!=",
      "operator:<>",
      "operator:||",
      "operator:==",
      "operator:=",
      "operator:<",
      "operator:>",
      "operator:+",
      "operator:-",
      "operator:*",
      "operator:/",
      "operator:%",
      "operator:?",
      "operator::",
      "punctuation:(",
      "punctuation:)",
      "punctuation:,",
      "punctuation:.",
      "punctuation:;",
      "punctuation:[",
      "punctuation:]",
      "punctuation:{",
      "punctuation:}",
    ]);
  });

  describe("errors", () => {
    it("reports an unterminated string with its offset, line and column", () => {
      const error = syntaxError("SELECT *\nFROM s WHERE a = 'oops");
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe("SqlSyntaxError");
      expect([error.offset, error.line, error.column]).toEqual([26, 2, 18]);
      expect(error.message).toMatchInlineSnapshot(
        `"SQL syntax error: string literal starting at offset 26 (line 2, column 18) is never closed"`,
      );
    });

    it("does not take an escaped quote for the end of a string", () => {
      expect(syntaxError("'abc\\'").offset).toBe(0);
      expect(syntaxError("x = 'a''").offset).toBe(4);
    });

    it("reports unterminated quoted identifiers, block comments and heredocs", () => {
      expect(syntaxError('SELECT "abc').message).toMatchInlineSnapshot(
        `"SQL syntax error: double-quoted identifier starting at offset 7 (line 1, column 8) is never closed"`,
      );
      expect(syntaxError("SELECT `abc").message).toContain("backtick-quoted identifier starting at offset 7");
      expect(syntaxError("SELECT 1 /* x").message).toContain("block comment starting at offset 9");
      expect(syntaxError("AS $$ x").message).toContain("heredoc string starting at offset 3");
    });
  });
});

describe("isPlainIdentifier", () => {
  it("accepts names that need no quotes", () => {
    expect(["clicks", "_tp_time", "a1", "größe"].map(isPlainIdentifier)).toEqual([true, true, true, true]);
  });

  it("rejects keywords, empty names and names with other characters", () => {
    expect(["from", "SELECT", "", "1a", "my stream", "a-b", "a.b"].map(isPlainIdentifier)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("// comments", () => {
  it("run to the end of the line, as in ClickHouse's lexer", () => {
    const tokens = tokenizeSql("SELECT 1 // one\n/ 2");
    expect(tokens.filter((token) => token.type === "comment").map((token) => token.text)).toEqual(["// one"]);
    expect(tokens.filter((token) => token.type === "operator").map((token) => token.text)).toEqual(["/"]);
  });
});

const SAMPLES = [
  "SELECT a, b -- the columns\nFROM t /* a table */ WHERE x > .5 AND t.1 = 2",
  "  \n\tSELECT  $tag$ body $tag$ , 'it''s' , `q`.`r` // trailing",
  "SELECT 1_000, 0x1F, 5s, a::Array(String) FROM tumble(s, 5s) EMIT PERIODIC 1m",
  "SELECT 1 / /2, 3 //4\n; /* a /* b */",
  "",
  "-- only a comment",
];

describe("significantTokens", () => {
  it("is tokenizeSql without whitespace and comments, token for token", () => {
    for (const sql of SAMPLES) {
      const filtered = tokenizeSql(sql).filter((token) => token.type !== "whitespace" && token.type !== "comment");
      expect(significantTokens(sql), sql).toEqual(filtered);
    }
  });

  it("throws where tokenizeSql throws", () => {
    expect(() => significantTokens("SELECT 'open")).toThrow(SqlSyntaxError);
    expect(() => significantTokens("SELECT 1 /* open")).toThrow(SqlSyntaxError);
  });
});

describe("tokensWithoutWhitespace", () => {
  it("is tokenizeSql without whitespace, token for token, comments kept", () => {
    for (const sql of SAMPLES) {
      expect(tokensWithoutWhitespace(sql), sql).toEqual(tokenizeSql(sql).filter((token) => token.type !== "whitespace"));
    }
  });

  it("throws where tokenizeSql throws", () => {
    expect(() => tokensWithoutWhitespace("SELECT 'open")).toThrow(SqlSyntaxError);
    expect(() => tokensWithoutWhitespace("SELECT 1 /* open")).toThrow(SqlSyntaxError);
  });
});
