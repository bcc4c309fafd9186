/**
 * The pure core alone, in its own process so that its heap is its own: plans the workspace in
 * argv[2] against the server at argv[3] and prints one JSON line with the time of each stage and
 * the heap the plan took. Run with --expose-gc.
 */
// The modules the CLI runs (dist/, built by `npm run bench`), not a second compilation of src/:
// only dist/ holds the JSON Schema validators compiled at build time, and with its own copy the
// benchmark compiled the schemas at run time, work no command does. This file is compiled to
// .bench-build/bench/, two folders below the repository.
import type * as Http from "../src/drivers/http.js";
import type * as ReadWorkspace from "../src/drivers/rest/read-workspace.js";
import type * as Load from "../src/manifest/load.js";
import type * as Plan from "../src/plan/plan.js";

const dist = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;
const { createTimeplusClient } = (await import(dist("drivers/http.js"))) as typeof Http;
const { readWorkspace } = (await import(dist("drivers/rest/read-workspace.js"))) as typeof ReadWorkspace;
const { loadManifests } = (await import(dist("manifest/load.js"))) as typeof Load;
const { assemblePlan } = (await import(dist("plan/plan.js"))) as typeof Plan;

const [dir, address] = process.argv.slice(2) as [string, string];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const startLoad = performance.now();
const loaded = await loadManifests([dir], { cwd: dir, environment: {} });
const loadMs = performance.now() - startLoad;
if (loaded.issues.length > 0) throw new Error(`manifests have issues: ${JSON.stringify(loaded.issues.slice(0, 3))}`);
const client = createTimeplusClient({ address });
const live = await readWorkspace(client);
await client.close();

gc();
const heapBefore = process.memoryUsage().heapUsed;
let peak = heapBefore;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
const startEmpty = performance.now();
const fresh = assemblePlan(loaded.resources, [], { project: loaded.project });
const emptyMs = performance.now() - startEmpty;
peak = Math.max(peak, process.memoryUsage().heapUsed);
const startLive = performance.now();
const unchanged = assemblePlan(loaded.resources, live, { project: loaded.project });
const liveMs = performance.now() - startLive;
peak = Math.max(peak, process.memoryUsage().heapUsed);
clearInterval(sampler);
process.stdout.write(
  `${JSON.stringify({
    resources: loaded.resources.length,
    live: live.length,
    loadMs,
    planEmptyMs: emptyMs,
    planLiveMs: liveMs,
    steps: fresh.steps.length,
    changesAgainstLive: unchanged.changes.length,
    planHeapMb: (peak - heapBefore) / 2 ** 20,
    totalHeapMb: peak / 2 ** 20,
  })}\n`,
);
