import { describe, expect, it } from "vitest";
import { knownSecretPaths } from "../kinds/index.js";
import { isSecretName } from "./secrets.js";

describe("isSecretName", () => {
  it("counts every name the built-in server hides, so that hidden values are never compared", () => {
    const names = [
      "password",
      "sasl_password",
      "api_key",
      "apikey",
      "apiKey",
      "client_key",
      "message_key",
      "ssl.key",
      "auth_token",
      "client_secret",
      "key",
    ];
    expect(names.filter((name) => !isSecretName(name))).toEqual([]);
  });

  it("leaves ordinary names alone", () => {
    const names = ["url", "brokers", "topic", "data_format", "keyspace", "keys", "template", "interval"];
    expect(names.filter(isSecretName)).toEqual([]);
  });
});

describe("knownSecretPaths", () => {
  it("finds a Kafka sink's message_key and an external stream's hidden settings", () => {
    expect(knownSecretPaths("sink", { type: "kafka", properties: { brokers: "b:9092", topic: "t", message_key: "cid" } })).toEqual([
      "/properties/message_key",
    ]);
    expect(
      knownSecretPaths("external_stream", {
        settings: [
          { key: "type", value: "kafka" },
          { key: "message_key", value: "cid" },
          { key: "sasl_password", value: "pw" },
        ],
      }),
    ).toEqual(["/settings/1/value", "/settings/2/value"]);
  });
});
