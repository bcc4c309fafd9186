import { isIdentifierPart, isIdentifierStart, isPlainIdentifier } from "./identifiers.js";
import { positionalKeywords } from "./contextual.js";
import { memoizeByText } from "./memo.js";
import { significantTokens, type Token } from "./tokenize.js";

// Keywords that are also function names, written `left(s, 3)` like any other call.
const CALLABLE_KEYWORDS = new Set(["LEFT", "RIGHT", "ANY", "ARRAY"]);

/**
 * A form of the SQL in which formatting differences vanish: equal output means equal query.
 * Comments go, trailing `;` go, keywords are lower-cased (also words that are keywords only by
 * their position, such as `LAST` after `NULLS`), a quoted identifier that needs no quotes
 * is written bare, and whitespace is rewritten to one fixed layout (one space between tokens, none
 * inside brackets, before `,` `.` `;` or around a call's `(`). Identifiers, function names,
 * literals and operators stay exactly as written.
 *
 * @example canonicalizeSql("SELECT  count( * )\nFROM `clicks` -- all") // "select count(*) from clicks"
 * @throws {SqlSyntaxError} when the SQL cannot be tokenized.
 */
export const canonicalizeSql: (sql: string) => string = memoizeByText((sql) => layout(sql, false));

// Clauses `formatSql` starts on a new line when they belong to the outermost query.
const LINE_STARTS = new Set([
  "SELECT",
  "FROM",
  "WHERE",
  "PREWHERE",
  "GROUP",
  "HAVING",
  "ORDER",
  "LIMIT",
  "SETTINGS",
  "EMIT",
  "UNION",
  "WINDOW",
  "QUALIFY",
  "PARTITION",
  "EXCEPT",
  "INTERSECT",
  "JOIN",
  "LEFT",
  "RIGHT",
  "INNER",
  "FULL",
  "CROSS",
  "ASOF",
  "GLOBAL",
  "ARRAY",
  "SHUFFLE",
]);
// Words that continue a clause begun on the previous token (`LEFT JOIN`, `UNION ALL`).
const JOINERS = new Set(["LEFT", "RIGHT", "INNER", "FULL", "CROSS", "ASOF", "GLOBAL", "ARRAY", "OUTER", "ANY", "ALL", "SEMI", "ANTI"]);

/**
 * The query laid out to be read (`POST /format`): keywords upper-case, each clause of the
 * outermost query on its own line, the canonical spacing otherwise. Comments are dropped, as the
 * engine's formatter drops them; canonicalizeSql(formatSql(q)) equals canonicalizeSql(q).
 *
 * @throws {SqlSyntaxError} when the SQL cannot be tokenized.
 */
export function formatSql(sql: string): string {
  return layout(sql, true);
}

function layout(sql: string, readable: boolean): string {
  const tokens = significantTokens(sql);
  while (tokens.at(-1)?.text === ";") tokens.pop();
  // EMIT ON UPDATE, INTERVAL 5 SECOND, NULLS LAST, …: words that are keywords only where they stand.
  const positional = positionalKeywords(tokens);
  let result = "";
  let previous: Token | undefined;
  let depth = 0;
  tokens.forEach((token, index) => {
    const keyword = positional.has(index) || (token.type === "keyword" && !(isCallee(token) && tokens[index + 1]?.text === "("));
    const word = token.value.toUpperCase();
    const breaks =
      readable &&
      depth === 0 &&
      previous !== undefined &&
      token.type === "keyword" &&
      LINE_STARTS.has(word) &&
      !(previous.type === "keyword" && (JOINERS.has(previous.value) || previous.value === "UNION")) &&
      !(word === "ARRAY" && tokens[index + 1]?.value !== "JOIN") &&
      !((word === "LEFT" || word === "RIGHT") && tokens[index + 1]?.text === "(");
    if (breaks) result += "\n";
    else if (previous !== undefined && spaceBetween(previous, token)) result += " ";
    if (token.text === "(" || token.text === "[") depth++;
    if (token.text === ")" || token.text === "]") depth--;
    const text = positional.has(index) ? token.text.toLowerCase() : canonicalText(token, previous, tokens[index + 1]);
    result += readable && keyword ? text.toUpperCase() : text;
    previous = token;
  });
  return result;
}

// Whitespace next to punctuation never changes the tokens, so leaving it out is always safe; the
// layout only has to be a function of the two tokens.
function spaceBetween(previous: Token, token: Token): boolean {
  const before = previous.type === "punctuation" ? previous.text : "";
  const after = token.type === "punctuation" ? token.text : "";
  if (before === "(" || before === "[" || before === ".") return false;
  if (after === ")" || after === "]" || after === "," || after === "." || after === ";") return false;
  if (after === "(") return !isCallee(previous) && before !== ")";
  if (after === "[") return !isCallee(previous) && before !== ")" && before !== "]";
  return true;
}

function isCallee(token: Token): boolean {
  return (
    token.type === "identifier" || token.type === "quoted_identifier" || (token.type === "keyword" && CALLABLE_KEYWORDS.has(token.value))
  );
}

function canonicalText(token: Token, previous: Token | undefined, next: Token | undefined): string {
  switch (token.type) {
    case "keyword":
      // `Array(String)` and `left(s, 3)` are a type and a function: their case stays as written.
      return isCallee(token) && next?.text === "(" ? token.text : token.text.toLowerCase();
    case "quoted_identifier": {
      // After a dot a keyword-like word is a name part, so `t.order` and t.`order` are the same.
      const bare = previous?.text === "." ? isWord(token.value) : isPlainIdentifier(token.value);
      return bare ? token.value : `\`${token.value.replace(/[\\`]/g, (ch) => `\\${ch}`)}\``;
    }
    default:
      return token.text;
  }
}

function isWord(name: string): boolean {
  return name !== "" && isIdentifierStart(name.charAt(0)) && [...name.slice(1)].every((ch) => isIdentifierPart(ch));
}
