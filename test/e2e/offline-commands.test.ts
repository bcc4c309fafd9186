import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSchemas, schemaFingerprint } from "../../src/manifest/load.js";
import { CLI } from "../helpers/cli.js";

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), "../../examples");
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "tpctl-offline-"));
  // A module hook that writes down every module the process loads.
  await writeFile(
    join(scratch, "hooks.mjs"),
    'import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(process.env.LOADED_LOG, `${url}\\n`); return next(url, context); }\n',
  );
  await writeFile(join(scratch, "register.mjs"), 'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n');
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs the built CLI in examples/ and returns the modules it loaded. */
function loadedBy(args: readonly string[]): Promise<string[]> {
  const log = join(scratch, `${args.join("-")}.log`);
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ["--import", pathToFileURL(join(scratch, "register.mjs")).href, CLI, ...args],
      { cwd: EXAMPLES, env: { ...process.env, LOADED_LOG: log, TIMEPLUS_ADDRESS: "" } },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`${args.join(" ")} failed: ${stderr}`));
        else readFile(log, "utf8").then((text) => resolvePromise(text.trim().split("\n")), reject);
      },
    );
  });
}

describe("offline commands", () => {
  it.each([["validate"], ["graph"]])("%s loads neither the HTTP client, the server nor ajv", async (command) => {
    const loaded = await loadedBy([command]);
    expect(loaded.some((url) => url.endsWith("/dist/cli/commands/" + command + ".js"))).toBe(true);
    const heavy = loaded.filter((url) =>
      /\/dist\/server\/|\/dist\/live\/client\.js|\/dist\/cli\/connect\.js|\/node_modules\/(undici|ajv)\//.test(url),
    );
    expect(heavy).toEqual([]);
    // The schemas come precompiled from the build.
    expect(loaded.some((url) => url.endsWith("/dist/manifest/validators.js"))).toBe(true);
  });

  it("uses build-time validators compiled from the schemas as they are now", async () => {
    const built = (await import(pathToFileURL(join(dirname(CLI), "..", "manifest", "validators.js")).href)) as { fingerprint: string };
    expect(built.fingerprint).toBe(schemaFingerprint(await readSchemas()));
  });
});
