import { createRequire } from "node:module";
import type * as YamlModule from "yaml";

let loaded: typeof YamlModule | undefined;

/**
 * The yaml library, loaded the first time something needs it. Loading it costs 50-100 ms of every
 * command, and most never do: manifest/simple-yaml.ts reads plain manifests and render/yaml.ts
 * writes plain values without it. yaml is CommonJS for Node, so it loads synchronously, as the
 * parsers that fall back to it are. Loading a library reads no data, which is why the pure core
 * may call this; it lives outside the core's files only because they import nothing from node:.
 */
export function yaml(): typeof YamlModule {
  loaded ??= createRequire(import.meta.url)("yaml") as typeof YamlModule;
  return loaded;
}
