import { describe, expect, it } from "vitest";
import { LiveResource } from "../model/index.js";
import { diffResource } from "./diff.js";
import { withKnownSecrets } from "./plan.js";
import { fingerprintSecrets } from "../model/secrets.js";
import { desired, live } from "./test-utils.js";

const columns = [
  { name: "cid", type: "string" },
  { name: "speed_kmh", type: "float32", codec: "ZSTD(1)" },
];

describe("diffResource", () => {
  it("finds no difference in what the server adds or reformats", () => {
    const result = diffResource(
      desired("stream", "cars", { columns }),
      live("stream", "cars", {
        description: "",
        mode: "append",
        logstore_retention_ms: 0,
        logstore_retention_bytes: 0,
        columns: [
          { name: "cid", type: "string", default: "" },
          { name: "speed_kmh", type: "float32", codec: "CODEC(ZSTD(1))" },
          { name: "_tp_time", type: "datetime64(3, 'UTC')", default: "now64(3, 'UTC')" },
        ],
      }),
    );
    expect(result).toEqual([]);
  });

  it("finds no difference in a type alias the engine reads back in its own spelling", () => {
    const result = diffResource(
      desired("stream", "cars", {
        columns: [
          { name: "n", type: "int" },
          { name: "x", type: "Nullable(double)" },
        ],
      }),
      live("stream", "cars", {
        columns: [
          { name: "n", type: "int32" },
          { name: "x", type: "nullable(float64)" },
        ],
      }),
    );
    expect(result).toEqual([]);
    const changed = diffResource(
      desired("stream", "cars", { columns: [{ name: "n", type: "int" }] }),
      live("stream", "cars", { columns: [{ name: "n", type: "int64" }] }),
    );
    expect(changed).not.toEqual([]);
  });

  it("compares SQL modulo whitespace, keyword case and comments", () => {
    const result = diffResource(
      desired("view", "fast", { query: "SELECT cid FROM cars -- fast ones\nWHERE speed > 100" }),
      live("view", "fast", { query: "select cid\n  from cars where speed > 100" }),
    );
    expect(result).toEqual([]);
  });

  it("reports a changed query of a view as updatable", () => {
    const result = diffResource(
      desired("view", "fast", { query: "SELECT cid FROM cars WHERE speed > 120" }),
      live("view", "fast", { query: "SELECT cid FROM cars WHERE speed > 100" }),
    );
    expect(result).toEqual([
      {
        field: "query",
        before: "SELECT cid FROM cars WHERE speed > 100",
        after: "SELECT cid FROM cars WHERE speed > 120",
        isSql: true,
        secret: false,
        forcesReplace: false,
      },
    ]);
  });

  it("shows a column change without the columns the server adds", () => {
    const [change] = diffResource(
      desired("stream", "cars", { columns: [{ name: "cid", type: "int64" }] }),
      live("stream", "cars", {
        columns: [
          { name: "cid", type: "string" },
          { name: "_tp_time", type: "datetime64(3, 'UTC')" },
        ],
      }),
    );
    expect(change?.before).toEqual([{ name: "cid", type: "string" }]);
  });

  it("marks a stream's columns and a materialized view's query as forcing a replace", () => {
    expect(
      diffResource(
        desired("stream", "cars", { columns: [{ name: "cid", type: "int64" }] }),
        live("stream", "cars", { columns: [{ name: "cid", type: "string" }] }),
      ).map((change) => [change.field, change.forcesReplace]),
    ).toEqual([["columns", true]]);
    expect(
      diffResource(
        desired("materialized_view", "agg", { query: "SELECT 2 FROM cars" }),
        live("materialized_view", "agg", { query: "SELECT 1 FROM cars" }),
      ).map((change) => [change.field, change.forcesReplace]),
    ).toEqual([["query", true]]);
  });

  it("compares an omitted field with a known default, and ignores computed ones", () => {
    const result = diffResource(
      desired("stream", "cars", { columns }),
      live("stream", "cars", { columns, description: "old text", logstore_retention_ms: 86400000 }),
    );
    expect(result.map((change) => [change.field, change.before, change.after])).toEqual([["description", "old text", ""]]);
  });

  it("honours lifecycle.ignore_changes", () => {
    const result = diffResource(
      desired("stream", "cars", { columns, description: "new" }, { ignoreChanges: ["description"] }),
      live("stream", "cars", { columns, description: "old" }),
    );
    expect(result).toEqual([]);
  });

  it("notices a retention that differs when declared", () => {
    const result = diffResource(
      desired("stream", "cars", { columns, logstore_retention_ms: 3600000 }),
      live("stream", "cars", { columns, logstore_retention_ms: 86400000 }),
    );
    expect(result.map((change) => [change.field, change.forcesReplace])).toEqual([["logstore_retention_ms", false]]);
  });

  it("matches live settings by key when the server leaves a secret setting out", () => {
    const table = (user: string) =>
      withKnownSecrets(
        desired("external_table", "register", {
          settings: [
            { key: "type", value: "clickhouse" },
            { key: "password", value: "hunter2" },
            { key: "user", value: user },
          ],
        }),
      );
    const current = table("reader");
    const fingerprint = fingerprintSecrets(current.kind, current.spec, current.secretPaths) as string;
    // The password is hidden, so "user" comes back at the index the password has in the manifest.
    const liveTable = LiveResource.create({
      ...live(
        "external_table",
        "register",
        {
          settings: [
            { key: "type", value: "clickhouse" },
            { key: "user", value: "reader" },
          ],
        },
        { owner: "fleet" },
      ),
      secretsFingerprint: fingerprint,
    });

    expect(diffResource(current, liveTable)).toEqual([]);
    expect(diffResource(table("writer"), liveTable).map((change) => [change.field, change.secret, change.forcesReplace])).toEqual([
      ["settings", false, true],
    ]);
  });

  it("compares secrets by the fingerprint in the ownership marker, never by value", () => {
    const sink = (token: string) =>
      desired("sink", "out", { type: "http", query: "SELECT 1 FROM s", properties: { url: "http://x", token } });
    const current = sink("old-token-value");
    const fingerprint = fingerprintSecrets(current.kind, current.spec, ["/properties/token"]) as string;
    // The API does not return the token.
    const liveSink = live("sink", "out", { type: "http", query: "SELECT 1 FROM s", properties: { url: "http://x" } }, { owner: "fleet" });
    const withFingerprint = LiveResource.create({ ...liveSink, secretsFingerprint: fingerprint });

    expect(diffResource(withKnownSecrets(sink("old-token-value")), withFingerprint)).toEqual([]);
    const changed = diffResource(withKnownSecrets(sink("new-token-value")), withFingerprint);
    expect(changed.map((change) => [change.field, change.secret, change.changedSecrets, change.forcesReplace])).toEqual([
      ["properties", true, ["token"], false],
    ]);
    expect(JSON.stringify(changed)).not.toContain("token-value");
  });

  it("names which of several secrets changed", () => {
    const sink = (password: string, token: string) =>
      withKnownSecrets(
        desired("sink", "out", { type: "http", query: "SELECT 1 FROM s", properties: { url: "http://x", password, token } }),
      );
    const current = sink("p1", "t1");
    const liveSink = LiveResource.create({
      ...live("sink", "out", { type: "http", query: "SELECT 1 FROM s", properties: { url: "http://x" } }, { owner: "fleet" }),
      secretsFingerprint: fingerprintSecrets(current.kind, current.spec, current.secretPaths) as string,
    });
    expect(diffResource(sink("p1", "t2"), liveSink).map((change) => change.changedSecrets)).toEqual([["token"]]);
    expect(diffResource(sink("p2", "t2"), liveSink).map((change) => change.changedSecrets)).toEqual([["password", "token"]]);
  });

  it("cannot know the secrets of a resource tpctl did not create, and does not guess", () => {
    const result = diffResource(
      withKnownSecrets(desired("sink", "out", { type: "http", query: "SELECT 1 FROM s", properties: { token: "t0ken" } })),
      live("sink", "out", { type: "http", query: "SELECT 1 FROM s", properties: {} }),
    );
    expect(result).toEqual([]);
  });

  it("decides columns and an MV's query per driver: REST's rules by default, the engine's over SQL", () => {
    const stream = [
      desired("stream", "cars", { columns: [...columns, { name: "n", type: "int32" }] }),
      live("stream", "cars", { columns }),
    ] as const;
    expect(diffResource(...stream)).toEqual([expect.objectContaining({ field: "columns", forcesReplace: true })]);
    expect(diffResource(...stream)[0]).not.toHaveProperty("explanation");
    expect(diffResource(...stream, "sql")).toEqual([
      expect.objectContaining({ field: "columns", forcesReplace: false, explanation: "ALTER STREAM … ADD COLUMN n" }),
    ]);
    const mv = [
      desired("materialized_view", "agg", { query: "SELECT count() AS n FROM cars WHERE x > 1" }),
      live("materialized_view", "agg", { query: "SELECT count() AS n FROM cars" }),
    ] as const;
    expect(diffResource(...mv)).toEqual([expect.objectContaining({ field: "query", forcesReplace: true })]);
    expect(diffResource(...mv, "sql")).toEqual([expect.objectContaining({ field: "query", forcesReplace: false })]);
    // Fields without an SQL rule keep REST's: a stream's mode is fixed either way.
    const mode = [desired("stream", "cars", { columns, mode: "changelog" }), live("stream", "cars", { columns, mode: "append" })] as const;
    expect(diffResource(...mode, "sql")).toEqual([expect.objectContaining({ field: "mode", forcesReplace: true })]);
  });

  it("does not compare a remote UDF's description over SQL, where it cannot be stored, but does over REST", () => {
    const spec = { type: "remote", arguments: [], return_type: "string", url: "http://example.com/fn" };
    const pair = [desired("udf", "fn", { ...spec, description: "looks things up" }), live("udf", "fn", spec)] as const;
    expect(diffResource(...pair, "sql")).toEqual([]);
    expect(diffResource(...pair)).toEqual([expect.objectContaining({ field: "description", forcesReplace: false })]);
    // A JavaScript function carries its description in its body, so SQL compares it.
    const js = { type: "javascript", arguments: [], return_type: "string", source: "function fn(x) { return x; }" };
    expect(diffResource(desired("udf", "fn", { ...js, description: "d" }), live("udf", "fn", js), "sql")).toEqual([
      expect.objectContaining({ field: "description" }),
    ]);
  });
});
