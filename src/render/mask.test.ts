import { describe, expect, it } from "vitest";
import { createRedactor, isSecretField, maskSecrets } from "./mask.js";
import { createOf, field, planOf, updateOf } from "./test-utils.js";

describe("maskSecrets", () => {
  it("replaces the values that secret pointers name, nested or escaped, and nothing else", () => {
    const spec = { name: "in", properties: { brokers: "k:9092", "sasl/password": "hunter22", list: ["a", "b"] } };
    expect(maskSecrets(spec, ["/properties/sasl~1password", "/properties/list/1", "/missing/x"])).toEqual({
      name: "in",
      properties: { brokers: "k:9092", "sasl/password": "(secret)", list: ["a", "(secret)"] },
    });
    expect(spec.properties["sasl/password"]).toBe("hunter22");
  });
});

describe("isSecretField", () => {
  it("treats a field as secret when flagged or when a manifest secret lies inside it", () => {
    const change = createOf("source", "in", { properties: { password: "x" } }, { secretPaths: ["/properties/password"] });
    expect(isSecretField(change, { field: "properties", secret: false })).toBe(true);
    expect(isSecretField(change, { field: "description", secret: false })).toBe(false);
    expect(isSecretField(change, { field: "description", secret: true })).toBe(true);
  });
});

describe("createRedactor", () => {
  it("blanks secret values out of free text, but not secrets too short to scrub safely", () => {
    const plan = planOf([
      createOf("source", "in", { properties: { password: 's3cr"et-value', pin: "12" } }, { secretPaths: ["/properties"] }),
      updateOf("sink", "out", [field("properties", { token: "old-token-1" }, { token: "new-token-2" }, { secret: true })]),
    ]);
    const redact = createRedactor(plan);
    expect(redact('auth failed for s3cr"et-value, old-token-1 and new-token-2 (pin 12)')).toBe(
      "auth failed for (secret), (secret) and (secret) (pin 12)",
    );
    expect(redact('{"password":"s3cr\\"et-value"}')).toBe('{"password":"(secret)"}');
  });
});
