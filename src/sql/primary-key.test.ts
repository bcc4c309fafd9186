import { describe, expect, it } from "vitest";
import { manifestPrimaryKey, printPrimaryKey } from "./primary-key.js";

describe("primary keys", () => {
  it.each([
    ["cid", "`cid`", "cid"],
    ["(cid)", "`cid`", "cid"],
    ["(cid, region)", "`cid`, `region`", "(cid, region)"],
    ["cid,region", "`cid`, `region`", "(cid, region)"],
    ["(`my col`, to_date(ts))", "`my col`, to_date(ts)", "(`my col`, to_date(ts))"],
    ["", "", ""],
  ])("%s prints as %s and folds back to %s", (written, printed, folded) => {
    expect(printPrimaryKey(written)).toBe(printed);
    expect(manifestPrimaryKey(printed)).toBe(folded);
    expect(manifestPrimaryKey(written)).toBe(folded);
  });
});
