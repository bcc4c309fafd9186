import { UsageError } from "../../errors.js";
import { buildDependencyGraph } from "../../plan/dependency-graph.js";
import { renderGraphDot, renderGraphJson, renderGraphMermaid } from "../../render/graph.js";
import type { CommandContext, CommandResult } from "../context.js";
import { loadDesired } from "../load-desired.js";

const RENDERERS = { json: renderGraphJson, mermaid: renderGraphMermaid, dot: renderGraphDot } as const;

/** The graph of the manifests alone: no server is contacted. */
export async function run(context: CommandContext): Promise<CommandResult> {
  const format = (context.flags["format"] as string | undefined) ?? "mermaid";
  if (!(format in RENDERERS)) throw new UsageError(`--format must be json, mermaid or dot, not "${format}"`);
  const loaded = await loadDesired(context);
  const graph = buildDependencyGraph(loaded.resources);
  context.io.stdout(RENDERERS[format as keyof typeof RENDERERS](graph));
  return { exitCode: 0 };
}
