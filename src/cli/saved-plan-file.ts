import { createHash } from "node:crypto";
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { StalePlanError, UsageError } from "../errors.js";
import type { DesiredResource, LiveResource, Plan } from "../model/index.js";
import { describeStaleness, fingerprintTexts, parseSavedPlan, savePlan, type SavedPlan } from "../plan/saved-plan.js";
import type { CommandContext } from "./context.js";

/** Digests of what a plan read, per address. */
export function fingerprintsOf(desired: readonly DesiredResource[], live: readonly LiveResource[]): SavedPlan["fingerprints"] {
  const texts = fingerprintTexts(desired, live);
  const digest = (record: Record<string, string>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(record).map(([address, text]) => [address, createHash("sha256").update(text).digest("hex").slice(0, 32)]),
    );
  return { manifests: digest(texts.manifests), live: digest(texts.live) };
}

/** `plan --out FILE`: written whole or not at all. */
export async function writeSavedPlan(
  context: CommandContext,
  file: string,
  plan: Plan,
  input: { project: string; desired: readonly DesiredResource[]; live: readonly LiveResource[]; display?: SavedPlanDisplay },
): Promise<void> {
  const env = context.flags["env"];
  const target = context.flags["target"];
  const path = resolve(context.io.cwd, file);
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : typeof value === "string" ? [value] : [];
  const excludes = list(context.flags["exclude"]);
  const replaces = list(context.flags["replace"]);
  // Absolute, and relative to the plan file: `apply FILE` from any folder reads the same manifests.
  const paths = (context.paths.length > 0 ? context.paths : ["."]).map((given) => resolve(context.io.cwd, given));
  const saved = savePlan(plan, {
    project: input.project,
    ...(typeof env === "string" ? { env } : {}),
    paths,
    pathsFromPlan: paths.map((absolute) => relative(dirname(path), absolute) || "."),
    targets: list(target),
    ...(excludes.length > 0 ? { excludes } : {}),
    ...(replaces.length > 0 ? { replaces } : {}),
    fingerprints: fingerprintsOf(input.desired, input.live),
  });
  const temporary = `${path}.${process.pid}.tmp`;
  const document = input.display ? { ...saved, display: input.display } : saved;
  await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/**
 * The plan as it was shown when it was saved (secrets masked by the renderers), so that
 * `tpctl show FILE` can print it without reading the workspace, as `terraform show` does.
 */
export interface SavedPlanDisplay {
  /** Without colour: `show` decides colour itself. */
  readonly text: string;
  readonly markdown: string;
  readonly json: unknown;
}

/** Reads `FILE` for `tpctl show FILE`: a saved plan with the renderings written by `plan --out`. */
export async function readSavedPlanForShow(context: CommandContext, file: string): Promise<SavedPlanDisplay> {
  let text: string;
  try {
    text = await readFile(resolve(context.io.cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not a saved plan (not JSON); save one with tpctl plan --out ${file}`);
  }
  const saved = parseSavedPlan(parsed);
  if (typeof saved === "string") throw new UsageError(`${file} cannot be shown: ${saved}`);
  const display = (parsed as { display?: Partial<SavedPlanDisplay> }).display;
  if (!display || typeof display.text !== "string" || typeof display.markdown !== "string" || display.json === undefined) {
    throw new UsageError(`${file} was saved by an older tpctl and holds no rendering of its plan; run tpctl plan --out ${file} again`);
  }
  return display as SavedPlanDisplay;
}

/** A single argument that is a saved plan file (not a manifest), or undefined. */
export async function readSavedPlanArgument(context: CommandContext): Promise<{ file: string; saved: SavedPlan } | undefined> {
  if (context.paths.length !== 1) return undefined;
  const file = context.paths[0] as string;
  if (/\.ya?ml$/i.test(file)) return undefined;
  let text: string;
  try {
    text = await readFile(resolve(context.io.cwd, file), "utf8");
  } catch {
    return undefined; // a folder or a missing path: the manifest loader explains
  }
  if (!text.trimStart().startsWith("{")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not valid JSON, so it cannot be a saved plan; run tpctl plan --out ${file} again`);
  }
  const saved = parseSavedPlan(parsed);
  if (typeof saved === "string") throw new UsageError(`${file} is not a tpctl plan file, so it cannot be applied: ${saved}`);
  return { file, saved: { ...saved, paths: await manifestPathsOf(saved, dirname(resolve(context.io.cwd, file))) } };
}

/** The plan-file-relative paths when they all exist (the checkout moved with the plan), else the absolute ones. */
async function manifestPathsOf(saved: SavedPlan, planFolder: string): Promise<string[]> {
  const relativeOnes = saved.pathsFromPlan?.map((path) => resolve(planFolder, path));
  if (relativeOnes && relativeOnes.length > 0) {
    const present = await Promise.all(
      relativeOnes.map((path) =>
        stat(path).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (present.every(Boolean)) return relativeOnes;
  }
  return saved.paths.map((path) => resolve(planFolder, path));
}

/** Refuses (exit 3) when anything the saved plan read has changed since. */
export function assertPlanStillFits(
  file: string,
  saved: SavedPlan,
  current: { desired: readonly DesiredResource[]; live: readonly LiveResource[]; plan: Plan },
): void {
  const reasons = describeStaleness(saved.fingerprints, fingerprintsOf(current.desired, current.live));
  const planned = current.plan.changes.map((change) => `${change.action} ${change.address}`).join("\n");
  const approved = saved.changes.map((change) => `${change.action} ${change.address}`).join("\n");
  if (reasons.length === 0 && planned === approved) return;
  const listed = reasons.length > 0 ? reasons.join("; ") : "the changes it would make are no longer the same";
  throw new StalePlanError(`the saved plan ${file} is stale: ${listed}. Run tpctl plan --out ${file} again and review it`, {
    meta: { reasons },
  });
}
