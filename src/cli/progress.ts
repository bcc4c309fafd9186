import type { Plan, Step, StepOutcome } from "../model/index.js";
import { createOutcomeRenderer } from "../render/apply-report.js";
import { renderRunningStatus, renderStepStarted, renderStillRunning } from "../render/progress.js";

export interface ApplyProgress {
  onStarted(step: Step): void;
  onSettled(outcome: StepOutcome): void;
  /** Stops the timer and clears the status line; safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  readonly write: (text: string) => void;
  /** On a terminal one status line is redrawn in place; otherwise every event is one plain line. */
  readonly tty: boolean;
  readonly color: boolean;
  readonly columns?: number;
  readonly now?: () => number;
  /** How often the terminal's status line is redrawn. */
  readonly redrawMs?: number;
  /** How often a plain log says a step is still running (Terraform says it every 10 s). */
  readonly stillEveryMs?: number;
}

const CLEAR_LINE = "\r\u001b[2K";

/**
 * What a long apply shows while it runs. On a terminal: each finished step as a line, and under
 * them one line naming what is running and for how long, redrawn every second. In CI: a plain
 * line when a step starts, every 10 s while it runs ("Still creating... [10s elapsed]") and when
 * it ends; nothing is ever redrawn, so the log reads top to bottom.
 */
export function createApplyProgress(plan: Plan, options: ProgressOptions): ApplyProgress {
  const now = options.now ?? Date.now;
  const line = createOutcomeRenderer(plan, { color: options.color });
  const running = new Map<string, { step: Step; since: number; lastSaid: number }>();
  const width = Math.max(20, (options.columns ?? 80) - 1);
  let statusShown = false;

  const clearStatus = (): void => {
    if (statusShown) options.write(CLEAR_LINE);
    statusShown = false;
  };
  const drawStatus = (): void => {
    const at = now();
    const status = renderRunningStatus(
      [...running.values()].map(({ step, since }) => ({ step, elapsedMs: at - since })),
      width,
    );
    options.write(`${CLEAR_LINE}${status}`);
    statusShown = status !== "";
  };
  const tick = (): void => {
    if (options.tty) {
      if (running.size > 0) drawStatus();
      return;
    }
    const at = now();
    const every = options.stillEveryMs ?? 10_000;
    for (const entry of running.values()) {
      if (at - entry.lastSaid < every) continue;
      entry.lastSaid = at;
      options.write(renderStillRunning({ step: entry.step, elapsedMs: at - entry.since }));
    }
  };
  const timer = setInterval(tick, options.tty ? (options.redrawMs ?? 1_000) : 1_000);
  timer.unref();

  return {
    onStarted(step) {
      const at = now();
      running.set(step.id, { step, since: at, lastSaid: at });
      if (options.tty) drawStatus();
      else options.write(renderStepStarted(step));
    },
    onSettled(outcome) {
      running.delete(outcome.stepId);
      if (options.tty) {
        clearStatus();
        options.write(line(outcome));
        if (running.size > 0) drawStatus();
      } else {
        options.write(line(outcome));
      }
    },
    stop() {
      clearInterval(timer);
      if (options.tty) clearStatus();
    },
  };
}
