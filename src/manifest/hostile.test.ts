import { chmod } from "node:fs/promises";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManifestIssue } from "../errors.js";
import { loadManifests, readSchemas } from "./load.js";
import { MAX_FILE_CHARS, MAX_VALUE_CHARS } from "./parse.js";
import { assembleManifests } from "./assemble.js";
import type { SchemaSet } from "./schemas.js";

/** Manifests written to break tpctl: each must be a clear issue with file:line, never a crash or a silent pass. */
let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await readSchemas();
});

function check(text: string, options: { project?: string; env?: string; environment?: Record<string, string> } = {}) {
  return assembleManifests({
    ...(options.env ? { env: options.env } : {}),
    files: [{ file: "m.yaml", text }],
    ...(options.project ? { projectFile: { file: "tpctl.yaml", text: options.project } } : {}),
    environment: options.environment ?? {},
    schemas,
  });
}
const lines = (issues: readonly ManifestIssue[]) => issues.map((issue) => `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
const stream = (description: string) => `kind: stream\nname: s\ndescription: "${description}"\ncolumns: [{ name: x, type: int8 }]\n`;

describe("hostile manifests", () => {
  it("treat ${var.constructor}, ${var.toString} and ${env:hasOwnProperty} as undefined", () => {
    for (const reference of ["${var.constructor}", "${var.toString}", "${env:hasOwnProperty}", "${secret:constructor}"]) {
      const result = check(stream(reference));
      expect(lines(result.issues)[0], reference).toMatch(/^m\.yaml:3:\d+: .*(has no value|is not set)/);
    }
  });

  it("refuse a __proto__ key instead of ignoring it", () => {
    const result = check("kind: stream\nname: s\ncolumns: [{ name: x, type: int8 }]\n__proto__: { polluted: true }\n");
    expect(lines(result.issues)).toEqual(['m.yaml:4:1: "__proto__" is not allowed as a key']);
  });

  it("refuse an alias bomb and a self-referencing alias, naming the file", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level < 9; level += 1)
      bomb.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(", ")}]`,
      );
    const result = check(`kind: stream\nname: s\n${bomb.join("\n")}\n`);
    expect(lines(result.issues)[0]).toMatch(/^m\.yaml:1:1: YAML aliases in this document expand too far or refer to themselves/);
    const selfReferencing = check("kind: stream\nname: s\ncolumns: &c [{ name: x, type: int8, more: *c }]\n");
    expect(lines(selfReferencing.issues)).toEqual([
      "m.yaml:1:1: YAML aliases in this document expand too far or refer to themselves (an alias refers to a node that contains it); write the values out",
    ]);
  });

  it("refuse a file or a value past the documented size at once", () => {
    const big = check(`kind: stream\nname: s\ndescription: ${"x".repeat(MAX_FILE_CHARS)}\n`);
    expect(lines(big.issues)).toEqual([
      `m.yaml:1:1: the file is ${MAX_FILE_CHARS + 35} characters long; a manifest file may hold at most ${MAX_FILE_CHARS} (1 MiB)`,
    ]);
    const long = check(stream("y".repeat(MAX_VALUE_CHARS + 1)));
    expect(lines(long.issues)).toEqual([
      `m.yaml:3:14: this value is longer than ${MAX_VALUE_CHARS} characters, the most a manifest value may hold`,
    ]);
  });

  it("refuse the lock's reserved names at validate time", () => {
    const result = check(
      "kind: view\nname: tpctl_lock\nquery: SELECT 1\n---\nkind: stream\nname: tpctl_lock_3\ncolumns: [{ name: x, type: int8 }]\n",
    );
    expect(lines(result.issues)).toEqual([
      'm.yaml:2:7: name "tpctl_lock" is reserved: tpctl keeps names starting "tpctl_lock" for its workspace lock',
      'm.yaml:6:7: name "tpctl_lock_3" is reserved: tpctl keeps names starting "tpctl_lock" for its workspace lock',
    ]);
  });

  it("run the offline SQL check: an unterminated string is an issue", () => {
    const result = check("kind: view\nname: v\nquery: SELECT 'oops FROM s\n");
    expect(lines(result.issues)).toEqual([
      'm.yaml:3:8: "query": SQL syntax error: string literal starting at offset 7 (line 1, column 8) is never closed',
    ]);
  });

  it("refuse references to tpctl's own credential variables, and mask a value equal to a credential", () => {
    const own = check(stream("${env:TIMEPLUS_PASSWORD}"), { environment: { TIMEPLUS_PASSWORD: "hunter2-pw" } });
    expect(lines(own.issues)[0]).toMatch(/^m\.yaml:3:\d+: \$\{env:TIMEPLUS_PASSWORD\} reads tpctl's own credential/);
    const named = check(stream("${secret:PROD_PW}"), {
      project: "project: p\nenvironments:\n  prod:\n    password_env: PROD_PW\n",
      env: "prod",
      environment: { PROD_PW: "hunter2-pw" },
    });
    expect(lines(named.issues)[0]).toMatch(/\$\{secret:PROD_PW\} reads tpctl's own credential/);
    const copied = check(stream("the password is hunter2-pw"), { environment: { TIMEPLUS_PASSWORD: "hunter2-pw" } });
    expect(copied.issues).toEqual([]);
    expect(copied.resources[0]?.secretPaths).toContain("/description");
  });
});

describe("unreadable paths", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tpctl-unreadable-"));
    await writeFile(join(root, "a.yaml"), stream("ok"));
    await mkdir(join(root, "locked"));
    await writeFile(join(root, "locked", "b.yaml"), "kind: stream\nname: b\ncolumns: [{ name: x, type: int8 }]\n");
    await chmod(join(root, "locked"), 0o000);
  });
  afterAll(async () => {
    await chmod(join(root, "locked"), 0o755);
    await rm(root, { recursive: true, force: true });
  });

  // Root reads any folder, so this machine's CI skips the folder case; the dangling link below runs as anyone.
  it.skipIf(process.getuid?.() === 0)("are errors, never skipped silently", async () => {
    const loaded = await loadManifests([root], { environment: {}, cwd: root });
    expect(lines(loaded.issues)).toEqual([
      "locked:1:1: cannot read the folder (EACCES); its manifests would look deleted, so nothing is planned without them",
    ]);
  });
});

describe("a manifest that is a link to nothing", () => {
  it("is an error, never skipped silently (it would make its resources look deleted)", async () => {
    const root = await mkdtemp(join(tmpdir(), "tpctl-dangling-"));
    try {
      await writeFile(join(root, "a.yaml"), stream("ok"));
      await symlink(join(root, "gone.yaml"), join(root, "b.yaml"));
      const loaded = await loadManifests([root], { environment: {}, cwd: root });
      expect(lines(loaded.issues)).toHaveLength(1);
      expect(lines(loaded.issues)[0]).toMatch(/^b\.yaml:1:1: .*a link to nothing/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
