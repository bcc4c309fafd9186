import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ManifestIssue } from "../errors.js";
import { findManifestFiles, loadManifests } from "./load.js";

const made: string[] = [];

/** Builds a folder tree from { "relative/path": "content" } and returns its root. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "tpctl-load-"));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

function lines(issues: readonly ManifestIssue[]): string[] {
  return issues.map((issue) => `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`);
}

const STREAM = "kind: stream\nname: events\ncolumns: [{ name: id, type: string }]\n";

describe("loadManifests", () => {
  it("reads a folder recursively, sorted, skipping dot-folders, node_modules and other files", async () => {
    const root = await tree({
      "tpctl.yaml": "project: fleet\nvariables:\n  q: { default: SELECT * FROM events }\n",
      "b.yml": "kind: view\nname: v\nquery: ${var.q}\n",
      "a.yaml": STREAM,
      "sub/deeper/c.YAML": "kind: saved_query\nname: q\nsql: SELECT 1\n",
      "node_modules/x.yaml": "kind: nonsense\n",
      ".git/x.yaml": "kind: nonsense\n",
      ".tpctl/x.yaml": "kind: nonsense\n",
      ".github/workflows/ci.yaml": "on: push\n",
      "README.md": "# notes\n",
    });
    const result = await loadManifests([], { environment: {}, cwd: root });
    expect(result.issues).toEqual([]);
    expect(result.project).toBe("fleet");
    expect(result.resources.map((resource) => [resource.address, resource.location?.file])).toEqual([
      ["stream/events", "a.yaml"],
      ["view/v", "b.yml"],
      ["saved_query/q", join("sub", "deeper", "c.YAML")],
    ]);
    expect(result.resources[1]?.spec["query"]).toBe("SELECT * FROM events");
  });

  it("reports problems of every file at once, with paths relative to the working folder", async () => {
    const root = await tree({
      "manifests/a.yaml": STREAM,
      "manifests/b/c.yaml": "kind: view\nname: v\nquery: SELECT 1\n---\nkind: stream\nname: events\n",
      "manifests/d.yaml": "kind: stream\nname: [oops\n",
    });
    const result = await loadManifests(["manifests", "missing.yaml"], { environment: {}, cwd: root });
    expect(lines(result.issues)).toEqual([
      "missing.yaml:1:1: no such file or folder: missing.yaml",
      `${join("manifests", "b", "c.yaml")}:6:7: stream/events is declared twice; the first declaration is at ${join("manifests", "a.yaml")}:2`,
      `${join("manifests", "d.yaml")}:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
  });

  it("takes tpctl.yaml beside a file given directly, and applies the chosen environment", async () => {
    const root = await tree({
      "tpctl.yaml": [
        "project: fleet",
        "variables:",
        "  retention: { type: number, default: 1000 }",
        "environments:",
        "  prod:",
        "    address: https://prod:8000",
        "    variables: { retention: 2000 }",
        "    overrides:",
        "      - { kind: stream, name: events, set: { lifecycle: { prevent_destroy: true } } }",
        "",
      ].join("\n"),
      "events.yaml": `${STREAM}logstore_retention_ms: \${var.retention}\n`,
    });
    const result = await loadManifests([join(root, "events.yaml")], { env: "prod", environment: {}, cwd: root });
    expect(result.issues).toEqual([]);
    expect(result.settings).toEqual({ address: "https://prod:8000" });
    expect(result.resources[0]?.spec["logstore_retention_ms"]).toBe(2000);
    expect(result.resources[0]?.lifecycle.preventDestroy).toBe(true);
  });

  it("refuses two project files", async () => {
    const root = await tree({ "a/tpctl.yaml": "project: a\n", "b/tpctl.yaml": "project: b\n" });
    const result = await loadManifests(["a", "b"], { environment: {}, cwd: root });
    expect(lines(result.issues)).toEqual([
      `${join("b", "tpctl.yaml")}:1:1: only one tpctl.yaml can apply, and ${join("a", "tpctl.yaml")} was found first; validate the folders separately`,
    ]);
  });

  it("refuses a project file below the root, whose folder would otherwise join this project under another's name", async () => {
    const root = await tree({ "tpctl.yaml": "project: a\n", "s.yaml": STREAM, "sub/tpctl.yaml": "project: b\n", "sub/t.yaml": STREAM });
    const result = await loadManifests(["."], { environment: {}, cwd: root });
    expect(lines(result.issues)).toEqual([
      `${join("sub", "tpctl.yaml")}:1:1: sub has a project file of its own, below the root of the manifest folder; plan it on its own (tpctl plan sub), or delete this file to make its manifests part of this project`,
    ]);
    // Planned on its own, the folder is a project like any other.
    expect(lines((await loadManifests(["sub"], { environment: {}, cwd: root })).issues)).toEqual([]);
  });

  it("finds each file once, even when named twice", async () => {
    const root = await tree({ "a.yaml": STREAM });
    const found = await findManifestFiles([root, join(root, "a.yaml")], root);
    expect(found.files).toEqual([join(root, "a.yaml")]);
  });

  it("validates the examples/ folder the README plans", async () => {
    const result = await loadManifests([resolve("examples")], { environment: {} });
    expect(lines(result.issues)).toEqual([]);
    expect(result.resources.length).toBeGreaterThan(0);
  });
});

describe("loadManifests and yaml's full parser", () => {
  // load.ts reads without yaml first and again with it when a file or a position needs it; either
  // way the result must be the one yaml's tree gives.
  it("reads a file the fast path declines (anchors and merge keys) in a folder of plain files", async () => {
    const root = await tree({
      "a.yaml": STREAM,
      "b.yaml": "kind: stream\nname: shared\ncolumns:\n  - &id { name: id, type: string }\n  - { <<: *id, name: id2 }\n",
    });
    const loaded = await loadManifests([root], { cwd: root, environment: {} });
    expect(lines(loaded.issues)).toEqual([]);
    expect(loaded.resources.map((resource) => [resource.address, resource.spec["columns"]])).toEqual([
      ["stream/events", [{ name: "id", type: "string" }]],
      [
        "stream/shared",
        [
          { name: "id", type: "string" },
          { name: "id2", type: "string" },
        ],
      ],
    ]);
  });

  it("places an issue inside a plain file's nested value where yaml's tree puts it", async () => {
    const root = await tree({
      "a.yaml": "kind: stream\nname: events\ncolumns:\n  - name: id\n    type: string\n  - name: 7\n    type: string\n",
    });
    const loaded = await loadManifests([root], { cwd: root, environment: {} });
    expect(lines(loaded.issues)).toEqual([expect.stringMatching(/^a\.yaml:6:11: /)]);
  });
});
