/**
 * The test knob `latencyMs`: every answer leaves `latencyMs` after its request arrived, the
 * server's own work included, as an answer from a server that far away would (docs/fidelity.md,
 * Test knobs).
 *
 * Node's timers fire on whole milliseconds and never early, and a busy event loop wakes them
 * later still: asked for the time that is left, they answered 0.8 ms late on average at ten
 * requests in flight. So the pacer learns how late its timers wake and asks for that much less;
 * on average an answer leaves on time, and any one answer is at most about a millisecond off.
 */

/** How much of each wake-up's error the learnt lateness takes in: small, so that one late wake-up after a long pause barely moves it. */
const GAIN = 0.05;
/** Timers are never late by more than this for their own reasons; longer waits are a busy event loop, not what to learn. */
const MAX_LATENESS_MS = 1.5;

/** What a timer asked for `remainingMs` should be asked for, given how late timers have been waking. Pure. */
export interface TimerLateness {
  /** The whole milliseconds to ask a timer for, so that it wakes `remainingMs` from now on average. */
  delayFor(remainingMs: number): number;
  /** A timer woke `errorMs` after its deadline (negative when before it). */
  observe(errorMs: number): void;
  /** What has been learnt, in ms. */
  readonly learntMs: number;
}

export function createTimerLateness(): TimerLateness {
  let learnt = 0;
  return {
    delayFor: (remainingMs) => Math.max(0, Math.round(remainingMs - learnt)),
    observe: (errorMs) => {
      const bounded = Math.max(-MAX_LATENESS_MS, Math.min(MAX_LATENESS_MS, errorMs));
      learnt = Math.max(0, Math.min(MAX_LATENESS_MS, learnt + GAIN * bounded));
    },
    get learntMs() {
      return learnt;
    },
  };
}

/**
 * Waits until the deadline (a `performance.now()` time) or until `signal` aborts, whichever comes
 * first. One abort listener serves every waiting request: a listener per request made any burst of
 * more than ten delayed requests warn MaxListenersExceededWarning.
 */
export function createPacer(signal: AbortSignal): (deadline: number) => Promise<void> {
  const lateness = createTimerLateness();
  const waiting = new Set<() => void>();
  signal.addEventListener(
    "abort",
    () => {
      for (const wake of [...waiting]) wake();
    },
    { once: true },
  );
  return (deadline) => {
    const delay = lateness.delayFor(deadline - performance.now());
    if (delay <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        lateness.observe(performance.now() - deadline);
        wake();
      }, delay);
      function wake(): void {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve();
      }
      waiting.add(wake);
    });
  };
}
