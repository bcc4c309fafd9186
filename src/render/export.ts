import type { Address } from "../model/index.js";
import { describePointer } from "../model/index.js";

/** A secret an exported manifest reads from the environment (export/assemble.ts `ExportedSecret`). */
export interface ReportedSecret {
  readonly address: Address;
  /** JSON pointer into the resource's spec. */
  readonly pointer: string;
  readonly envVar: string;
}

/** How adopting one resource ended, for the report. */
export type AdoptionOutcome =
  | { readonly address: Address; readonly status: "adopted"; readonly unfingerprinted: readonly ReportedSecret[] }
  | { readonly address: Address; readonly status: "skipped"; readonly reason: string }
  | { readonly address: Address; readonly status: "failed"; readonly error: string };

export interface ExportReport {
  /** Where the resources came from, safe to print. */
  readonly source: string;
  /** The export folder as the user should type it, e.g. "exported". */
  readonly folder: string;
  readonly project: string;
  readonly resourceCount: number;
  /** Every file of the export as the user should type it, and whether it was written or already identical. */
  readonly files: readonly { readonly path: string; readonly unchanged: boolean }[];
  readonly secrets: readonly ReportedSecret[];
  /** Live resources no manifest can declare, and why. */
  readonly skipped: readonly { readonly address: Address; readonly reason: string }[];
  /** Present when `--adopt` was given. */
  readonly adoption?: readonly AdoptionOutcome[];
}

/**
 * What export did, for a person: the files, the environment variables the manifests need, and
 * either what was adopted or how to adopt.
 *
 * @example io.stdout(renderExportReport({ source, folder: "exported", project, resourceCount, files, secrets }))
 */
export function renderExportReport(report: ExportReport): string {
  const out: string[] = [];
  const count = `${report.resourceCount} resource${report.resourceCount === 1 ? "" : "s"}`;
  out.push(`Exported ${count} from ${report.source} into ${report.folder}/:`);
  for (const file of report.files) out.push(`  ${file.path}${file.unchanged ? " (unchanged)" : ""}`);
  if (report.skipped.length > 0) {
    out.push("", "Not exported:");
    for (const skipped of report.skipped) out.push(`  ${skipped.address}: ${skipped.reason}`);
  }
  if (report.secrets.length > 0) {
    const width = Math.max(...report.secrets.map((secret) => secret.envVar.length));
    out.push(
      "",
      "The API does not return secrets, so the manifests read them from these environment variables;",
      "set them before tpctl plan or apply:",
      ...report.secrets.map((secret) => `  ${secret.envVar.padEnd(width)}  ${secret.address} ${describePointer(secret.pointer)}`),
    );
  }
  if (report.adoption) {
    const adopted = report.adoption.filter((outcome) => outcome.status === "adopted");
    const skipped = report.adoption.filter((outcome) => outcome.status === "skipped");
    const failed = report.adoption.filter((outcome) => outcome.status === "failed");
    out.push("");
    if (adopted.length > 0) {
      out.push(`Adopted into project "${report.project}" (removing a manifest now deletes its resource):`);
      for (const outcome of adopted) out.push(`  ${outcome.address}`);
      const unfingerprinted = adopted.flatMap((outcome) => outcome.unfingerprinted);
      if (unfingerprinted.length > 0) {
        out.push(
          `  (${unfingerprinted.map((secret) => secret.envVar).join(", ")} ${unfingerprinted.length === 1 ? "was" : "were"} not set, so the next apply rewrites ${unfingerprinted.length === 1 ? "that secret" : "those secrets"} from the environment)`,
        );
      }
    } else {
      out.push(`Adopted nothing into project "${report.project}".`);
    }
    if (skipped.length > 0) {
      out.push("Not adopted:");
      for (const outcome of skipped) out.push(`  ${outcome.address}: ${outcome.reason}`);
    }
    if (failed.length > 0) {
      out.push("Failed to adopt:");
      for (const outcome of failed) out.push(`  ${outcome.address}: ${outcome.error}`);
    }
  } else if (report.resourceCount > 0) {
    out.push(
      "",
      "Nothing was written to the workspace. To let tpctl delete these resources when their manifests",
      `are removed, adopt them: tpctl export --out ${report.folder} --adopt${report.project === "default" ? "" : ` --project ${report.project}`}`,
    );
  }
  out.push("", `A plan of them should show no changes: tpctl plan ${report.folder}`, "");
  return out.join("\n");
}
