import type { Step, StepPhase } from "../model/index.js";

/** Terraform's words, which CI logs and people already search for. */
const VERBS: Readonly<Record<StepPhase, { readonly start: string; readonly still: string }>> = {
  create: { start: "Creating...", still: "creating" },
  update: { start: "Modifying...", still: "modifying" },
  delete: { start: "Destroying...", still: "destroying" },
};

export interface RunningStep {
  readonly step: Pick<Step, "phase" | "address">;
  readonly elapsedMs: number;
}

function seconds(ms: number): string {
  return `${Math.floor(ms / 1000)}s elapsed`;
}

/** "  stream/cars: Creating..." (a plain line: the log of a run without a terminal). */
export function renderStepStarted(step: Pick<Step, "phase" | "address">): string {
  return `  ${step.address}: ${VERBS[step.phase].start}\n`;
}

/** "  stream/cars: Still creating... [10s elapsed]" */
export function renderStillRunning(running: RunningStep): string {
  return `  ${running.step.address}: Still ${VERBS[running.step.phase].still}... [${seconds(running.elapsedMs)}]\n`;
}

/**
 * The one status line a terminal shows under the finished steps, redrawn in place:
 * "  Still creating stream/cars... [12s elapsed]; modifying view/v... [3s elapsed]", cut to `width`.
 */
export function renderRunningStatus(running: readonly RunningStep[], width: number): string {
  if (running.length === 0) return "";
  const parts = running.map(({ step, elapsedMs }, index) => {
    // Just started: "Creating stream/cars..."; later "Still creating stream/cars... [12s elapsed]".
    if (elapsedMs < 1000)
      return `${index === 0 ? VERBS[step.phase].start.replace(/\.\.\.$/, "") : VERBS[step.phase].still} ${step.address}...`;
    const verb = VERBS[step.phase].still;
    return `${index === 0 ? `Still ${verb}` : verb} ${step.address}... [${seconds(elapsedMs)}]`;
  });
  const line = `  ${parts.join("; ")}`;
  return line.length > width ? `${line.slice(0, Math.max(0, width - 3))}...` : line;
}
