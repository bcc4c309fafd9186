import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InterruptedError, ManifestError, SafetyRefusal, StalePlanError, UsageError } from "../errors.js";
import { LockHeldError } from "./lock.js";
import type { CommandIo } from "./context.js";
import { exitCodeFor, main, normalizeArgs } from "./main.js";

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
    expect(
      [new SafetyRefusal("x"), new StalePlanError("x"), new UsageError("x"), new ManifestError([]), new Error("x")].map(exitCodeFor),
    ).toEqual([3, 3, 1, 1, 1]);
  });

  it("explains only the options of one command, each with an example (tpctl help CMD and CMD --help)", async () => {
    const { io, out } = capture();
    expect(await main(["help", "show"], io)).toBe(0);
    expect(out.join("")).toMatchInlineSnapshot(`
      "Usage: tpctl show FILE [options]

      Print a saved plan without touching the workspace.

      Options:
        --json           print one JSON document on stdout
                         e.g. tpctl show --json
        --format FORMAT  output format: text, json or markdown
                         e.g. tpctl show --format markdown
        --no-color       never colour the output (NO_COLOR also works)
                         e.g. tpctl show --no-color
        --debug          print stack traces of errors
                         e.g. tpctl show --debug
        -h, --help       show this help
                         e.g. tpctl show --help

      Example:
        tpctl show plan.json --format markdown
      "
    `);
    const apply = capture();
    expect(await main(["apply", "--help"], apply.io)).toBe(0);
    const text = apply.out.join("");
    expect(text).toContain("Usage: tpctl apply [PATH... | FILE] [options]");
    expect(text).toMatch(/--allow-destroy +allow deletes and destructive replaces\n/);
    expect(text).toContain("e.g. tpctl apply --lock-timeout 2m");
    expect(text).toContain("e.g. tpctl apply --parallelism 8");
    expect(text).not.toContain("--detailed-exitcode");
  });

  it("prints the version from package.json", async () => {
    const { io, out } = capture();
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(await main(["version"], io)).toBe(0);
    expect(await main(["--version"], io)).toBe(0);
    expect(out).toEqual([`tpctl ${version}\n`, `tpctl ${version}\n`]);
  });

  it("turns an unknown command or flag into one sentence with a suggestion, exit 1", async () => {
    const errorOf = async (...argv: string[]): Promise<string> => {
      const run = capture();
      expect(await main(argv, run.io)).toBe(1);
      return run.err.join("");
    };
    expect(await errorOf("plna")).toMatchInlineSnapshot(`
      "Error: unknown command "plna" (did you mean "plan"?); run "tpctl help" to see the commands
      "
    `);
    expect(await errorOf("help", "aply")).toMatchInlineSnapshot(`
      "Error: unknown command "aply" (did you mean "apply"?); run "tpctl help" to see the commands
      "
    `);
    expect(await errorOf("plan", "--trget", "stream/x")).toMatchInlineSnapshot(`
      "Error: unknown option --trget for tpctl plan (did you mean --target?); run "tpctl help plan" to see its options
      "
    `);
    expect(await errorOf("plan", "-no-colr")).toMatchInlineSnapshot(`
      "Error: unknown option --no-colr for tpctl plan (did you mean --no-color?); run "tpctl help plan" to see its options
      "
    `);
    expect(await errorOf("plan", "--auto-approve")).toMatchInlineSnapshot(`
      "Error: unknown option --auto-approve for tpctl plan (it is an option of tpctl apply, tpctl destroy); run "tpctl help plan" to see its options
      "
    `);
    expect(await errorOf("plan", "--bogus")).toMatchInlineSnapshot(`
      "Error: unknown option --bogus for tpctl plan; run "tpctl help plan" to see its options
      "
    `);
    expect(await errorOf("apply", "--parallelism", "2", "--concurrency", "3")).toMatchInlineSnapshot(`
      "Error: --concurrency is another name for --parallelism; give only one of them
      "
    `);
    expect(await errorOf("apply", "--parallelism", "0", "--auto-approve")).toMatchInlineSnapshot(`
      "Error: --parallelism must be a whole number from 1 to 64, not "0"
      "
    `);
    expect(await errorOf("plan", "--var", "novalue")).toMatchInlineSnapshot(`
      "Error: --var must look like NAME=VALUE (e.g. --var retention_ms=3600000), not "novalue"
      "
    `);
    expect(await errorOf("show")).toMatchInlineSnapshot(`
      "Error: tpctl show takes one FILE, a plan saved with tpctl plan --out FILE
      "
    `);
  });

  it("understands Terraform's single-dash spellings", () => {
    expect(normalizeArgs(["-no-color", "-out=plan.json", "-target", "stream/x", "-h", "--", "-json"])).toEqual([
      "--no-color",
      "--out=plan.json",
      "--target",
      "stream/x",
      "-h",
      "--",
      "-json",
    ]);
  });

  it("reports a failure as JSON on stdout when JSON was asked for", async () => {
    const { io, out, err } = capture();
    expect(await main(["plan", "--json"], io)).toBe(1);
    expect(err.join("")).toContain("nothing was sent to the API");
    const document = JSON.parse(out.join(""));
    expect(document.format_version).toBe("1");
    expect(document.error.code).toBe("MANIFEST_INVALID");
    expect(document.error.meta.issues).toEqual([
      { file: "nonexistent", line: 1, column: 1, message: "no such file or folder: nonexistent" },
    ]);
  });

  it("reports a failure as JSON for every spelling of the JSON format", async () => {
    for (const flags of [["--format=json"], ["--format", "json"], ["-json"]]) {
      const { io, out } = capture();
      expect(await main(["plan", ...flags], io)).toBe(1);
      expect(JSON.parse(out.join("")).error.code, flags.join(" ")).toBe("MANIFEST_INVALID");
    }
  });
});
