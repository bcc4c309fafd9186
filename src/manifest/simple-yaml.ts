import type { JsonObject, JsonValue } from "../model/index.js";

/**
 * A reader for the plain subset of YAML that manifests are nearly always written in, about ten
 * times faster than building yaml's document tree: block maps and sequences, one-line flow maps
 * and lists of scalars, plain and simply quoted scalars of one line, `|` and `|-` literal blocks,
 * comments, and `---` between documents. The YAML 1.2 core schema decides what a plain scalar is,
 * as in parse.ts.
 *
 * It never guesses: on anything else (anchors, aliases, tags, merge keys, folded or multi-line
 * plain scalars, escapes, tabs, CR, duplicate or `__proto__` keys, a document that is not a
 * mapping, any syntax error) it returns undefined and the caller parses the file with yaml, which
 * also reports the errors. simple-yaml.test.ts checks that both agree wherever this one answers.
 */
export interface SimpleDocument {
  readonly value: JsonObject;
  /** Offset of the document's mapping (its first key). */
  readonly start: number;
  /** Offsets of each top-level key and, where it is a one-line scalar or flow collection, of its value. */
  readonly topLevel: ReadonlyMap<string, { readonly key: number; readonly value: number | undefined }>;
}

/** Why the subset reader gave up; never escapes this module. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported("outside the plain YAML subset");

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)/;
const NULL = /^(?:~|null|Null|NULL)?$/;
const BOOLEAN = /^(?:true|True|TRUE|false|False|FALSE)$/;
const INTEGER = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** Characters that give a plain scalar's first character a meaning (YAML 1.2, c-indicator). */
const INDICATORS = new Set(["-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`"]);

/** The documents of `text`, or undefined when it uses anything beyond the subset. */
export function parseSimpleYaml(text: string): SimpleDocument[] | undefined {
  if (text.includes("\t") || text.includes("\r") || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new Reader(text).documents();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class Reader {
  private readonly lines: string[];
  private readonly starts: number[] = [];
  private line = 0;
  private depth = 0;

  constructor(text: string) {
    this.lines = text.split("\n");
    let offset = 0;
    for (const line of this.lines) {
      this.starts.push(offset);
      offset += line.length + 1;
    }
  }

  documents(): SimpleDocument[] {
    const documents: SimpleDocument[] = [];
    while (this.line < this.lines.length) {
      this.skipBlank();
      if (this.line >= this.lines.length) break;
      const text = this.lines[this.line] as string;
      if (isSeparator(text)) {
        this.line += 1;
        continue;
      }
      if (text.startsWith("...") || text.startsWith("%")) throw UNSUPPORTED;
      if (indentOf(text) !== 0) throw UNSUPPORTED;
      const start = this.starts[this.line] as number;
      const topLevel = new Map<string, { key: number; value: number | undefined }>();
      const value = this.blockMap(0, undefined, topLevel);
      this.skipBlank();
      if (this.line < this.lines.length && !isSeparator(this.lines[this.line] as string)) throw UNSUPPORTED;
      documents.push({ value, start, topLevel });
    }
    return documents;
  }

  /** Deep nesting is left to yaml and parse.ts, which refuse it with a message. */
  private enter(): void {
    this.depth += 1;
    if (this.depth > 50) throw UNSUPPORTED;
  }

  private leave<T>(value: T): T {
    this.depth -= 1;
    return value;
  }

  /** Skips empty lines and lines holding only a comment. */
  private skipBlank(): void {
    while (this.line < this.lines.length && isBlank(this.lines[this.line] as string)) this.line += 1;
  }

  /**
   * A block map whose keys sit at column `indent`. `first` is where its first key starts when that
   * is on a sequence's `- ` line, already consumed by the caller.
   */
  private blockMap(
    indent: number,
    first: number | undefined,
    topLevel?: Map<string, { key: number; value: number | undefined }>,
  ): JsonObject {
    const map: Record<string, JsonValue> = {};
    let column = first ?? indent;
    this.enter();
    for (;;) {
      const text = this.lines[this.line] as string;
      const rest = text.slice(column);
      const match = KEY.exec(rest);
      if (!match) throw UNSUPPORTED;
      const key = match[1] as string;
      if (!plainKey(key) || Object.hasOwn(map, key)) throw UNSUPPORTED;
      const keyOffset = (this.starts[this.line] as number) + column;
      const valueColumn = column + match[0].length;
      const after = text.slice(valueColumn);
      if (after === "" || after.startsWith("#")) {
        this.line += 1;
        map[key] = this.nested(indent);
        topLevel?.set(key, { key: keyOffset, value: map[key] === null ? undefined : Number.NaN });
      } else if (after.startsWith("|")) {
        map[key] = this.literal(indent, after);
        topLevel?.set(key, { key: keyOffset, value: Number.NaN });
      } else {
        map[key] = this.inlineValue(after);
        // yaml points at the key of a null value, as parse.ts's offsetOf does.
        topLevel?.set(key, { key: keyOffset, value: map[key] === null ? undefined : (this.starts[this.line] as number) + valueColumn });
        this.line += 1;
        this.refuseContinuation(indent);
      }
      this.skipBlank();
      if (this.line >= this.lines.length) return this.leave(map);
      const next = this.lines[this.line] as string;
      const nextIndent = indentOf(next);
      if (nextIndent < indent || isSeparator(next)) return this.leave(map);
      if (nextIndent > indent) throw UNSUPPORTED;
      if (next.startsWith("-", indent) && (next.length === indent + 1 || next.charAt(indent + 1) === " ")) return this.leave(map);
      column = indent;
    }
  }

  /** The value of a `key:` with nothing after it: a nested map or sequence, or null. */
  private nested(indent: number): JsonValue {
    this.skipBlank();
    if (this.line >= this.lines.length) return null;
    const text = this.lines[this.line] as string;
    if (isSeparator(text)) return null;
    const inner = indentOf(text);
    const dash = text.startsWith("- ", inner) || text.length === inner + 1 ? text.charAt(inner) === "-" : false;
    if (dash && inner >= indent) return this.blockSequence(inner);
    if (inner > indent) return this.blockMap(inner, undefined);
    return null;
  }

  private blockSequence(indent: number): JsonValue[] {
    const items: JsonValue[] = [];
    this.enter();
    for (;;) {
      const text = this.lines[this.line] as string;
      if (!text.startsWith("- ", indent)) throw UNSUPPORTED;
      const column = indent + 2 + indentOf(text.slice(indent + 2));
      const rest = text.slice(column);
      if (rest === "" || rest.startsWith("#") || rest.startsWith("- ") || rest === "-" || rest.startsWith("|")) throw UNSUPPORTED;
      if (KEY.test(rest)) {
        items.push(this.blockMap(column, column));
      } else {
        items.push(this.inlineValue(rest));
        this.line += 1;
        this.refuseContinuation(indent);
      }
      this.skipBlank();
      if (this.line >= this.lines.length) return this.leave(items);
      const next = this.lines[this.line] as string;
      const nextIndent = indentOf(next);
      if (nextIndent < indent || isSeparator(next)) return this.leave(items);
      if (nextIndent > indent) throw UNSUPPORTED;
      if (!next.startsWith("-", indent)) return this.leave(items);
    }
  }

  /** After a one-line value, a more indented line would continue it (a multi-line plain scalar). */
  private refuseContinuation(indent: number): void {
    let line = this.line;
    while (line < this.lines.length && (this.lines[line] as string).trim() === "") line += 1;
    const text = this.lines[line];
    // A deeper line here either continues the scalar or is an error; both are left to yaml.
    if (text !== undefined && indentOf(text) > indent && !text.trimStart().startsWith("#")) throw UNSUPPORTED;
  }

  /** A `|` or `|-` block: the lines more indented than `indent`, as written. */
  private literal(indent: number, header: string): string {
    const chomp = /^\|(-?)(?: +#.*)? *$/.exec(header);
    if (!chomp) throw UNSUPPORTED;
    this.line += 1;
    const content: string[] = [];
    let contentIndent = -1;
    let leadingBlankWidth = 0;
    while (this.line < this.lines.length) {
      const text = this.lines[this.line] as string;
      if (text.trim() === "") {
        if (contentIndent === -1) leadingBlankWidth = Math.max(leadingBlankWidth, text.length);
        // Spaces past the indentation on an empty line are content; rare enough to leave to yaml.
        else if (text.length > contentIndent) throw UNSUPPORTED;
        content.push("");
        this.line += 1;
        continue;
      }
      const width = indentOf(text);
      if (contentIndent === -1) {
        if (width <= indent || leadingBlankWidth > width) throw UNSUPPORTED;
        contentIndent = width;
      }
      if (width < contentIndent) {
        if (width > indent) throw UNSUPPORTED;
        break;
      }
      content.push(text.slice(contentIndent));
      this.line += 1;
    }
    if (contentIndent === -1) throw UNSUPPORTED;
    // Blank lines past the last content line belong to no value.
    while (content.length > 0 && content[content.length - 1] === "") content.pop();
    // Step back over blank lines consumed past the block, so the caller sees the next line.
    while (this.line > 0 && (this.lines[this.line - 1] as string).trim() === "") this.line -= 1;
    if (this.line < this.lines.length && (this.lines[this.line] as string).trim() === "") this.skipBlank();
    const body = content.join("\n");
    return chomp[1] === "-" ? body : `${body}\n`;
  }

  /** A scalar or one-line flow collection starting at `column` of the current line, then at most a comment. */
  private inlineValue(rest: string): JsonValue {
    const first = rest.charAt(0);
    if (first === "{" || first === "[") {
      const { value, end } = flowCollection(rest, 0);
      ensureOnlyComment(rest.slice(end));
      return value;
    }
    if (first === "'" || first === '"') {
      const { value, end } = quoted(rest, 0);
      ensureOnlyComment(rest.slice(end));
      return value;
    }
    return plainScalar(blockPlain(rest));
  }
}

/** A key that stays the same string through yaml (`null:` and `true:` keys are not strings there). */
function plainKey(key: string): boolean {
  if (key === "__proto__") return false;
  // Keys start with a letter or `_` (both callers' patterns), and only one of at most five
  // characters starting with n, t or f (any case) can spell null or a boolean: most need no pattern.
  const first = key.charCodeAt(0) | 0x20;
  if ((first !== 0x6e && first !== 0x74 && first !== 0x66) || key.length > 5) return true;
  return !NULL.test(key) && !BOOLEAN.test(key);
}

function isSeparator(text: string): boolean {
  return text.startsWith("---") && (text.length === 3 || /^--- *$/.test(text));
}

function isBlank(text: string): boolean {
  const trimmed = text.trimStart();
  return trimmed === "" || trimmed.startsWith("#");
}

function indentOf(text: string): number {
  let width = 0;
  while (text.charCodeAt(width) === 0x20) width += 1;
  return width;
}

/** Whatever follows a value on its line: nothing, or spaces and a comment. */
function ensureOnlyComment(rest: string): void {
  if (rest === "" || /^ +(?:#.*)?$/.test(rest)) return;
  throw UNSUPPORTED;
}

/** The text of a plain scalar in block context: up to a ` #` comment, without trailing spaces. */
function blockPlain(rest: string): string {
  const comment = rest.search(/ #/);
  const text = (comment === -1 ? rest : rest.slice(0, comment)).trimEnd();
  if (text === "" || text.includes(": ") || text.endsWith(":") || startsWithIndicator(text)) throw UNSUPPORTED;
  return text;
}

function startsWithIndicator(text: string): boolean {
  const first = text.charAt(0);
  if (!INDICATORS.has(first)) return false;
  // `-5`, `-x`, `?x`, `:x`: an indicator followed by a non-space starts a plain scalar, but keep to digits.
  return !(first === "-" && /^-[0-9.]/.test(text));
}

/** What the YAML 1.2 core schema makes of a plain scalar. */
function plainScalar(text: string): JsonValue {
  // Most scalars are words: one that starts with a letter other than t, f or n (true, false,
  // null), or is longer than five characters (`float64`), is a string without trying the
  // patterns below, none of which matches a word starting with a letter but those.
  const first = text.charCodeAt(0) | 0x20;
  if (first >= 0x61 && first <= 0x7a && ((first !== 0x74 && first !== 0x66 && first !== 0x6e) || text.length > 5)) return text;
  if (NULL.test(text)) return null;
  if (BOOLEAN.test(text)) return text.charAt(0).toLowerCase() === "t";
  if (INTEGER.test(text)) {
    // Leading zeros, and integers past what a double holds exactly, are left to yaml.
    if (/^[-+]?0[0-9]/.test(text) || text.replace(/^[-+]/, "").length > 15) throw UNSUPPORTED;
    return Number.parseInt(text, 10);
  }
  if (FLOAT.test(text)) return Number.parseFloat(text);
  if (/^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/.test(text) || /^0[ox]/.test(text)) throw UNSUPPORTED;
  return text;
}

/** A quoted scalar on one line: `'…'` with `''` for a quote, or `"…"` without escapes. */
function quoted(text: string, start: number): { value: string; end: number } {
  const quote = text.charAt(start);
  if (quote === "'") {
    let value = "";
    let index = start + 1;
    for (;;) {
      const close = text.indexOf("'", index);
      if (close === -1) throw UNSUPPORTED;
      value += text.slice(index, close);
      if (text.charAt(close + 1) === "'") {
        value += "'";
        index = close + 2;
        continue;
      }
      return { value, end: close + 1 };
    }
  }
  const close = text.indexOf('"', start + 1);
  if (close === -1) throw UNSUPPORTED;
  const value = text.slice(start + 1, close);
  if (value.includes("\\")) throw UNSUPPORTED;
  return { value, end: close + 1 };
}

/** `{ a: b, c: 1 }` or `[ a, b ]` of scalars on one line. */
function flowCollection(text: string, start: number): { value: JsonValue; end: number } {
  const map = text.charAt(start) === "{";
  const close = map ? "}" : "]";
  const result: Record<string, JsonValue> = {};
  const list: JsonValue[] = [];
  let index = skipSpaces(text, start + 1);
  if (text.charAt(index) === close) return { value: map ? result : list, end: index + 1 };
  for (;;) {
    if (map) {
      const match = /^([A-Za-z_][A-Za-z0-9_-]*): +/.exec(text.slice(index));
      if (!match) throw UNSUPPORTED;
      const key = match[1] as string;
      if (!plainKey(key) || Object.hasOwn(result, key)) throw UNSUPPORTED;
      const item = flowScalar(text, index + match[0].length);
      result[key] = item.value;
      index = item.end;
    } else {
      const item = flowScalar(text, index);
      list.push(item.value);
      index = item.end;
    }
    index = skipSpaces(text, index);
    const next = text.charAt(index);
    if (next === close) return { value: map ? result : list, end: index + 1 };
    if (next !== ",") throw UNSUPPORTED;
    index = skipSpaces(text, index + 1);
    // A trailing comma before the closing bracket.
    if (text.charAt(index) === close) throw UNSUPPORTED;
  }
}

function flowScalar(text: string, start: number): { value: JsonValue; end: number } {
  const first = text.charAt(start);
  if (first === "'" || first === '"') return quoted(text, start);
  let end = start;
  while (end < text.length && !",[]{}".includes(text.charAt(end))) end += 1;
  const raw = text.slice(start, end);
  const value = raw.trimEnd();
  if (value === "" || value.includes(": ") || value.includes(" #") || value.endsWith(":") || startsWithIndicator(value)) {
    throw UNSUPPORTED;
  }
  return { value: plainScalar(value), end: start + value.length };
}

function skipSpaces(text: string, index: number): number {
  let at = index;
  while (text.charAt(at) === " ") at += 1;
  return at;
}
