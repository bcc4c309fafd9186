import { describe, expect, it } from "vitest";
import { DependencyCycleError } from "../errors.js";
import { DesiredResource, summarizeDrift } from "../model/index.js";
import { assembleDriftReport, hasDrift } from "./drift.js";
import { fingerprintSecrets } from "../model/secrets.js";
import { desired, live } from "./test-utils.js";

const columns = [{ name: "cid", type: "string" }];
const options = { project: "fleet" };
const stream = (name: string) => desired("stream", name, { columns });
const liveStream = (name: string, owner?: string) =>
  live("stream", name, { columns, mode: "append", description: "" }, owner === undefined ? {} : { owner });

describe("assembleDriftReport", () => {
  it("reports nothing when the workspace matches", () => {
    const report = assembleDriftReport([stream("cars")], [liveStream("cars", "fleet")], options);
    expect(report).toEqual({ formatVersion: "1", project: "fleet", drift: [], unmanaged: [] });
    expect(hasDrift(report)).toBe(false);
  });

  it("names each changed field, declared value before and live value after", () => {
    const report = assembleDriftReport(
      [desired("view", "fast", { query: "SELECT * FROM cars WHERE speed > 100", description: "fast ones" }), stream("cars")],
      [
        liveStream("cars", "fleet"),
        live("view", "fast", { query: "SELECT * FROM cars WHERE speed > 150", description: "fast ones" }, { owner: "fleet" }),
      ],
      options,
    );
    expect(report.drift).toEqual([
      {
        kind: "view",
        name: "fast",
        address: "view/fast",
        status: "changed",
        fields: [
          {
            field: "query",
            before: "SELECT * FROM cars WHERE speed > 100",
            after: "SELECT * FROM cars WHERE speed > 150",
            isSql: true,
            secret: false,
          },
        ],
      },
    ]);
  });

  it("reports a declared resource deleted out of band as missing, and an undeclared one we own as orphaned", () => {
    const report = assembleDriftReport(
      [stream("cars"), desired("view", "fast", { query: "SELECT * FROM cars" })],
      [liveStream("cars", "fleet"), liveStream("old", "fleet"), liveStream("manual"), liveStream("theirs", "other")],
      options,
    );
    expect(report.drift.map((entry) => [entry.status, entry.address, entry.fields])).toEqual([
      ["orphaned", "stream/old", []],
      ["missing", "view/fast", []],
    ]);
    expect(report.unmanaged).toEqual(["stream/manual", "stream/theirs"]);
    expect(summarizeDrift(report)).toEqual({ changed: 0, missing: 1, orphaned: 1, unmanaged: 2 });
  });

  it("counts unmanaged resources as drift only when asked", () => {
    const report = assembleDriftReport([stream("cars")], [liveStream("cars", "fleet"), liveStream("manual")], options);
    expect(report.drift).toEqual([]);
    expect(hasDrift(report)).toBe(false);
    expect(hasDrift(report, { failOnUnmanaged: true })).toBe(true);
  });

  it("honours lifecycle.ignore_changes", () => {
    const report = assembleDriftReport(
      [desired("view", "fast", { query: "SELECT * FROM cars", description: "mine" }, { ignoreChanges: ["query"] }), stream("cars")],
      [liveStream("cars", "fleet"), live("view", "fast", { query: "SELECT 1 FROM cars", description: "theirs" }, { owner: "fleet" })],
      options,
    );
    const fields = report.drift.map((entry) => [entry.address, entry.fields.map((field) => field.field)]);
    expect(fields).toEqual([["view/fast", ["description"]]]);
  });

  it("does not count readers replaced only by a cascade, even when an unmanaged view reads the stream", () => {
    const report = assembleDriftReport(
      [desired("stream", "cars", { columns: [{ name: "cid", type: "int64" }] }), desired("view", "fast", { query: "SELECT * FROM cars" })],
      [
        liveStream("cars", "fleet"),
        live("view", "fast", { query: "SELECT * FROM cars" }, { owner: "fleet", dependsOn: ["stream/cars"] }),
        live("view", "adhoc", { query: "SELECT * FROM cars" }, { dependsOn: ["stream/cars"] }),
      ],
      options,
    );
    expect(report.drift.map((entry) => `${entry.status} ${entry.address}`)).toEqual(["changed stream/cars"]);
    expect(report.unmanaged).toEqual(["view/adhoc"]);
  });

  it("reports a drifted resource protected by prevent_destroy instead of refusing", () => {
    const report = assembleDriftReport(
      [desired("stream", "cars", { columns: [{ name: "cid", type: "int64" }] }, { preventDestroy: true })],
      [liveStream("cars", "fleet")],
      options,
    );
    expect(report.drift.map((entry) => `${entry.status} ${entry.address}`)).toEqual(["changed stream/cars"]);
  });

  it("reports a pending rename the same way whether or not prevent_destroy is set", () => {
    const renamed = (preventDestroy: boolean) =>
      DesiredResource.create({
        kind: "sink",
        name: "new_name",
        spec: { name: "new_name", type: "http", query: "SELECT * FROM cars" },
        previousName: "old_name",
        lifecycle: { preventDestroy },
      });
    const workspace = [
      liveStream("cars", "fleet"),
      live("sink", "old_name", { type: "http", query: "SELECT * FROM cars" }, { owner: "fleet", id: "s1" }),
    ];
    const unprotected = assembleDriftReport([stream("cars"), renamed(false)], workspace, options);
    expect(unprotected.drift.map((entry) => `${entry.status} ${entry.address} ${entry.fields.map((f) => f.field).join(",")}`)).toEqual([
      "changed sink/new_name name",
    ]);
    expect(assembleDriftReport([stream("cars"), renamed(true)], workspace, options)).toEqual(unprotected);
  });

  it("reports an orphan that a declared resource still reads instead of refusing", () => {
    const report = assembleDriftReport(
      [desired("view", "fast", { query: "SELECT * FROM cars" })],
      [liveStream("cars", "fleet"), live("view", "fast", { query: "SELECT * FROM cars" }, { owner: "fleet" })],
      options,
    );
    expect(report.drift.map((entry) => `${entry.status} ${entry.address}`)).toEqual(["orphaned stream/cars"]);
  });

  it("keeps secret values out of the report, even a field's non-secret part", () => {
    const spec = { type: "kafka", query: "SELECT * FROM cars", properties: { brokers: "k:9092", password: "hunter22" } };
    const secretPaths = ["/properties/password"];
    const report = assembleDriftReport(
      [stream("cars"), desired("sink", "out", spec, { secretPaths })],
      [liveStream("cars", "fleet"), live("sink", "out", { ...spec, properties: { brokers: "other:9092" } }, { owner: "fleet", id: "s1" })],
      options,
    );
    expect(report.drift.flatMap((entry) => entry.fields)).toEqual([
      { field: "properties", isSql: false, secret: true, changedSecrets: ["password"] },
    ]);
    expect(JSON.stringify(report)).not.toContain("hunter22");
  });

  it("marks a secret changed when the fingerprint in the ownership marker differs", () => {
    const spec = { type: "kafka", query: "SELECT * FROM cars", properties: { brokers: "k:9092", password: "new-one" } };
    const oldSpec = { ...spec, properties: { ...spec.properties, password: "old-one" } };
    const old = fingerprintSecrets("sink", oldSpec, ["/properties/password"]);
    const liveSink = {
      ...live("sink", "out", { ...spec, properties: { brokers: "k:9092" } }, { owner: "fleet", id: "s1" }),
      secretsFingerprint: old as string,
    };
    const report = assembleDriftReport(
      [stream("cars"), desired("sink", "out", spec, { secretPaths: ["/properties/password"] })],
      [liveStream("cars", "fleet"), liveSink],
      options,
    );
    expect(report.drift).toEqual([
      {
        kind: "sink",
        name: "out",
        address: "sink/out",
        status: "changed",
        fields: [{ field: "properties", isSql: false, secret: true, changedSecrets: ["password"] }],
      },
    ]);
  });

  it("limits the report to --target and what it needs", () => {
    const report = assembleDriftReport(
      [stream("cars"), desired("view", "fast", { query: "SELECT * FROM cars" }), desired("view", "slow", { query: "SELECT * FROM cars" })],
      [liveStream("old", "fleet"), liveStream("manual")],
      { ...options, targets: ["view/fast", "stream/manual"] },
    );
    expect(report.drift.map((entry) => `${entry.status} ${entry.address}`)).toEqual(["missing stream/cars", "missing view/fast"]);
    expect(report.unmanaged).toEqual(["stream/manual"]);
  });

  it("still fails on a dependency cycle in the manifests", () => {
    expect(() =>
      assembleDriftReport(
        [desired("view", "a", { query: "SELECT * FROM b" }), desired("view", "b", { query: "SELECT * FROM a" })],
        [],
        options,
      ),
    ).toThrow(DependencyCycleError);
  });
});
