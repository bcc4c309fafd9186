import type { SourceLocation } from "../model/index.js";
import { isJsonArray, isJsonObject, type JsonValue } from "../model/index.js";
import type { JsonPath, ParsedDocument, ParseResult } from "./parse.js";
import { parseSimpleYaml, type SimpleDocument } from "./simple-yaml.js";

// The fast path of reading a manifest file, apart from parse.ts so that loading it does not load
// yaml (about 40 ms of every run): a workspace of plain files never needs yaml's tree, and
// load.ts brings yaml in only when a file or an issue's position does.

/** yaml's full parser (parse.ts `parseWithYaml`), handed in by whoever has loaded it. */
export type FullYamlParser = (text: string, file: string) => ParseResult;

/**
 * Thrown by `parseManifestFast` without a full parser when one is needed: a file outside the
 * plain subset, or the position of a nested value only yaml's tree knows. The caller loads yaml
 * and reads the files again with it (load.ts), so the result is exactly that of parse.ts.
 */
export class FullYamlNeeded extends Error {
  constructor() {
    super("this manifest needs the full YAML parser");
    this.name = "FullYamlNeeded";
  }
}

function fullParser(full: FullYamlParser | undefined): FullYamlParser {
  if (full === undefined) throw new FullYamlNeeded();
  return full;
}

/** Limits on what a manifest may hold (README, "Limits"); the server refuses request bodies over 1 MiB anyway. */
export const MAX_FILE_CHARS = 1024 * 1024;
export const MAX_VALUE_CHARS = 256 * 1024;

/**
 * parse.ts `parseManifestText` with yaml's parser handed in, or not: without one, whatever would
 * need it throws FullYamlNeeded.
 */
export function parseManifestFast(text: string, file: string, full: FullYamlParser | undefined): ParseResult {
  // Most manifests are plain YAML that simple-yaml.ts reads many times faster than yaml's tree.
  // Positions it does not know are found by parsing with yaml after all, only when asked for: in
  // a valid workspace that is never, and an invalid one gets exactly the same file:line:column.
  const simple = text.length > MAX_FILE_CHARS ? undefined : parseSimpleYaml(text);
  // No value of the plain subset is longer than the text it is written in, so only a long file
  // can hold a value that is too long.
  const mayHoldLong = text.length > MAX_VALUE_CHARS;
  if (simple === undefined || (mayHoldLong && simple.some((document) => findLongString(document.value, []) !== undefined))) {
    return fullParser(full)(text, file);
  }
  const lineStarts = [0];
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) lineStarts.push(index + 1);
  const at = (offset: number): SourceLocation => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { file, line: low + 1, column: offset - (lineStarts[low] as number) + 1 };
  };
  let parsed: ParseResult | undefined;
  const locateByYaml = (document: SimpleDocument, path: JsonPath, key: boolean): SourceLocation => {
    parsed ??= fullParser(full)(text, file);
    const start = at(document.start);
    const same = parsed.documents.find(({ location }) => location.line === start.line && location.column === start.column);
    return same ? same.locate(path, { key }) : start;
  };
  const documents = simple.map((document): ParsedDocument => ({
    file,
    location: at(document.start),
    value: document.value,
    locate: (path, options) => {
      const key = options?.key === true;
      if (path.length === 0) return at(document.start);
      if (path.length === 1) {
        const entry = document.topLevel.get(String(path[0]));
        if (entry === undefined) return at(document.start);
        if (key) return at(entry.key);
        if (entry.value === undefined) return at(entry.key);
        if (!Number.isNaN(entry.value)) return at(entry.value);
      }
      return locateByYaml(document, path, key);
    },
  }));
  return { documents, issues: [] };
}

/** The path of the first string longer than MAX_VALUE_CHARS, if any. */
export function findLongString(value: JsonValue, at: (string | number)[]): JsonPath | undefined {
  // The path is built only on the way back from a string that is too long: building it for every
  // node made this check a sizeable part of reading a large workspace.
  if (typeof value === "string") return value.length > MAX_VALUE_CHARS ? at : undefined;
  if (isJsonArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findLongString(value[index] as JsonValue, []);
      if (found) return [...at, index, ...found];
    }
  } else if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      const found = findLongString(value[key] as JsonValue, []);
      if (found) return [...at, key, ...found];
    }
  }
  return undefined;
}
