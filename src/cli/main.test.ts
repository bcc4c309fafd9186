import { describe, expect, it } from "vitest";
import { InterruptedError, ManifestError, SafetyRefusal, StalePlanError, UsageError } from "../errors.js";
import { LockHeldError } from "./lock.js";
import type { CommandIo } from "./context.js";
import { exitCodeFor, main } from "./main.js";

function capture(): { io: CommandIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      stdoutIsTTY: false,
      stdinIsTTY: false,
      environment: {},
      cwd: "/nonexistent",
    },
  };
}

describe("main", () => {
  it("maps a held lock to 3 and an interruption to 130", () => {
    expect([new LockHeldError("x"), new InterruptedError("x")].map(exitCodeFor)).toEqual([3, 130]);
  });

  it("maps safety refusals and stale plans to 3, everything else to 1", () => {
    expect([new SafetyRefusal("x"), new StalePlanError("x"), new UsageError("x"), new ManifestError([]), new Error("x")].map(exitCodeFor)).toEqual([
      3, 3, 1, 1, 1,
    ]);
  });

  it("explains each option of a command", async () => {
    const { io, out } = capture();
    expect(await main(["apply", "--help"], io)).toBe(0);
    expect(out.join("")).toContain("--allow-destroy  allow deletes and destructive replaces");
  });

  it("turns an unknown command or flag into one sentence on stderr and exit 1", async () => {
    const unknown = capture();
    expect(await main(["plna"], unknown.io)).toBe(1);
    expect(unknown.err.join("")).toBe('Error: unknown command "plna"; run "tpctl --help" to see the commands\n');
    const flag = capture();
    expect(await main(["plan", "--bogus"], flag.io)).toBe(1);
    expect(flag.err.join("")).toBe("Error: Unknown option '--bogus'; run \"tpctl plan --help\"\n");
  });

  it("reports a failure as JSON on stdout when JSON was asked for", async () => {
    const { io, out, err } = capture();
    expect(await main(["plan", "--json"], io)).toBe(1);
    expect(err.join("")).toContain("nothing was sent to the API");
    const document = JSON.parse(out.join(""));
    expect(document.format_version).toBe("1");
    expect(document.error.code).toBe("MANIFEST_INVALID");
    expect(document.error.meta.issues).toEqual([{ file: "nonexistent", line: 1, column: 1, message: "no such file or folder: nonexistent" }]);
  });
});
