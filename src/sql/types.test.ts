import { describe, expect, it } from "vitest";
import { canonicalType } from "./types.js";

describe("canonicalType", () => {
  it.each([
    ["int", "int32"],
    ["INT", "int32"],
    ["integer", "int32"],
    ["smallint", "int16"],
    ["bigint", "int64"],
    ["float", "float32"],
    ["double", "float64"],
    ["varchar", "string"],
    ["boolean", "bool"],
    ["Float32", "float32"],
    ["Nullable(Int)", "nullable(int32)"],
    ["LowCardinality(String)", "low_cardinality(string)"],
    ["FixedString(16)", "fixed_string(16)"],
    ["DateTime64(3, 'Asia/Tokyo')", "datetime64(3, 'Asia/Tokyo')"],
    ["datetime64(3,'UTC')", "datetime64(3, 'UTC')"],
    ["array( int )", "array(int32)"],
    ["map(string, array(double))", "map(string, array(float64))"],
    ["tuple(Lat float, Lon float)", "tuple(Lat float32, Lon float32)"],
    ["enum8('A' = 1, 'b' = 2)", "enum8('A' = 1, 'b' = 2)"],
  ])("%s reads back as %s", (type, expected) => {
    expect(canonicalType(type)).toBe(expected);
  });

  it("keeps different types different", () => {
    expect(canonicalType("int64")).not.toBe(canonicalType("int"));
    expect(canonicalType("tuple(a int)")).not.toBe(canonicalType("tuple(A int)"));
  });
});
