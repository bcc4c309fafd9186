import { describe, expect, it } from "vitest";
import type { Address } from "../model/index.js";
import { assertSelectorsMatch, unmatchedSelectors } from "./selectors.js";

const known = ["stream/events", "view/recent", "dashboard/fleet"] as Address[];

describe("selectors that match nothing", () => {
  it("are found, each with the nearest address", () => {
    expect(unmatchedSelectors(["stream/event", "view/recent"] as Address[], known)).toEqual([{ selector: "stream/event", nearest: "stream/events" }]);
  });

  it("are a usage error naming the flag and the suggestion", () => {
    expect(() => assertSelectorsMatch("--target", ["view/recnet"] as Address[], known)).toThrow(
      "--target view/recnet matches nothing declared or live (did you mean view/recent?)",
    );
    expect(() => assertSelectorsMatch("--target", ["view/recent"] as Address[], known)).not.toThrow();
  });
});
