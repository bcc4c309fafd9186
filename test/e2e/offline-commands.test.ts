import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSchemas, schemaFingerprint } from "../../src/manifest/load.js";
import { CLI, makeTree } from "../helpers/cli.js";
import { startTestServer } from "../helpers/server.js";

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), "../../examples");
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "tpctl-offline-"));
  // A module hook that writes down every module the process loads.
  await writeFile(
    join(scratch, "hooks.mjs"),
    'import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(process.env.LOADED_LOG, `${url}\\n`); return next(url, context); }\n',
  );
  // `require` goes around the hooks: what it loaded is written down as the process exits.
  await writeFile(
    join(scratch, "register.mjs"),
    'import { register, createRequire } from "node:module";\nimport { appendFileSync } from "node:fs";\nregister("./hooks.mjs", import.meta.url);\nconst require = createRequire(import.meta.url);\nprocess.on("exit", () => appendFileSync(process.env.LOADED_LOG, Object.keys(require.cache).map((path) => `file://${path}\\n`).join("")));\n',
  );
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs the built CLI (in examples/ unless told otherwise) and returns the modules it loaded. */
let runs = 0;
function loadedBy(args: readonly string[], where: { cwd?: string; env?: Record<string, string> } = {}): Promise<string[]> {
  // A log of its own per run: the hooks append, and two runs of one command must not share one.
  runs += 1;
  const log = join(scratch, `${args.join("-")}-${runs}.log`);
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ["--import", pathToFileURL(join(scratch, "register.mjs")).href, CLI, ...args],
      { cwd: where.cwd ?? EXAMPLES, env: { ...process.env, LOADED_LOG: log, TIMEPLUS_ADDRESS: "", ...where.env } },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`${args.join(" ")} failed: ${stderr}`));
        else readFile(log, "utf8").then((text) => resolvePromise(text.trim().split("\n")), reject);
      },
    );
  });
}

/** The code of the parts of the bundled CLI that a run loaded. */
async function bundledCode(loaded: readonly string[]): Promise<string> {
  const parts = loaded.filter((url) => url.includes("/dist/bin/")).map((url) => fileURLToPath(url));
  return (await Promise.all(parts.map((path) => readFile(path, "utf8")))).join("\n");
}

/** The HTTP client and the built-in server, by functions only they define. */
const HTTP_CLIENT_OR_SERVER = /function (createTimeplusClient|connect|startServer)\b/;

describe("offline commands", () => {
  it.each([["validate"], ["graph"]])("%s loads neither the HTTP client, the server nor ajv", async (command) => {
    const loaded = await loadedBy([command]);
    // The bundle's parts are named by the bundler; what they hold says what was loaded.
    const code = await bundledCode(loaded);
    expect(loaded.some((url) => url.endsWith("/dist/bin/tpctl.js"))).toBe(true);
    expect(code).not.toMatch(HTTP_CLIENT_OR_SERVER);
    expect(loaded.filter((url) => /\/dist\/(server|drivers|cli)\/|\/node_modules\/(undici|ajv)\//.test(url))).toEqual([]);
    // The schemas come precompiled from the build.
    expect(loaded.some((url) => url.endsWith("/dist/manifest/validators.js"))).toBe(true);
  });

  it("uses build-time validators compiled from the schemas as they are now", async () => {
    const built = (await import(pathToFileURL(join(dirname(CLI), "..", "manifest", "validators.js")).href)) as { fingerprint: string };
    expect(built.fingerprint).toBe(schemaFingerprint(await readSchemas()));
  });

  it("a plan whose values are plain loads neither yaml, diff nor fast-json-patch, and one that needs them loads them", async () => {
    const server = await startTestServer();
    const tree = await makeTree({
      "tpctl.yaml": "project: plain\n",
      "s.yaml": "kind: stream\nname: readings\ncolumns:\n  - { name: id, type: string }\n",
    });
    try {
      const libraries = (loaded: readonly string[]): string[] =>
        loaded
          .filter((url) => /\/node_modules\/(yaml|diff|fast-json-patch)\//.test(url))
          .map((url) => /node_modules\/([^/]+)/.exec(url)?.[1] ?? url);
      const plain = await loadedBy(["plan", "--no-color"], { cwd: tree.dir, env: server.env });
      expect(libraries(plain)).toEqual([]);
      // What the offline commands are checked for not loading, a plan does load.
      expect(await bundledCode(plain)).toMatch(HTTP_CLIENT_OR_SERVER);
      // A multi-line query is shown as a literal block, which yaml lays out.
      await tree.write({ "v.yaml": "kind: view\nname: recent\nquery: |\n  SELECT id\n  FROM readings\n" });
      expect(new Set(libraries(await loadedBy(["plan", "--no-color"], { cwd: tree.dir, env: server.env })))).toEqual(new Set(["yaml"]));
    } finally {
      await tree.cleanup();
      await server.close();
    }
  });
});
