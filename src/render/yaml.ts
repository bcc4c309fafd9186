import type { JsonValue } from "../model/index.js";
import { isJsonArray, isJsonObject } from "../model/index.js";
import { yamlLibrary } from "./libraries.js";

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
  // Building a yaml Document per resource made the plan of 5,000 creates spend half a second
  // here; most values need nothing but plain scalars, which are written directly. Anything else
  // (quoting, multi-line text, empty collections, fractions) goes through yaml, so the output is
  // the same either way (yaml.test.ts compares the two).
  return (isJsonObject(value) ? writeSimple(value) : undefined) ?? renderManifestYamlByDocument(value);
}

/** The same layout through a yaml Document: handles every value. */
export function renderManifestYamlByDocument(value: JsonValue): string {
  const { Document, isMap, isScalar, isSeq, Scalar, visit } = yamlLibrary();
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

/** Thrown inside writeSimple when the value needs more than it can write; never escapes. */
class NotSimple extends Error {}
const NOT_SIMPLE = new NotSimple("needs the yaml Document layout");

/** The layout of renderManifestYamlByDocument for values of plain scalars only; undefined for any other. */
function writeSimple(value: { readonly [key: string]: JsonValue }): string | undefined {
  const lines: string[] = [];
  try {
    writeMap(value, "", lines, true, "");
  } catch (error) {
    if (error === NOT_SIMPLE) return undefined;
    throw error;
  }
  return `${lines.join("\n")}\n`;
}

/** A block map at `indent`; its first line starts with `first` (a sequence's `- `) instead of the indent. */
function writeMap(map: { readonly [key: string]: JsonValue }, indent: string, lines: string[], top: boolean, first: string): void {
  const keys = Object.keys(map);
  if (keys.length === 0) throw NOT_SIMPLE;
  keys.forEach((key, index) => {
    const lead = index === 0 && first !== "" ? first : indent;
    const item = map[key] as JsonValue;
    const name = plain(key, false);
    if (isJsonArray(item)) {
      if (item.length === 0) throw NOT_SIMPLE;
      if (top && key === "tags") {
        lines.push(`${lead}${name}: [ ${item.map((entry) => scalar(entry, true)).join(", ")} ]`);
        return;
      }
      lines.push(`${lead}${name}:`);
      const dashes = `${indent}  `;
      for (const entry of item) {
        if (isJsonObject(entry)) {
          if (top && FLOW_ITEMS.has(key)) lines.push(`${dashes}- ${flowMap(entry)}`);
          else writeMap(entry, `${dashes}  `, lines, false, `${dashes}- `);
        } else if (isJsonArray(entry)) {
          throw NOT_SIMPLE;
        } else {
          lines.push(`${dashes}- ${scalar(entry, false)}`);
        }
      }
    } else if (isJsonObject(item)) {
      if (key === "position") {
        lines.push(`${lead}${name}: ${flowMap(item)}`);
        return;
      }
      lines.push(`${lead}${name}:`);
      writeMap(item, `${indent}  `, lines, false, "");
    } else {
      lines.push(`${lead}${name}: ${scalar(item, false)}`);
    }
  });
}

function flowMap(map: { readonly [key: string]: JsonValue }): string {
  const keys = Object.keys(map);
  if (keys.length === 0) throw NOT_SIMPLE;
  return `{ ${keys.map((key) => `${plain(key, true)}: ${scalar(map[key] as JsonValue, true)}`).join(", ")} }`;
}

function scalar(value: JsonValue, flow: boolean): string {
  if (typeof value === "string") return plain(value, flow);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value === null) return "null";
  if (typeof value === "number" && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  throw NOT_SIMPLE;
}

/**
 * Text YAML reads back as the same string without quotes: starts with a letter or `_`, holds
 * only characters that mean nothing to YAML where they stand (a `:` only when no space follows,
 * and no `,` inside a flow collection), ends with no space, and is no word YAML takes for a
 * boolean or null.
 */
const PLAIN_BLOCK = /^[A-Za-z_](?:[A-Za-z0-9_ .,/()*<>=+%@;-]|:(?! ))*(?<![ :])$/;
const PLAIN_FLOW = /^[A-Za-z_](?:[A-Za-z0-9_ ./()*<>=+%@;-]|:(?! ))*(?<![ :])$/;
// YAML 1.2's core schema, which yaml writes by: `yes`, `on` or `y` are plain strings there.
const LOOKS_TYPED = /^(?:true|false|null)$/i;

function plain(text: string, flow: boolean): string {
  if (!(flow ? PLAIN_FLOW : PLAIN_BLOCK).test(text) || LOOKS_TYPED.test(text)) throw NOT_SIMPLE;
  return text;
}
