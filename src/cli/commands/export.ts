import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { TpctlError, UsageError } from "../../errors.js";
import { rejectAmbiguousNames } from "../../drivers/rest/read-workspace.js";
import type { Driver } from "../../drivers/driver.js";
import { adoptionFor } from "../../export/adopt.js";
import { assembleExport, type ExportBundle } from "../../export/assemble.js";
import { renderExportReport, type AdoptionOutcome } from "../../render/export.js";
import { DEFAULT_SCHEMA_DIR } from "../../manifest/load.js";
import { DEFAULT_PROJECT } from "../../manifest/project.js";
import { PROJECT_NAME_PATTERN } from "../../model/index.js";
import { connect } from "../connect.js";
import type { CommandContext, CommandResult } from "../context.js";
import { takeWorkspaceLock, type HeldLock } from "../lock.js";

const DEFAULT_FOLDER = "exported";

/**
 * `tpctl export [--out DIR] [--project NAME] [--adopt]`: manifests for what is live, written
 * only if no existing file would be overwritten with something else; with `--adopt`, then the
 * project's ownership marker on every exported resource that has none.
 */
export async function run(context: CommandContext): Promise<CommandResult> {
  const { io, flags } = context;
  if (context.paths.length > 0) {
    throw new UsageError(`tpctl export takes no PATH; name the folder to write with --out (got "${context.paths.join(" ")}")`);
  }
  if (flags["env"] !== undefined) {
    throw new UsageError("tpctl export connects through the TIMEPLUS_* variables and reads no tpctl.yaml, so --env does not apply");
  }
  const out = flags["out"] ?? DEFAULT_FOLDER;
  if (typeof out !== "string" || out === "") throw new UsageError("--out needs a folder name");
  const project = flags["project"] ?? DEFAULT_PROJECT;
  if (typeof project !== "string" || !PROJECT_NAME_PATTERN.test(project)) {
    throw new UsageError(`--project must be 1 to 64 letters, digits, "_", "." or "-", not "${String(project)}"`);
  }
  const adopt = flags["adopt"] === true;
  const folder = resolve(io.cwd, out);
  const display = (path: string): string => {
    const relativePath = relative(io.cwd, path);
    return relativePath === "" ? "." : relativePath.startsWith(`..${sep}`) || isAbsolute(relativePath) ? path : relativePath;
  };

  const connection = await connect({ environment: io.environment, cwd: io.cwd, api: flags["api"] });
  const withSchemas = (bundle: ExportBundle): ExportBundle => ({
    ...bundle,
    files: bundle.files.map((file) => ({ ...file, content: `${schemaLine(join(folder, file.path), file.path)}\n${file.content}` })),
  });
  let lock: HeldLock | undefined;
  try {
    // Adoption writes to the workspace: hold the lock from the read on, as apply does.
    if (adopt) {
      lock = await takeWorkspaceLock(connection.driver.lockChannel, io.environment, "export --adopt");
    }
    const live = await connection.driver.readWorkspace();
    rejectAmbiguousNames(live);
    const bundle = withSchemas(assembleExport(live, { project }));
    const unchanged = await writeExport(folder, bundle, display);
    const adoption = adopt ? await adoptAll(connection.driver, bundle, project, io.environment) : undefined;
    io.stdout(
      renderExportReport({
        source: connection.description,
        folder: display(folder),
        project,
        resourceCount: bundle.resources.length,
        files: bundle.files.map((file) => ({ path: display(join(folder, file.path)), unchanged: unchanged.has(file.path) })),
        secrets: bundle.secrets,
        skipped: bundle.skipped,
        ...(adoption ? { adoption } : {}),
      }),
    );
    const failed = adoption?.filter((outcome) => outcome.status === "failed").length ?? 0;
    if (failed > 0) {
      io.stderr(
        `Error: ${failed} resource${failed === 1 ? "" : "s"} could not be adopted (see above); the manifests were written, and running tpctl export --adopt again retries.\n`,
      );
      return { exitCode: 1 };
    }
    return { exitCode: 0 };
  } finally {
    try {
      await lock?.release();
    } finally {
      await connection.close();
    }
  }
}

/** The schemas of the tpctl that writes the export. */
const SCHEMA_DIR = DEFAULT_SCHEMA_DIR;

/**
 * The first line of an exported file, so that editors running the YAML language server complete
 * and check it: the schema for a resource, or for tpctl.yaml, by a path relative to the file.
 */
export function schemaLine(file: string, relativePath: string): string {
  const schema = join(SCHEMA_DIR, basename(relativePath) === "tpctl.yaml" ? "tpctl.json" : "manifest.json");
  return `# yaml-language-server: $schema=${relative(dirname(file), schema).split(sep).join("/")}`;
}

/**
 * Writes every file of the export, after checking all of them: an existing file is left alone if
 * it is identical and otherwise stops the export before anything is written.
 * Returns the paths that were already identical.
 */
async function writeExport(folder: string, bundle: ExportBundle, display: (path: string) => string): Promise<Set<string>> {
  const unchanged = new Set<string>();
  const conflicts: string[] = [];
  for (const file of bundle.files) {
    const existing = await readIfPresent(join(folder, file.path));
    if (existing === undefined) continue;
    if (existing === file.content) unchanged.add(file.path);
    else conflicts.push(display(join(folder, file.path)));
  }
  if (conflicts.length > 0) {
    const listed = conflicts.length > 5 ? `${conflicts.slice(0, 5).join(", ")} and ${conflicts.length - 5} more` : conflicts.join(", ");
    throw new UsageError(
      `refusing to overwrite ${conflicts.length === 1 ? "a file that differs" : `${conflicts.length} files that differ`} from the export (${listed}); nothing was written. Move or delete ${conflicts.length === 1 ? "it" : "them"}, or export into another folder with --out`,
    );
  }
  for (const file of bundle.files) {
    if (unchanged.has(file.path)) continue;
    const path = join(folder, file.path);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { flag: "wx" });
    } catch (error) {
      throw new ExportWriteError(display(path), error);
    }
  }
  return unchanged;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") return "";
    throw new ExportWriteError(path, error);
  }
}

class ExportWriteError extends TpctlError {
  readonly code = "EXPORT_WRITE";
  constructor(path: string, cause: unknown) {
    const why = (cause as NodeJS.ErrnoException).code === "EEXIST" ? "it appeared while exporting" : (cause as Error).message;
    super(`cannot write ${path}: ${why}`, { cause, meta: { path } });
  }
}

/**
 * Records ownership on each exported resource, one resource at a time, through the connected
 * driver (REST or SQL, as for apply); a failure is reported, never thrown, and stops no other.
 */
export async function adoptAll(
  driver: Pick<Driver, "runStep">,
  bundle: ExportBundle,
  project: string,
  environment: Readonly<Record<string, string | undefined>>,
): Promise<AdoptionOutcome[]> {
  const outcomes: AdoptionOutcome[] = [];
  for (const exported of bundle.resources) {
    const adoption = adoptionFor(exported, { project, environment });
    if (adoption.action === "skip") {
      outcomes.push({ address: adoption.address, status: "skipped", reason: adoption.reason });
      continue;
    }
    try {
      await driver.runStep(adoption.step, adoption.change, project);
      outcomes.push({ address: adoption.address, status: "adopted", unfingerprinted: adoption.unfingerprinted });
    } catch (error) {
      outcomes.push({ address: adoption.address, status: "failed", error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}
