import { splitQualifiedName } from "../../model/index.js";
import { tokensWithoutWhitespace, type Token } from "../tokenize.js";

/**
 * A manifest value cannot become DDL. It names the field and says what is wrong, never quoting
 * the value itself (it may be a secret).
 */
export class DdlRenderError extends Error {
  /** Where in the resource, e.g. `stream/clicks columns[2].default`. */
  readonly target: string;

  constructor(target: string, problem: string) {
    super(`cannot write the DDL for ${target}: ${problem}`);
    this.name = "DdlRenderError";
    this.target = target;
  }
}

/**
 * An identifier in backticks, escaped the way the engine's lexer reads it back: a backslash
 * escapes the next character, so `\` and the backtick are written `\\` and `` \` ``. Quoting every
 * name (not only those that need it) means no name can be mistaken for a keyword or end early.
 * NUL and line breaks are refused: the engine's formatter prints names on one line, and a name
 * tpctl could not print back in an error message is not worth supporting.
 *
 * @example quoteIdentifier("my stream") // "`my stream`"
 */
export function quoteIdentifier(name: string, target = "a name"): string {
  if (name === "") throw new DdlRenderError(target, "a name cannot be empty");
  if (/[\0\r\n]/.test(name)) throw new DdlRenderError(target, "a name cannot contain NUL or a line break");
  return `\`${name.replace(/[\\`]/g, (ch) => `\\${ch}`)}\``;
}

/** `db`.`name`, or just `name` when no database is given and the name is not `db.name`. */
export function quoteQualified(name: string, database: string | undefined, target?: string): string {
  if (database === undefined && name.includes(".")) {
    // tpctl's name of an object in another database (model/kinds.ts `qualifyName`): `db.name`.
    const split = splitQualifiedName(name);
    return `${quoteIdentifier(split.database, target)}.${quoteIdentifier(split.name, target)}`;
  }
  return database === undefined ? quoteIdentifier(name, target) : `${quoteIdentifier(database, target)}.${quoteIdentifier(name, target)}`;
}

/** What quoteString writes other than as itself: LITERAL_ESCAPES and the other control characters. */
const NEEDS_ESCAPE = /[\\'\x00-\x1f\x7f]/;

const LITERAL_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "'": "\\'",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\0": "\\0",
};

/**
 * A single-quoted string literal whose decoded value is exactly `value`. Backslash and quote are
 * escaped (the engine's lexer treats `\` as an escape in every quoted string), line breaks, tabs
 * and NUL are written as escapes so that a statement stays one line per literal and cannot be cut
 * by anything that splits on newlines; any other control character is written `\xHH`.
 *
 * @example quoteString("it's") // "'it\\'s'"
 */
export function quoteString(value: string): string {
  // Most values (names, descriptions, ownership markers) need no escape at all.
  if (!NEEDS_ESCAPE.test(value)) return `'${value}'`;
  let out = "'";
  for (const ch of value) {
    const escape = LITERAL_ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (ch < " " || ch === "\x7f") out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

/** Keys of `SETTINGS k = v` lists are bare words in the grammar, so they must be plain ASCII names. */
const SETTING_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkSettingKey(key: string, target: string): string {
  if (!SETTING_KEY.test(key)) {
    throw new DdlRenderError(target, "a setting key has letters, digits and underscores only, starting with a letter or underscore");
  }
  return key;
}

const OPENERS: Readonly<Record<string, string>> = { "(": ")", "[": "]", "{": "}" };

/**
 * Checks a piece of SQL that goes into a statement as written (a type, a default expression, a
 * TTL, a key, a query) and returns it trimmed. It must tokenize, keep its brackets balanced (so
 * it cannot close a bracket the statement opened) and hold no `;` outside a literal (so it cannot
 * start a second statement). Comments are refused in expressions; in a whole query they are
 * allowed, since the renderer always starts a new line after a query (a trailing `--` comment
 * would otherwise swallow the clauses after it).
 */
export function checkFragment(sql: string, target: string, options: { allowComments?: boolean } = {}): string {
  let tokens: Token[];
  try {
    // Without whitespace tokens: nothing below looks at them (what was adjacent still shows by position).
    tokens = tokensWithoutWhitespace(sql);
  } catch (error) {
    throw new DdlRenderError(target, error instanceof Error ? error.message : "the SQL cannot be read");
  }
  const meaningful = tokens.filter((token) => token.type !== "whitespace" && token.type !== "comment");
  // A query copied from a console often ends with `;`: that is the end of this statement anyway.
  while (meaningful.at(-1)?.text === ";") meaningful.pop();
  if (meaningful.length === 0) throw new DdlRenderError(target, "it is empty");
  const engineOnly = lexedDifferentlyByEngine(tokens);
  if (engineOnly !== undefined) throw new DdlRenderError(target, engineOnly);
  const stack: string[] = [];
  for (const token of tokens) {
    if (token.type === "comment" && !options.allowComments) {
      throw new DdlRenderError(target, "comments (`--`, `/* */`) are not allowed here");
    }
    if (token.type !== "punctuation") continue;
    if (token.text === ";" && token.start < (meaningful.at(-1)?.end ?? 0)) {
      throw new DdlRenderError(target, "it holds a `;`, which would end the statement; one statement per resource");
    }
    const close = OPENERS[token.text];
    if (close !== undefined) stack.push(close);
    else if (token.text === ")" || token.text === "]" || token.text === "}") {
      if (stack.pop() !== token.text) throw new DdlRenderError(target, `its brackets do not match (unexpected \`${token.text}\`)`);
    }
  }
  if (stack.length > 0) throw new DdlRenderError(target, `its brackets do not match (\`${stack.at(-1) ?? ")"}\` is missing)`);
  const first = meaningful[0] as Token;
  const last = meaningful.at(-1) as Token;
  // Keep comments that sit inside the kept range; drop the trailing `;` and surrounding space.
  const leading = tokens.filter((token) => token.type === "comment" && token.end <= first.start);
  const start = leading[0]?.start ?? first.start;
  const trailing = tokens.filter((token) => token.type === "comment" && token.start >= last.end && !isAfterSemicolon(tokens, last, token));
  const end = trailing.at(-1)?.end ?? last.end;
  return sql.slice(start, end);
}

function isAfterSemicolon(tokens: readonly Token[], last: Token, comment: Token): boolean {
  return tokens.some(
    (token) => token.text === ";" && token.type === "punctuation" && token.start >= last.end && token.end <= comment.start,
  );
}

/**
 * Where the engine's lexer reads text differently from tpctl's tokenizer, a `;` or a quote that
 * tpctl sees inside a literal could be outside one for the engine. The engine's lexer (proton
 * `src/Parsers/Lexer.cpp`) also starts a line comment with `//`, nests block comments and takes any
 * `$…$` as a heredoc tag; so those are refused outside literals. Returns the reason, if any.
 */
export function lexedDifferentlyByEngine(tokens: readonly Token[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    if (token.type === "operator" && token.text === "/" && next?.text.startsWith("/") && next.start === token.end) {
      return "`//` starts a comment for the Timeplus engine; write it inside a string literal or with a space (`/ /`)";
    }
    // The engine takes `$anything$` as a heredoc tag, more than the tokenizer does; a lone `$`
    // (outside a name and a `$tag$` string) is where the two could split a literal differently.
    if (token.type === "operator" && token.text === "$") {
      return "a `$` outside a name or a `$$ … $$` string is read differently by the Timeplus engine";
    }
    if (token.type === "comment" && token.text.startsWith("/*") && token.text.slice(2).includes("/*")) {
      return "a block comment inside a block comment is read differently by the Timeplus engine (it nests them)";
    }
  }
  return undefined;
}
