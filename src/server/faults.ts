/**
 * Seeded fault injection for tests: the ways real networks and servers fail a request.
 * - `unavailable`: 503 with an error body, before the request is acted on;
 * - `error_after_write`: the request is acted on (a write happens), then 500 is returned;
 * - `reset_before`: the connection is destroyed without acting on the request;
 * - `reset_after`: the request is acted on, then the connection is destroyed without a response;
 * - `slow`: the response is delayed, then served normally.
 */
export const FAULT_KINDS = ["unavailable", "error_after_write", "reset_before", "reset_after", "slow"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** mulberry32: small, fast and good enough to make a seed reproduce the same run of faults. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultPlan {
  /** The fault for the next request in arrival order, or undefined to serve it normally. */
  next(): FaultKind | undefined;
}

/**
 * Two draws per request whatever the outcome, so request N meets the same fate for the same seed
 * and rate regardless of what earlier requests were.
 */
export function createFaultPlan(rate: number, seed: number): FaultPlan {
  const random = mulberry32(seed);
  return {
    next() {
      const hit = random() < rate;
      const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)] ?? "unavailable";
      return hit ? kind : undefined;
    },
  };
}
