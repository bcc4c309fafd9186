import { describe, expect, it } from "vitest";
import { normalizeWorkspace } from "./normalize.js";

const UDF = {
  name: "score",
  type: "remote",
  description: "",
  arguments: [{ name: "amount", type: "float64" }],
  return_type: "float64",
  url: "https://scoring.example/score",
  auth_method: "auth_header",
  auth_context: { key_name: "X-Key", key_value: "udf-key-secret-99e1" },
  source: "",
  is_aggregation: false,
};

describe("normalizeWorkspace", () => {
  it("drops a secret the server returns (a remote UDF's auth_context.key_value), so nothing downstream holds it", () => {
    const [udf] = normalizeWorkspace([{ kind: "udf", items: [UDF] }], undefined);
    expect(udf?.spec["auth_context"]).toEqual({ key_name: "X-Key" });
    expect(JSON.stringify(udf)).not.toContain("udf-key-secret-99e1");
  });

  it("blanks secret-named properties of sinks, keeping the key so that export knows the secret exists", () => {
    const sink = {
      id: "1",
      name: "out",
      type: "http",
      query: "SELECT 1",
      properties: { url: "u", password: "pw-1", nested: { token: "t-2" } },
    };
    const [live] = normalizeWorkspace([{ kind: "sink", items: [sink] }], undefined);
    expect(live?.spec["properties"]).toEqual({ url: "u", password: "", nested: { token: "" } });
    expect(JSON.stringify(live)).not.toMatch(/pw-1|t-2/);
  });
});

describe("JavaScript UDFs created over SQL", () => {
  it("read their description and owner out of the body, as the SQL reader does", () => {
    const body = 'function f(x) { return x; }\n// tpctl description: "adds one"\n// [tpctl:fleet secrets=ab12]';
    const [udf] = normalizeWorkspace(
      [{ kind: "udf", items: [{ name: "f", type: "javascript", description: "", source: body, return_type: "int64" }] }],
      undefined,
    );
    expect(udf?.spec["source"]).toBe("function f(x) { return x; }");
    expect(udf?.spec["description"]).toBe("adds one");
    expect(udf?.owner).toBe("fleet");
    expect(udf?.secretsFingerprint).toBe("ab12");
  });

  it("keep a description written over REST, with its marker, over a body line", () => {
    const [udf] = normalizeWorkspace(
      [
        {
          kind: "udf",
          items: [{ name: "f", type: "javascript", description: "rest one [tpctl:fleet]", source: "function f(x) { return x; }" }],
        },
      ],
      undefined,
    );
    expect(udf?.spec["description"]).toBe("rest one");
    expect(udf?.spec["source"]).toBe("function f(x) { return x; }");
    expect(udf?.owner).toBe("fleet");
  });
});

describe("primary keys", () => {
  it("folds the engine's printed key (`a`, `b`) back to the manifest's form, so it makes no false difference", () => {
    const stream = (primary_key: string) => ({ name: "kv", mode: "versioned_kv", primary_key, columns: [{ name: "a", type: "string" }] });
    const [many, one] = normalizeWorkspace([{ kind: "stream", items: [stream("`a`, `b`"), { ...stream("`a`"), name: "kv1" }] }], undefined);
    expect(many?.spec["primary_key"]).toBe("(a, b)");
    expect(one?.spec["primary_key"]).toBe("a");
  });
});
