import { describe, expect, it } from "vitest";
import { createColors, shouldUseColor } from "./color.js";

describe("createColors", () => {
  it("wraps text in ANSI codes when on and leaves it alone when off", () => {
    expect(createColors(true).red("x")).toBe("\u001b[31mx\u001b[39m");
    expect(createColors(true).bold(createColors(true).green("x"))).toBe("\u001b[1m\u001b[32mx\u001b[39m\u001b[22m");
    const off = createColors(false);
    expect([off.bold("x"), off.dim("x"), off.red("x"), off.green("x"), off.yellow("x"), off.cyan("x")]).toEqual([
      "x",
      "x",
      "x",
      "x",
      "x",
      "x",
    ]);
  });
});

describe("shouldUseColor", () => {
  it.each([
    [{ isTTY: true, env: {} }, true],
    [{ isTTY: false, env: {} }, false],
    [{ isTTY: true, env: { NO_COLOR: "1" } }, false],
    [{ isTTY: true, env: { NO_COLOR: "" } }, true],
    [{ isTTY: true, env: { NO_COLOR: "1", FORCE_COLOR: "1" } }, false],
    [{ isTTY: false, env: { FORCE_COLOR: "1" } }, true],
    [{ isTTY: false, env: { FORCE_COLOR: "" } }, true],
    [{ isTTY: true, env: { FORCE_COLOR: "0" } }, false],
    [{ isTTY: true, env: { FORCE_COLOR: "false" } }, false],
    [{ isTTY: true, env: { TERM: "dumb" } }, false],
  ])("%j -> %s", (input, expected) => {
    expect(shouldUseColor(input)).toBe(expected);
  });
});
