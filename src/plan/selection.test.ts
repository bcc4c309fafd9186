import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { assemblePlan } from "./plan.js";
import { throwIfRefused } from "./refusals.js";
import { desired, live } from "./test-utils.js";

const columns = [{ name: "cid", type: "string" }];
const declared = [
  desired("stream", "cars", { columns }),
  desired("view", "fast", { query: "SELECT * FROM cars" }),
  desired("view", "faster", { query: "SELECT * FROM fast" }),
  desired("stream", "other", { columns }),
];
const inWorkspace = [
  live("stream", "cars", { columns, mode: "append", description: "" }, { owner: "fleet" }),
  live("view", "fast", { query: "SELECT * FROM cars" }, { owner: "fleet", dependsOn: ["stream/cars"] }),
  live("view", "faster", { query: "SELECT * FROM fast" }, { owner: "fleet", dependsOn: ["view/fast"] }),
];
const plan = (options: Record<string, unknown>) => throwIfRefused(assemblePlan(declared, inWorkspace, { project: "fleet", ...options }));
const failure = (run: () => unknown): UsageError => {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
};

describe("--target, --exclude and --replace", () => {
  it("refuse an address that matches nothing, suggesting the nearest", () => {
    expect(failure(() => plan({ targets: ["stream/cras"] })).message).toMatchInlineSnapshot(
      `"--target stream/cras (did you mean stream/cars?) matches nothing declared in the manifests or live in the workspace; it would change nothing"`,
    );
    expect(failure(() => plan({ excludes: ["view/fsat"] })).message).toMatchInlineSnapshot(
      `"--exclude view/fsat (did you mean view/fast?) matches nothing declared in the manifests or live in the workspace; it would change nothing"`,
    );
    expect(failure(() => plan({ replaces: ["view/zzzzzzzz"] })).meta).toEqual({ flag: "--replace", unmatched: ["view/zzzzzzzz"] });
  });

  it("--replace drops and creates an unchanged resource again, and what reads it", () => {
    const changes = plan({ replaces: ["view/fast"] }).changes.map((change) => `${change.action} ${change.address}: ${change.reason}`);
    expect(changes).toEqual([
      "replace view/faster: reads view/fast, which is replaced",
      "replace view/fast: replacement requested with --replace",
      "create stream/other: declared in the manifests but not in the workspace",
    ]);
  });

  it("--exclude leaves out the resource and everything that reads it", () => {
    const changes = plan({ replaces: ["stream/cars"], excludes: ["stream/cars"] }).changes.map(
      (change) => `${change.action} ${change.address}`,
    );
    expect(changes).toEqual(["create stream/other"]);
    expect(plan({ excludes: ["stream/other"] }).changes).toEqual([]);
  });

  it("--exclude cannot leave out a resource that must be replaced with what it reads", () => {
    expect(failure(() => plan({ replaces: ["stream/cars"], excludes: ["view/faster"] })).message).toMatch(
      /^--exclude cannot leave out view\/faster: it must be replaced because view\/fast, which it reads, is replaced; exclude view\/fast too$/,
    );
  });
});
