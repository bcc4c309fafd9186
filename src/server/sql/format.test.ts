import { describe, expect, it } from "vitest";
import { tokenizeSql } from "../../sql/tokenize.js";
import { backquote, canonicalType, heredoc, qualifiedName, quoteName, quoteString } from "./format.js";

describe("canonicalType", () => {
  it("spells types the way the engine prints them", () => {
    expect(canonicalType("int")).toBe("int32");
    expect(canonicalType("Float32")).toBe("float32");
    expect(canonicalType("String")).toBe("string");
    expect(canonicalType("DateTime64")).toBe("datetime64(3)");
    expect(canonicalType("DateTime64(3, 'UTC')")).toBe("datetime64(3, 'UTC')");
    expect(canonicalType("Nullable(String)")).toBe("nullable(string)");
    expect(canonicalType("LowCardinality(String)")).toBe("low_cardinality(string)");
    expect(canonicalType("map(string, array(Int))")).toBe("map(string, array(int32))");
    expect(canonicalType("tuple(a int, b String)")).toBe("tuple(a int32, b string)");
    expect(canonicalType("FixedString(16)")).toBe("fixed_string(16)");
    expect(canonicalType("decimal(10, 2)")).toBe("decimal(10, 2)");
    expect(canonicalType("enum8('a' = 1, 'b' = 2)")).toBe("enum8('a' = 1, 'b' = 2)");
    expect(canonicalType("SomeFutureType")).toBe("SomeFutureType");
  });
});

describe("quoting", () => {
  it("quotes names only where needed, and always reads back the same name", () => {
    expect(quoteName("cars")).toBe("cars");
    expect(quoteName("my stream")).toBe("`my stream`");
    expect(quoteName("select")).toBe("`select`");
    expect(qualifiedName("default", "a-b")).toBe("default.`a-b`");
    for (const name of ["a`b", "back\\slash", "ünïcode", "my stream"]) {
      expect(tokenizeSql(backquote(name))[0]?.value).toBe(name);
    }
  });

  it("writes string literals and heredocs that read back as exactly the value", () => {
    for (const value of ["", "it's", "a\\b", "line\nline", "tab\there", "$$ ; -- /* */", "nul\0byte", "'\\'"]) {
      const [token] = tokenizeSql(quoteString(value));
      expect([value, token?.type, token?.value]).toEqual([value, "string", value]);
    }
    for (const body of ["plain", "has $$ inside", "has $$ and $tp$ inside"]) {
      const [token] = tokenizeSql(heredoc(body));
      expect([body, token?.value]).toEqual([body, body]);
    }
  });
});
