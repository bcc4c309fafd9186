import { UsageError } from "../errors.js";
import type { Address } from "../model/index.js";
import { editDistance } from "../manifest/validate.js";

/**
 * Addresses given on the command line (`--target`, and any other flag that selects resources)
 * must each name something that is declared or live: one that matches nothing is almost always a
 * typo, and "No changes" would hide it. One rule for every such flag.
 */
export function unmatchedSelectors(
  selectors: readonly Address[],
  known: Iterable<Address>,
): { selector: Address; nearest: Address | undefined }[] {
  const addresses = [...new Set(known)].sort();
  const present = new Set(addresses);
  return selectors.filter((selector) => !present.has(selector)).map((selector) => ({ selector, nearest: nearestAddress(selector, addresses) }));
}

/** Throws a UsageError (exit 1) naming each selector of `flag` that matches nothing, with the nearest address. */
export function assertSelectorsMatch(flag: string, selectors: readonly Address[], known: Iterable<Address>): void {
  const unmatched = unmatchedSelectors(selectors, known);
  if (unmatched.length === 0) return;
  const parts = unmatched.map(({ selector, nearest }) => `${flag} ${selector} matches nothing declared or live${nearest ? ` (did you mean ${nearest}?)` : ""}`);
  throw new UsageError(parts.join("; "), { meta: { flag, unmatched: unmatched.map((entry) => ({ ...entry })) } });
}

/** The closest address by edit distance, preferring the same kind. */
function nearestAddress(selector: Address, addresses: readonly Address[]): Address | undefined {
  let best: Address | undefined;
  let bestScore = Infinity;
  const kind = selector.slice(0, selector.indexOf("/"));
  for (const candidate of addresses) {
    const sameKind = candidate.startsWith(`${kind}/`);
    const score = editDistance(selector.toLowerCase(), candidate.toLowerCase()) + (sameKind ? 0 : 0.5);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
