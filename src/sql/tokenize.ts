import { isIdentifierPart, isIdentifierStart, isKeyword } from "./identifiers.js";

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

const PUNCTUATION = new Set(["(", ")", ",", ".", ";", "[", "]", "{", "}"]);

// Longest first, so that `<=>` wins over `<=` and `<`.
const OPERATORS = ["<=>", "::", "->", "<=", ">=", "!=", "<>", "||", "==", "=", "<", ">", "+", "-", "*", "/", "%", "?", ":"];

// Timeplus interval shorthand (`tumble(s, 5s)`, `EMIT PERIODIC 1m`); `M` is month, `m` minute.
const DURATION_UNITS = ["ms", "us", "ns", "s", "m", "h", "d", "w", "M", "q", "y"];

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

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

function isHexDigit(ch: string | undefined): boolean {
  return ch !== undefined && /^[0-9a-fA-F]$/.test(ch);
}

function isWhitespace(ch: string): boolean {
  return /^\s$/u.test(ch);
}

/**
 * Splits Timeplus SQL (the ClickHouse dialect) into tokens that cover the input exactly:
 * joining every `text` gives the input back.
 *
 * @example tokenizeSql("SELECT 1").map((t) => t.type) // ["keyword", "whitespace", "number"]
 * @throws {SqlSyntaxError} on an unterminated string, quoted identifier or block comment.
 */
export function tokenizeSql(sql: string): Token[] {
  const tokens: Token[] = [];
  // The last token that is not whitespace or a comment: `.5` and `t.1` depend on it.
  let previous: Token | undefined;
  let pos = 0;

  const push = (type: TokenType, end: number, value?: string): void => {
    const text = sql.slice(pos, end);
    const token: Token = { type, text, value: value ?? text, start: pos, end };
    tokens.push(token);
    if (type !== "whitespace" && type !== "comment") previous = token;
    pos = end;
  };

  while (pos < sql.length) {
    const ch = sql.charAt(pos);
    const next = sql.charAt(pos + 1);

    if (isWhitespace(ch)) {
      let end = pos + 1;
      while (end < sql.length && isWhitespace(sql.charAt(end))) end++;
      push("whitespace", end);
    } else if ((ch === "-" && next === "-") || (ch === "/" && next === "/")) {
      // `--` and, as in ClickHouse's lexer, `//` start a comment that runs to the end of the line.
      const newline = sql.indexOf("\n", pos);
      push("comment", newline === -1 ? sql.length : newline);
    } else if (ch === "/" && next === "*") {
      const close = sql.indexOf("*/", pos + 2);
      if (close === -1) throw new SqlSyntaxError("block comment", sql, pos);
      push("comment", close + 2);
    } else if (ch === "'" || ch === '"' || ch === "`") {
      const { end, value } = readQuoted(sql, pos, ch);
      push(ch === "'" ? "string" : "quoted_identifier", end, value);
    } else if (ch === "$" && /^\$[A-Za-z0-9_]*\$/.test(sql.slice(pos, pos + 64))) {
      // Heredoc string `$tag$ ... $tag$` (ClickHouse), used for UDF bodies.
      const tag = /^\$[A-Za-z0-9_]*\$/.exec(sql.slice(pos))?.[0] ?? "$$";
      const close = sql.indexOf(tag, pos + tag.length);
      if (close === -1) throw new SqlSyntaxError("heredoc string", sql, pos);
      push("string", close + tag.length, sql.slice(pos + tag.length, close));
    } else if (isDigit(ch) || (ch === "." && isDigit(next) && !endsOperand(previous))) {
      push("number", readNumber(sql, pos, previous?.text === "."));
    } else if (isIdentifierStart(ch)) {
      let end = pos + 1;
      while (end < sql.length && isIdentifierPart(sql.charAt(end))) end++;
      const word = sql.slice(pos, end);
      // After a dot a word is a name part (`t.order`, `db.select`), never a keyword.
      if (isKeyword(word) && previous?.text !== ".") push("keyword", end, word.toUpperCase());
      else push("identifier", end);
    } else if (PUNCTUATION.has(ch)) {
      push("punctuation", pos + 1);
    } else {
      const operator = OPERATORS.find((candidate) => sql.startsWith(candidate, pos));
      // An unknown character becomes a one-character operator: the server, not the tokenizer,
      // is the judge of what is valid.
      push("operator", pos + (operator?.length ?? 1));
    }
  }
  return tokens;
}

/** True when a token ends an operand, so that a following `.5` is member access, not a number. */
function endsOperand(token: Token | undefined): boolean {
  if (token === undefined) return false;
  return (
    token.type === "identifier" || token.type === "quoted_identifier" || token.type === "number" || token.text === ")" || token.text === "]"
  );
}

function readQuoted(sql: string, start: number, quote: string): { end: number; value: string } {
  let value = "";
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    if (ch === "\\" && i + 1 < sql.length) {
      const escaped = sql.charAt(i + 1);
      const hex = sql.slice(i + 2, i + 4);
      if (escaped === "x" && isHexDigit(hex.charAt(0)) && isHexDigit(hex.charAt(1))) {
        value += String.fromCharCode(Number.parseInt(hex, 16));
        i += 4;
      } else {
        value += SIMPLE_ESCAPES[escaped] ?? `\\${escaped}`;
        i += 2;
      }
    } else if (ch === quote) {
      if (sql.charAt(i + 1) !== quote) return { end: i + 1, value };
      value += quote;
      i += 2;
    } else {
      value += ch;
      i += 1;
    }
  }
  throw new SqlSyntaxError(QUOTED_WHAT[quote] ?? "quoted text", sql, start);
}

function readNumber(sql: string, start: number, integerOnly: boolean): number {
  let i = start;
  const digits = (accept: (ch: string | undefined) => boolean): void => {
    // `1_000_000`: an underscore counts only between two digits.
    while (accept(sql.charAt(i)) || (sql.charAt(i) === "_" && accept(sql.charAt(i - 1)) && accept(sql.charAt(i + 1)))) i++;
  };

  const radix = sql.slice(start, start + 2).toLowerCase();
  if (radix === "0x" && isHexDigit(sql.charAt(start + 2))) {
    i += 2;
    digits(isHexDigit);
    return i;
  }
  if (radix === "0b" && /[01]/.test(sql.charAt(start + 2))) {
    i += 2;
    digits((ch) => ch === "0" || ch === "1");
    return i;
  }

  digits(isDigit);
  // `t.1.2` reads tuple element 1, then element 2, not the number 1.2 (ClickHouse Lexer.cpp).
  if (integerOnly) return i;
  if (i > start) {
    const unit = DURATION_UNITS.find((candidate) => sql.startsWith(candidate, i));
    if (unit !== undefined && !isIdentifierPart(sql.charAt(i + unit.length))) return i + unit.length;
  }
  if (sql.charAt(i) === ".") {
    i++;
    digits(isDigit);
  }
  const sign = sql.charAt(i + 1) === "+" || sql.charAt(i + 1) === "-" ? 1 : 0;
  if ((sql.charAt(i) === "e" || sql.charAt(i) === "E") && isDigit(sql.charAt(i + 1 + sign))) {
    i += 1 + sign;
    digits(isDigit);
  }
  return i;
}
