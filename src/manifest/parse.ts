import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from "yaml";
import type { ManifestIssue } from "../errors.js";
import type { JsonObject, JsonValue, SourceLocation } from "../model/index.js";
import { isJsonObject, isJsonArray } from "../model/index.js";
import { findLongString, MAX_FILE_CHARS, MAX_VALUE_CHARS, parseManifestFast } from "./parse-fast.js";

export { MAX_FILE_CHARS, MAX_VALUE_CHARS } from "./parse-fast.js";

/** A path into a document's value: mapping keys and sequence indexes, e.g. ["columns", 1, "type"]. */
export type JsonPath = readonly (string | number)[];

/** Finds where the node at `path` was written; falls back to the nearest parent that exists. */
export type Locator = (path: JsonPath, options?: { readonly key?: boolean }) => SourceLocation;

/** One YAML document of a manifest file, as plain JSON plus a way back to its source positions. */
export interface ParsedDocument {
  readonly file: string;
  /** Where the document's mapping starts. */
  readonly location: SourceLocation;
  readonly value: JsonObject;
  /**
   * Where the node at `path` sits (its value; with `key: true`, the key of the last mapping entry).
   * A path that does not exist resolves to its nearest existing parent.
   */
  readonly locate: Locator;
}

export interface ParseResult {
  readonly documents: readonly ParsedDocument[];
  readonly issues: readonly ManifestIssue[];
}

/** A node of yaml's tree, narrowed with its isMap/isSeq/isScalar guards. */
type YamlNode = unknown;

/**
 * Splits a manifest file into documents. YAML 1.2 core schema (so `yes`/`no` stay strings),
 * duplicate keys are errors, and `<<` merge keys work for sharing column lists.
 * A document with a syntax error is reported and left out, so its problems do not cascade.
 * The fast path (parse-fast.ts) reads plain files; yaml's tree, here, the rest.
 *
 * @example parseManifestText("kind: stream\nname: s\n", "streams.yaml").documents[0]?.value
 */
export function parseManifestText(text: string, file: string): ParseResult {
  return parseManifestFast(text, file, parseWithYaml);
}

/** The same as parseManifestText, through yaml's document tree: every file, every error. */
export function parseWithYaml(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const issues: ManifestIssue[] = [];
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };

  // Refused before parsing: the time and memory a huge file takes are the problem (README, "Limits").
  if (text.length > MAX_FILE_CHARS) {
    return {
      documents,
      issues: [
        {
          file,
          line: 1,
          column: 1,
          message: `the file is ${text.length} characters long; a manifest file may hold at most ${MAX_FILE_CHARS} (1 MiB)`,
        },
      ],
    };
  }
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  for (const document of parsed) {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        issues.push({ ...at(error.pos[0]), message: `YAML syntax error: ${sentence(error.message)}` });
      }
      continue;
    }
    const contents = document.contents as YamlNode;
    // A document holding nothing (a trailing `---`, or only comments) declares nothing.
    if (contents === null || contents === undefined || (isScalar(contents) && contents.value === null)) continue;
    const start = rangeStart(contents) ?? 0;
    if (!isMap(contents)) {
      const what = isSeq(contents) ? "a list" : "a single value";
      issues.push({
        ...at(start),
        message: `a manifest document must be a mapping with kind and name, not ${what}`,
      });
      continue;
    }
    const hostile = findHostileNode(contents);
    if (hostile) {
      issues.push({ ...at(hostile.offset ?? start), message: hostile.message });
      continue;
    }
    let value: JsonValue;
    try {
      value = toJson(document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), []);
    } catch (error) {
      // yaml throws a ReferenceError for an alias bomb and for an alias that contains itself.
      issues.push({
        ...at(start),
        message: `YAML aliases in this document expand too far or refer to themselves (${sentence((error as Error).message)}); write the values out`,
      });
      continue;
    }
    if (!isJsonObject(value)) continue;
    const tooLong = findLongString(value, []);
    if (tooLong) {
      issues.push({
        ...at(offsetOf(document, contents, tooLong, false, start)),
        message: `this value is longer than ${MAX_VALUE_CHARS} characters, the most a manifest value may hold`,
      });
      continue;
    }
    documents.push({
      file,
      location: at(start),
      value,
      locate: (path, options) => at(offsetOf(document, contents, path, options?.key === true, start)),
    });
  }
  return { documents, issues };
}

/** Limits on what a manifest may hold (README, "Limits"); the server refuses request bodies over 1 MiB anyway. */
const MAX_ALIAS_COUNT = 1000;

/** A `__proto__` key (which JavaScript objects would swallow silently), found before anything is built from the tree. */
function findHostileNode(node: YamlNode, depth = 0): { offset: number | undefined; message: string } | undefined {
  if (depth > 200) return { offset: rangeStart(node), message: "the document nests deeper than 200 levels" };
  if (isMap(node)) {
    for (const pair of node.items) {
      if (keyText(pair.key) === "__proto__") {
        return { offset: rangeStart(pair.key), message: '"__proto__" is not allowed as a key' };
      }
      const found = findHostileNode(pair.value, depth + 1);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const found = findHostileNode(item, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function offsetOf(document: Document, contents: YamlNode, path: JsonPath, key: boolean, fallback: number): number {
  let node: YamlNode = contents;
  let best = fallback;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    const current = isAlias(node) ? node.resolve(document) : node;
    if (isMap(current)) {
      const pair = current.items.find((item) => keyText(item.key) === String(segment));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (index === path.length - 1 && key && keyStart !== undefined) return keyStart;
      // `field:` with nothing after it has a null value whose range may be empty; point at the key.
      const valueStart = isScalar(pair.value) && pair.value.value === null ? undefined : rangeStart(pair.value);
      best = valueStart ?? keyStart ?? best;
      node = pair.value;
    } else if (isSeq(current) && typeof segment === "number") {
      const item = current.items[segment];
      if (item === undefined) break;
      best = rangeStart(item) ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== "object" || node === null || !("range" in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}

/** yaml's messages end with a period or a colon and sometimes span lines; issues are one sentence. */
function sentence(message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  return firstLine.replace(/[.:]\s*$/, "").trim();
}

/** YAML can hold values JSON cannot (Map, Set, undefined); fold them into JSON shapes. */
function toJson(value: unknown, ancestors: readonly unknown[]): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  // An alias inside the node it names (`&c [ *c ]`) makes an object that contains itself.
  if (ancestors.includes(value)) throw new RangeError("an alias refers to a node that contains it");
  const inner = [...ancestors, value];
  if (isJsonArray(value)) return value.map((item) => toJson(item, inner));
  if (value instanceof Map) {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of value) out[String(key)] = toJson(item, inner);
    return out;
  }
  if (value instanceof Set) return [...value].map((item) => toJson(item, inner));
  if (typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJson(item, inner);
    return out;
  }
  return String(value);
}
