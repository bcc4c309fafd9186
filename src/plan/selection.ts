import { UsageError } from "../errors.js";
import type { Address } from "../model/index.js";
import { closest } from "../model/index.js";

/**
 * `--target`, `--exclude` and `--replace` name resources by address. One that names nothing
 * declared or live is almost always a typo, and quietly planning everything (or nothing) instead
 * would be the wrong plan: it is an error, with the nearest address suggested.
 *
 * @example assertSelectorsMatch("--exclude", ["stream/evnts"], ["stream/events"]) // throws: did you mean stream/events?
 */
export function assertSelectorsMatch(flag: string, selectors: readonly Address[], known: Iterable<Address>): void {
  const addresses = [...new Set(known)].sort();
  const present = new Set(addresses);
  const missing = selectors.filter((selector) => !present.has(selector));
  if (missing.length === 0) return;
  const described = missing.map((selector) => {
    const suggestion = closest(selector, addresses);
    return `${flag} ${selector}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`;
  });
  throw new UsageError(
    `${described.join(", ")} matches nothing declared in the manifests or live in the workspace; ${missing.length === 1 ? "it" : "they"} would change nothing`,
    { meta: { flag, unmatched: missing } },
  );
}
