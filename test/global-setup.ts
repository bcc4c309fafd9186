import { buildDistIfStale } from "./helpers/dist.js";

/**
 * The few tests of the real binary run dist/; build it first when a source is newer, so that
 * `vitest` alone (and `npm run test:watch` at its start) never tests yesterday's build. `npm test`
 * builds before vitest, so this is a check of a few milliseconds there.
 */
export async function setup(): Promise<void> {
  await buildDistIfStale();
}
