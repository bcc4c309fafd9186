import { Document, isMap, isScalar, isSeq, Scalar, visit } from "yaml";
import type { JsonValue } from "../model/index.js";

/** Lists of small records read best one per line, as the examples write them: `- { name: cid, type: string }`. */
const FLOW_ITEMS: ReadonlySet<string> = new Set(["columns", "arguments", "settings", "column_families", "secondary_indexes"]);

/**
 * A value laid out as a person writes a manifest: block maps, multi-line text (SQL, code) as
 * literal blocks, lists of small records one flow map per line, tags on one line, no folding of
 * long lines. The text plan shows a created resource this way, in full.
 *
 * @example renderManifestYaml({ columns: [{ name: "cid", type: "string" }] }) // "columns:\n  - { name: cid, type: string }\n"
 */
export function renderManifestYaml(value: JsonValue): string {
  const yaml = new Document(value);
  visit(yaml, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && node.value.includes("\n")) node.type = Scalar.BLOCK_LITERAL;
    },
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === "position" && isMap(pair.value)) pair.value.flow = true;
    },
  });
  if (isMap(yaml.contents)) {
    for (const pair of yaml.contents.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key !== "string" || !isSeq(pair.value)) continue;
      if (key === "tags") pair.value.flow = true;
      if (!FLOW_ITEMS.has(key)) continue;
      for (const item of pair.value.items) {
        if (isMap(item) && !JSON.stringify(item.toJSON()).includes("\\n")) item.flow = true;
      }
    }
  }
  return yaml.toString({ lineWidth: 0 });
}
