import { describe, expect, it } from "vitest";
import { describeTarget } from "./driver.js";

describe("the target line", () => {
  it("names product, version, address, workspace and transport", () => {
    expect(
      describeTarget({
        address: "https://tp.internal",
        workspace: "default",
        product: "Timeplus Enterprise",
        version: "3.3.1",
        transport: "exec",
      }),
    ).toBe("Timeplus Enterprise 3.3.1 at https://tp.internal (workspace default), SQL through /exec");
    expect(
      describeTarget({ address: "http://localhost:8123", workspace: "default", product: "Timeplus engine", transport: "engine" }),
    ).toBe("Timeplus engine at http://localhost:8123 (workspace default), SQL through the engine's HTTP interface");
    expect(describeTarget({ address: "http://h:8000", workspace: "w1", product: "Timeplus", transport: "rest" })).toBe(
      "Timeplus at http://h:8000 (workspace w1), REST API v1beta2",
    );
  });
});
