import { isUpperCaseKeyword } from "./identifiers.js";

export type TokenType =
  "keyword" | "identifier" | "quoted_identifier" | "string" | "number" | "operator" | "punctuation" | "comment" | "whitespace";

export interface Token {
  readonly type: TokenType;
  /** The exact source text of the token. */
  readonly text: string;
  /**
   * For identifiers and quoted identifiers: the name with quotes removed and escapes resolved.
   * For strings: the content with quotes removed and escapes resolved. For keywords: the keyword
   * in upper case. Otherwise: the text.
   */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** The SQL cannot be split into tokens (an unterminated string, quoted identifier or comment). */
export class SqlSyntaxError extends Error {
  /** Zero-based offset of the construct that is not closed. */
  readonly offset: number;
  /** One-based line and column of `offset`. */
  readonly line: number;
  readonly column: number;

  constructor(what: string, sql: string, offset: number) {
    const before = sql.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - (before.lastIndexOf("\n") + 1) + 1;
    super(`SQL syntax error: ${what} starting at offset ${offset} (line ${line}, column ${column}) is never closed`);
    this.name = "SqlSyntaxError";
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

// ClickHouse keeps the backslash of an unknown escape (`'\d'` stays `\d`, for regular
// expressions and LIKE), but drops it before these characters (ReadHelpers.cpp,
// parseComplexEscapeSequence).
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "0": "\0",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "`": "`",
  "/": "/",
  "=": "=",
};

const QUOTED_WHAT: Readonly<Record<string, string>> = {
  "'": "string literal",
  '"': "double-quoted identifier",
  "`": "backtick-quoted identifier",
};

// Every query the planner, the validator and the built-in server look at goes through here, often
// more than once, so the scan works on character codes and class tables: a regular expression or
// a string comparison per character made tokenizing most of the time spent on SQL.

/** Classes of the ASCII characters; anything above 127 is looked up by `classOfWide`. */
const OTHER = 0;
const SPACE = 1;
const DIGIT = 2;
/** Letters and `_`: they start an identifier. */
const WORD = 3;
const PUNCT = 4;

const ASCII_CLASS = new Uint8Array(128);
for (const code of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]) ASCII_CLASS[code] = SPACE;
for (let code = 0x30; code <= 0x39; code++) ASCII_CLASS[code] = DIGIT;
for (let code = 0x41; code <= 0x5a; code++) ASCII_CLASS[code] = WORD;
for (let code = 0x61; code <= 0x7a; code++) ASCII_CLASS[code] = WORD;
ASCII_CLASS[0x5f] = WORD;
for (const ch of "(),.;[]{}") ASCII_CLASS[ch.charCodeAt(0)] = PUNCT;

/**
 * What JavaScript's `\s` matches above ASCII (no-break space, the Unicode space separators, line
 * and paragraph separators, the byte-order mark); every other character there may start an
 * identifier, as ClickHouse accepts any non-ASCII letter.
 */
function isWideSpace(code: number): boolean {
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function classOf(code: number): number {
  if (code < 128) return ASCII_CLASS[code] as number;
  // NaN (past the end) compares false everywhere and lands here: it is nothing.
  if (Number.isNaN(code)) return OTHER;
  return isWideSpace(code) ? SPACE : WORD;
}

function isDigitCode(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** Digits, letters, `_`, `$` and non-ASCII non-space characters. */
function isIdentifierPartCode(code: number): boolean {
  const type = classOf(code);
  return type === WORD || type === DIGIT || code === 0x24;
}

/** Heredoc tags are `$name$` with at most 62 characters of name (ClickHouse's lexer looks that far). */
const MAX_HEREDOC_TAG = 64;

/**
 * Splits Timeplus SQL (the ClickHouse dialect) into tokens that cover the input exactly:
 * joining every `text` gives the input back.
 *
 * @example tokenizeSql("SELECT 1").map((t) => t.type) // ["keyword", "whitespace", "number"]
 * @throws {SqlSyntaxError} on an unterminated string, quoted identifier or block comment.
 */
export function tokenizeSql(sql: string): Token[] {
  return scan(sql, true, true);
}

/**
 * The tokens of `sql` but whitespace: `tokenizeSql(sql)` filtered, without making the whitespace
 * tokens, for the checks that look at comments and punctuation (each keeps its `start` and `end`,
 * so what was adjacent still shows).
 *
 * @throws {SqlSyntaxError} as tokenizeSql.
 */
export function tokensWithoutWhitespace(sql: string): Token[] {
  return scan(sql, false, true);
}

/**
 * The tokens of `sql` but whitespace and comments: `tokenizeSql(sql)` filtered, without making
 * the tokens it would drop (about half of them), for the many readers that skip them.
 *
 * @throws {SqlSyntaxError} as tokenizeSql.
 */
export function significantTokens(sql: string): Token[] {
  return scan(sql, false, false);
}

function scan(sql: string, keepWhitespace: boolean, keepComments: boolean): Token[] {
  const tokens: Token[] = [];
  const length = sql.length;
  // The last token that is not whitespace or a comment: `.5` and `t.1` depend on it.
  let previous: Token | undefined;
  let pos = 0;

  const push = (type: TokenType, end: number, value?: string): void => {
    if ((!keepWhitespace && type === "whitespace") || (!keepComments && type === "comment")) {
      pos = end;
      return;
    }
    const text = sql.slice(pos, end);
    const token: Token = { type, text, value: value ?? text, start: pos, end };
    tokens.push(token);
    if (type !== "whitespace" && type !== "comment") previous = token;
    pos = end;
  };

  while (pos < length) {
    const code = sql.charCodeAt(pos);
    const next = sql.charCodeAt(pos + 1);
    const type = classOf(code);

    if (type === SPACE) {
      let end = pos + 1;
      while (end < length && classOf(sql.charCodeAt(end)) === SPACE) end++;
      push("whitespace", end);
    } else if (type === WORD) {
      let end = pos + 1;
      let ascii = code < 128;
      for (; end < length; end++) {
        const part = sql.charCodeAt(end);
        if (!isIdentifierPartCode(part)) break;
        if (part >= 128) ascii = false;
      }
      const word = sql.slice(pos, end);
      // No keyword is longer than nine letters, and upper-casing ASCII keeps the length.
      // After a dot a word is a name part (`t.order`, `db.select`), never a keyword.
      // The word is upper-cased once, for the lookup and as the keyword's value.
      const upper = (!ascii || word.length <= 9) && previous?.text !== "." ? word.toUpperCase() : undefined;
      if (upper !== undefined && isUpperCaseKeyword(upper)) push("keyword", end, upper);
      else push("identifier", end);
    } else if (type === DIGIT || (code === 0x2e && isDigitCode(next) && !endsOperand(previous))) {
      push("number", readNumber(sql, pos, previous?.text === "."));
    } else if ((code === 0x2d && next === 0x2d) || (code === 0x2f && next === 0x2f)) {
      // `--` and, as in ClickHouse's lexer, `//` start a comment that runs to the end of the line.
      const newline = sql.indexOf("\n", pos);
      push("comment", newline === -1 ? length : newline);
    } else if (code === 0x2f && next === 0x2a) {
      const close = sql.indexOf("*/", pos + 2);
      if (close === -1) throw new SqlSyntaxError("block comment", sql, pos);
      push("comment", close + 2);
    } else if (code === 0x27 || code === 0x22 || code === 0x60) {
      const { end, value } = readQuoted(sql, pos, code);
      push(code === 0x27 ? "string" : "quoted_identifier", end, value);
    } else if (type === PUNCT) {
      push("punctuation", pos + 1);
    } else if (code === 0x24 && heredocTagEnd(sql, pos) !== -1) {
      // Heredoc string `$tag$ ... $tag$` (ClickHouse), used for UDF bodies.
      const tag = sql.slice(pos, heredocTagEnd(sql, pos));
      const close = sql.indexOf(tag, pos + tag.length);
      if (close === -1) throw new SqlSyntaxError("heredoc string", sql, pos);
      push("string", close + tag.length, sql.slice(pos + tag.length, close));
    } else {
      // An unknown character becomes a one-character operator: the server, not the tokenizer,
      // is the judge of what is valid.
      push("operator", pos + operatorLength(code, next, sql.charCodeAt(pos + 2)));
    }
  }
  return tokens;
}

/** Where the `$tag$` that starts at `pos` ends (past its second `$`), or -1 when there is none. */
function heredocTagEnd(sql: string, pos: number): number {
  const limit = Math.min(sql.length, pos + MAX_HEREDOC_TAG);
  for (let end = pos + 1; end < limit; end++) {
    const code = sql.charCodeAt(end);
    if (code === 0x24) return end + 1;
    const type = code < 128 ? ASCII_CLASS[code] : OTHER;
    if (type !== WORD && type !== DIGIT) return -1;
  }
  return -1;
}

/**
 * The longest operator starting here: `<=>`, then the two-character ones (`::`, `->`, `<=`, `>=`,
 * `!=`, `<>`, `||`, `==`); any other character counts as a one-character operator.
 */
function operatorLength(code: number, next: number, third: number): number {
  switch (code) {
    case 0x3c: // <
      if (next === 0x3d) return third === 0x3e ? 3 : 2;
      return next === 0x3e ? 2 : 1;
    case 0x3a: // :
      return next === 0x3a ? 2 : 1;
    case 0x2d: // -
    case 0x3e: // >
    case 0x21: // !
      return (code === 0x2d ? next === 0x3e : next === 0x3d) ? 2 : 1;
    case 0x7c: // |
      return next === 0x7c ? 2 : 1;
    case 0x3d: // =
      return next === 0x3d ? 2 : 1;
    default:
      return 1;
  }
}

/** True when a token ends an operand, so that a following `.5` is member access, not a number. */
function endsOperand(token: Token | undefined): boolean {
  if (token === undefined) return false;
  return (
    token.type === "identifier" || token.type === "quoted_identifier" || token.type === "number" || token.text === ")" || token.text === "]"
  );
}

function readQuoted(sql: string, start: number, quote: number): { end: number; value: string } {
  let value = "";
  // The plain text since the last escape, copied in one slice rather than a character at a time.
  let runStart = start + 1;
  let i = start + 1;
  const length = sql.length;
  while (i < length) {
    const code = sql.charCodeAt(i);
    if (code === 0x5c && i + 1 < length) {
      value += sql.slice(runStart, i);
      const escaped = sql.charAt(i + 1);
      if (escaped === "x" && isHexCode(sql.charCodeAt(i + 2)) && isHexCode(sql.charCodeAt(i + 3))) {
        value += String.fromCharCode(Number.parseInt(sql.slice(i + 2, i + 4), 16));
        i += 4;
      } else {
        value += SIMPLE_ESCAPES[escaped] ?? `\\${escaped}`;
        i += 2;
      }
      runStart = i;
    } else if (code === quote) {
      value += sql.slice(runStart, i);
      if (sql.charCodeAt(i + 1) !== quote) return { end: i + 1, value };
      value += sql.charAt(i);
      i += 2;
      runStart = i;
    } else {
      i += 1;
    }
  }
  throw new SqlSyntaxError(QUOTED_WHAT[String.fromCharCode(quote)] ?? "quoted text", sql, start);
}

/** Where the number starting at `start` ends. */
function readNumber(sql: string, start: number, integerOnly: boolean): number {
  let i = start;
  const digits = (accept: (code: number) => boolean): void => {
    // `1_000_000`: an underscore counts only between two digits.
    for (;;) {
      const code = sql.charCodeAt(i);
      if (accept(code) || (code === 0x5f && accept(sql.charCodeAt(i - 1)) && accept(sql.charCodeAt(i + 1)))) i++;
      else return;
    }
  };

  if (sql.charCodeAt(start) === 0x30) {
    const radix = sql.charCodeAt(start + 1) | 0x20; // lower case
    const first = sql.charCodeAt(start + 2);
    if (radix === 0x78 && isHexCode(first)) {
      i += 2;
      digits(isHexCode);
      return i;
    }
    if (radix === 0x62 && (first === 0x30 || first === 0x31)) {
      i += 2;
      digits((code) => code === 0x30 || code === 0x31);
      return i;
    }
  }

  digits(isDigitCode);
  // `t.1.2` reads tuple element 1, then element 2, not the number 1.2 (ClickHouse Lexer.cpp).
  if (integerOnly) return i;
  if (i > start) {
    // Timeplus interval shorthand (`tumble(s, 5s)`, `EMIT PERIODIC 1m`); `M` is month, `m` minute.
    const unit = durationUnitLength(sql.charCodeAt(i), sql.charCodeAt(i + 1));
    if (unit > 0 && !isIdentifierPartCode(sql.charCodeAt(i + unit))) return i + unit;
  }
  if (sql.charCodeAt(i) === 0x2e) {
    i++;
    digits(isDigitCode);
  }
  const signed = sql.charCodeAt(i + 1) === 0x2b || sql.charCodeAt(i + 1) === 0x2d ? 1 : 0;
  if ((sql.charCodeAt(i) | 0x20) === 0x65 && isDigitCode(sql.charCodeAt(i + 1 + signed))) {
    i += 1 + signed;
    digits(isDigitCode);
  }
  return i;
}

/** The unit after a duration's digits: `ms`, `us`, `ns`, or one of `s m h d w M q y`; 0 for none. */
function durationUnitLength(code: number, next: number): number {
  if ((code === 0x6d || code === 0x75 || code === 0x6e) && next === 0x73) return 2; // ms, us, ns
  switch (code) {
    case 0x73: // s
    case 0x6d: // m
    case 0x68: // h
    case 0x64: // d
    case 0x77: // w
    case 0x4d: // M
    case 0x71: // q
    case 0x79: // y
      return 1;
    default:
      return 0;
  }
}
