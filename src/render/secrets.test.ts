import { describe, expect, it } from "vitest";
import type { ApplyReport, Plan } from "../model/index.js";
import { renderApplyReport, renderApplyReportJson } from "./apply-report.js";
import { renderPlanJson } from "./json.js";
import { renderPlanMarkdown } from "./markdown.js";
import { renderPlanText } from "./text.js";
import { createOf, field, planOf, replaceOf, updateOf } from "./test-utils.js";

const SECRET = "Xy9-TOP-SECRET-do-not-print";
const OLD_SECRET = "old-Xy9-TOP-SECRET";

function planWithSecrets(): Plan {
  return planOf([
    createOf(
      "source",
      "kafka_in",
      { type: "kafka", properties: { brokers: "kafka:9092", password: SECRET }, description: "from kafka" },
      { secretPaths: ["/properties/password"] },
    ),
    createOf("sink", "http_out", { type: "http", api_key: SECRET }, { secretPaths: ["/api_key"] }),
    updateOf("alert", "too_fast", [
      field("properties", { password: OLD_SECRET }, { password: SECRET }, { secret: true }),
      field("description", "a", `b ${SECRET}`),
    ]),
    replaceOf("sink", "kafka_out", [field("properties", OLD_SECRET, SECRET, { secret: true, forcesReplace: true })]),
    // A secret the manifest marks but the planner did not flag still stays hidden.
    updateOf("udf", "lookup", [field("auth_context", { key: OLD_SECRET }, { key: SECRET })], { secretPaths: ["/auth_context/key"] }),
  ]);
}

describe("secrets", () => {
  it("never appear in any rendering", () => {
    const plan = planWithSecrets();
    const report: ApplyReport = {
      outcomes: [
        { stepId: "create:source/kafka_in", status: "failed", error: `bad password ${SECRET}` },
        { stepId: "update:alert/too_fast", status: "not-attempted", blockedBy: `create:source/kafka_in ${OLD_SECRET}` },
      ],
    };
    const outputs = {
      text: renderPlanText(plan, { color: false }),
      colored: renderPlanText(plan, { color: true }),
      json: renderPlanJson(plan),
      markdown: renderPlanMarkdown(plan),
      report: renderApplyReport(plan, report, { color: true }),
      reportJson: renderApplyReportJson(plan, report),
    };
    for (const [name, output] of Object.entries(outputs)) {
      expect({ name, leaks: output.includes(SECRET) || output.includes(OLD_SECRET) || output.includes("TOP-SECRET") }).toEqual({
        name,
        leaks: false,
      });
    }
  });

  it("show that a secret changed, and nothing more", () => {
    const text = renderPlanText(planWithSecrets(), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "tpctl will perform the following actions:

        + source/kafka_in: declared in the manifests but not in the workspace
            type: kafka
            properties:
              brokers: kafka:9092
              password: (secret)
            description: from kafka

        + sink/http_out: declared in the manifests but not in the workspace
            type: http
            api_key: (secret)

        ~ alert/too_fast: properties, description can be updated in place
            properties: (secret changed)
            description: "a" -> "b (secret)"

      -/+ sink/kafka_out: properties cannot be updated in place
            properties: (secret changed) (forces replacement)

        ~ udf/lookup: auth_context can be updated in place
            auth_context: (secret changed)

      Plan: 2 to create, 2 to update, 1 to replace, 0 to delete.
      "
    `);
    const fields = (JSON.parse(renderPlanJson(planWithSecrets())) as { changes: { fields: unknown[] }[] }).changes.map(
      (change) => change.fields,
    );
    expect(fields[2]).toEqual([
      { field: "properties", forces_replace: false, secret: true },
      { field: "description", before: "a", after: "b (secret)", forces_replace: false, secret: false },
    ]);
  });
});
