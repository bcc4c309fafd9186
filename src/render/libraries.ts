import { createRequire } from "node:module";
import type * as Diff from "diff";
import type FastJsonPatch from "fast-json-patch";
import type * as Yaml from "yaml";

/**
 * yaml, diff and fast-json-patch, each loaded the first time a rendering needs it. A plan whose
 * values are plain scalars, with no multi-line change and no JSON patch, needs none of them, and
 * loading all three at the start took about 50 ms of every command that renders a plan (yaml
 * 35 ms, diff 12 ms, fast-json-patch 4 ms). They are loaded through `require`, as a static import
 * would load them, so that the renderers stay synchronous and pure: loading a module changes
 * nothing outside the process. yaml's `import` and `require` name the same file (its `node`
 * export), so the manifest parser and the renderers share one copy; only render/ uses diff and
 * fast-json-patch.
 */
const load = createRequire(import.meta.url);

let yaml: typeof Yaml | undefined;
let diff: typeof Diff | undefined;
let fastJsonPatch: typeof FastJsonPatch | undefined;

export const yamlLibrary = (): typeof Yaml => (yaml ??= load("yaml") as typeof Yaml);
export const diffLibrary = (): typeof Diff => (diff ??= load("diff") as typeof Diff);
export const fastJsonPatchLibrary = (): typeof FastJsonPatch => (fastJsonPatch ??= load("fast-json-patch") as typeof FastJsonPatch);
