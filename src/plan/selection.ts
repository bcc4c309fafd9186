import type { Address, Refusal } from "../model/index.js";
import { closest } from "../model/index.js";
import { refusal, refusalError } from "./refusals.js";

/**
 * `--target`, `--exclude` and `--replace` name resources by address. One that names nothing
 * declared or live is almost always a typo, and quietly planning everything (or nothing) instead
 * would be the wrong plan: it is an error, with the nearest address suggested.
 *
 * @example assertSelectorsMatch("--exclude", ["stream/evnts"], ["stream/events"]) // throws: did you mean stream/events?
 */
export function assertSelectorsMatch(flag: string, selectors: readonly Address[], known: Iterable<Address>): void {
  const refused = unmatchedSelectors(flag, selectors, known);
  if (refused) throw refusalError(refused);
}

/** The refusal `assertSelectorsMatch` throws, as data for the planner. */
export function unmatchedSelectors(flag: string, selectors: readonly Address[], known: Iterable<Address>): Refusal | undefined {
  // No selector, nothing to match: sorting every address of the workspace for it took a while.
  if (selectors.length === 0) return undefined;
  const addresses = [...new Set(known)].sort();
  const present = new Set(addresses);
  const missing = selectors.filter((selector) => !present.has(selector));
  if (missing.length === 0) return undefined;
  const described = missing.map((selector) => {
    const suggestion = closest(selector, addresses);
    return `${flag} ${selector}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`;
  });
  return refusal(
    "unmatched_selector",
    `${described.join(", ")} matches nothing declared in the manifests or live in the workspace; ${missing.length === 1 ? "it" : "they"} would change nothing`,
    { flag, unmatched: missing },
  );
}
