import { describe, expect, it } from "vitest";
import { readOwnershipMarker, readSchemaOwnershipMarker, withOwnershipMarker, withSchemaOwnershipMarker } from "./ownership.js";

describe("ownership marker", () => {
  it("round-trips through a description", () => {
    const written = withOwnershipMarker("live telemetry", "fleet");
    expect(written).toBe("live telemetry [tpctl:fleet]");
    expect(readOwnershipMarker(written)).toEqual({ description: "live telemetry", owner: "fleet" });
  });

  it("works on an empty description and carries a secrets fingerprint", () => {
    const written = withOwnershipMarker("", "fleet", "a1b2c3");
    expect(written).toBe("[tpctl:fleet secrets=a1b2c3]");
    expect(readOwnershipMarker(written)).toEqual({ description: "", owner: "fleet", secretsFingerprint: "a1b2c3" });
  });

  it("leaves a description without a marker alone", () => {
    expect(readOwnershipMarker("made by hand [not ours]")).toEqual({ description: "made by hand [not ours]" });
  });

  it("round-trips through Protobuf content", () => {
    const content = 'syntax = "proto3";\nmessage A { string b = 1; }\n';
    const written = withSchemaOwnershipMarker(content, "fleet");
    expect(written).toBe('syntax = "proto3";\nmessage A { string b = 1; }\n// [tpctl:fleet]\n');
    expect(readSchemaOwnershipMarker(written)).toEqual({ content: 'syntax = "proto3";\nmessage A { string b = 1; }', owner: "fleet" });
  });
});
