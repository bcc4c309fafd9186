import { describe, expect, it } from "vitest";
import { renderPlanJson } from "./json.js";
import { renderPlanMarkdown } from "./markdown.js";
import { renderTargetLine, type PlanTarget } from "./target.js";
import { renderPlanText } from "./text.js";
import { planOf } from "./test-utils.js";

const remote: PlanTarget = {
  address: "https://timeplus.prod.internal:8000",
  workspace: "default",
  environment: "prod",
  product: "Timeplus Enterprise",
  version: "3.3.1",
  transport: "rest",
};
const embedded: PlanTarget = { address: null, workspace: "default", product: "tpctl built-in server", version: "0.1.0", transport: "rest" };

describe("the target line", () => {
  it("names address or embedded workspace, workspace, environment, product and transport", () => {
    expect(renderTargetLine(remote)).toMatchInlineSnapshot(
      `"Target: https://timeplus.prod.internal:8000 · workspace default · environment prod · Timeplus Enterprise 3.3.1 · REST API v1beta2"`,
    );
    expect(renderTargetLine(embedded)).toMatchInlineSnapshot(
      `"Target: embedded local workspace in .tpctl/ · workspace default · tpctl built-in server 0.1.0 · REST API v1beta2"`,
    );
  });

  it("comes first in text, Markdown and JSON", () => {
    const plan = planOf([]);
    expect(renderPlanText(plan, { color: false, target: embedded }).split("\n")[0]).toBe(renderTargetLine(embedded));
    expect(renderPlanMarkdown(plan, { target: remote, commit: "0123abcd" }).split("\n").slice(0, 3)).toEqual([
      "## tpctl plan",
      "",
      "**Target:** `https://timeplus.prod.internal:8000` · workspace `default` · environment `prod` · Timeplus Enterprise 3.3.1 · REST API v1beta2 · commit `0123abcd`",
    ]);
    const document = JSON.parse(renderPlanJson(plan, { target: remote }));
    expect(Object.keys(document).slice(0, 2)).toEqual(["format_version", "target"]);
    expect(document.target).toEqual({
      address: "https://timeplus.prod.internal:8000",
      description: "https://timeplus.prod.internal:8000",
      workspace: "default",
      environment: "prod",
      product: "Timeplus Enterprise",
      version: "3.3.1",
      transport: "rest",
    });
  });
});
