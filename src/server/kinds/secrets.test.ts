import { describe, expect, it } from "vitest";
import { isSecretKey, visibleProperties, visibleSettings } from "./secrets.js";

describe("secret keys", () => {
  it("marks credentials by word, in any case and separator style", () => {
    const secret = [
      "password",
      "sasl_password",
      "SASL_MECHANISM",
      "oauth2.client_secret",
      "api_key",
      "apiKey",
      "client_key",
      "accessToken",
      "aws-credentials",
      "access_key",
      "private_key",
      "ssl.key",
      "key_value",
      "secret_key",
    ];
    const plain = [
      "url",
      "topic",
      "brokers",
      "template",
      "http_method",
      "keyspace",
      "monkeys",
      "data_format",
      "user",
      "message_key",
      "partition_key",
      "key_name",
    ];
    expect(secret.filter((key) => !isSecretKey(key))).toEqual([]);
    expect(plain.filter((key) => isSecretKey(key))).toEqual([]);
  });

  it("drops secret properties at any depth, plus named extras, and secret settings", () => {
    expect(
      visibleProperties({ url: "u", tls: { ca: "c", private_key: "k" }, token: "t", list: [{ password: "p", host: "h" }, 1] }, ["url"]),
    ).toEqual({
      tls: { ca: "c" },
      list: [{ host: "h" }, 1],
    });
    expect(visibleProperties(undefined)).toEqual({});
    expect(
      visibleSettings([
        { key: "type", value: "kafka" },
        { key: "sasl_password", value: "p" },
      ]),
    ).toEqual([{ key: "type", value: "kafka" }]);
  });
});
