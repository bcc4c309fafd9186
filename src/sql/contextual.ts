import type { Token } from "./tokenize.js";

// Words that are keywords only in one place of a Timeplus query. They are not in the tokenizer's
// keyword list because each is also an ordinary name elsewhere (`first`, `last`, `range`, `step`,
// `day`, `stream` are common column and function names), and identifiers are case-sensitive.
const EMIT_WORDS = new Set([
  "ON",
  "UPDATE",
  "WITH",
  "DELAY",
  "AFTER",
  "WATERMARK",
  "WINDOW",
  "CLOSE",
  "CHANGELOG",
  "TIMEOUT",
  "LAST",
  "STREAM",
  "REPEAT",
  "PERIODIC",
  "AND",
  "PROCTIME",
  "EVENT",
  "TIME",
  "BATCH",
  "KEY",
  "EXPIRED",
  "IDENTIFIED",
  "BY",
  "MAXSPAN",
]);
const INTERVAL_UNITS = new Set([
  "NANOSECOND",
  "NANOSECONDS",
  "MICROSECOND",
  "MICROSECONDS",
  "MILLISECOND",
  "MILLISECONDS",
  "SECOND",
  "SECONDS",
  "MINUTE",
  "MINUTES",
  "HOUR",
  "HOURS",
  "DAY",
  "DAYS",
  "WEEK",
  "WEEKS",
  "MONTH",
  "MONTHS",
  "QUARTER",
  "QUARTERS",
  "YEAR",
  "YEARS",
]);
const FRAME_WORDS = new Set(["UNBOUNDED", "PRECEDING", "FOLLOWING", "CURRENT", "ROW"]);
const FILL_WORDS = new Set(["TO", "STEP", "STALENESS"]);
// Words after which an EMIT clause is over (the clauses that may follow it).
const AFTER_EMIT = new Set(["SETTINGS", "LIMIT", "UNION", "FORMAT", "INTO", "EXCEPT", "INTERSECT", "ORDER"]);

const upper = (token: Token | undefined): string =>
  token?.type === "identifier" || token?.type === "keyword" ? token.value.toUpperCase() : "";
const isWord = (token: Token | undefined): boolean => token?.type === "identifier";
const isPunct = (token: Token | undefined, text: string): boolean => token?.type === "punctuation" && token.text === text;

/**
 * Indexes (into `tokens`, which hold no whitespace or comments) of identifier tokens that are
 * keywords by their position: the words of an EMIT clause, an INTERVAL's unit and EXTRACT's,
 * SHUFFLE before BY, FILL after WITH and its TO/STEP, FIRST/LAST after NULLS, and the words of a
 * window frame (ROWS/RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW).
 */
export function positionalKeywords(tokens: readonly Token[]): Set<number> {
  const found = new Set<number>();
  const depthAt = depths(tokens);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const word = upper(token);
    if (token.type === "keyword" && word === "EMIT") {
      for (let j = i + 1; j < tokens.length && depthAt[j] === depthAt[i]; j++) {
        const next = tokens[j] as Token;
        if (isPunct(next, ";") || (next.type === "keyword" && AFTER_EMIT.has(upper(next)))) break;
        if (isWord(next) && EMIT_WORDS.has(upper(next))) found.add(j);
      }
    } else if (token.type === "keyword" && word === "INTERVAL") {
      const unit = afterOperand(tokens, i + 1);
      if (unit !== undefined && isWord(tokens[unit]) && INTERVAL_UNITS.has(upper(tokens[unit]))) found.add(unit);
    } else if (
      isWord(token) &&
      word === "EXTRACT" &&
      isPunct(tokens[i + 1], "(") &&
      isWord(tokens[i + 2]) &&
      upper(tokens[i + 3]) === "FROM"
    ) {
      if (INTERVAL_UNITS.has(upper(tokens[i + 2]))) found.add(i + 2);
    } else if (isWord(token) && word === "SHUFFLE" && tokens[i + 1]?.type === "keyword" && upper(tokens[i + 1]) === "BY") {
      found.add(i);
    } else if (isWord(token) && (word === "FIRST" || word === "LAST") && upper(tokens[i - 1]) === "NULLS") {
      found.add(i);
    } else if (isWord(token) && word === "FILL" && upper(tokens[i - 1]) === "WITH") {
      found.add(i);
      for (let j = i + 1; j < tokens.length && depthAt[j] === depthAt[i] && !isPunct(tokens[j], ","); j++) {
        if (isWord(tokens[j]) && FILL_WORDS.has(upper(tokens[j])) && !isPunct(tokens[j + 1], "(")) found.add(j);
        if (tokens[j]?.type === "keyword" && upper(tokens[j]) !== "FROM") break;
      }
    } else if (isWord(token) && (word === "ROWS" || word === "RANGE") && !isPunct(tokens[i + 1], "(") && isFrameStart(tokens[i + 1])) {
      found.add(i);
      for (let j = i + 1; j < tokens.length && depthAt[j] === depthAt[i]; j++) {
        if (isWord(tokens[j]) && FRAME_WORDS.has(upper(tokens[j]))) found.add(j);
      }
    }
  }
  return found;
}

/** A frame is `ROWS BETWEEN …`, `ROWS UNBOUNDED PRECEDING`, `ROWS 2 PRECEDING` or `ROWS CURRENT ROW`. */
function isFrameStart(token: Token | undefined): boolean {
  return upper(token) === "BETWEEN" || upper(token) === "UNBOUNDED" || upper(token) === "CURRENT" || token?.type === "number";
}

/** The index after one operand at `start`: a literal, a name, or a bracketed group. */
function afterOperand(tokens: readonly Token[], start: number): number | undefined {
  const first = tokens[start];
  if (first === undefined) return undefined;
  if (first.type === "operator" && (first.text === "-" || first.text === "+")) return afterOperand(tokens, start + 1);
  if (isPunct(first, "(")) {
    let depth = 0;
    for (let i = start; i < tokens.length; i++) {
      if (isPunct(tokens[i], "(")) depth++;
      else if (isPunct(tokens[i], ")") && --depth === 0) return i + 1;
    }
    return undefined;
  }
  return start + 1;
}

function depths(tokens: readonly Token[]): number[] {
  let depth = 0;
  return tokens.map((token) => {
    if (isPunct(token, "(") || isPunct(token, "[")) return depth++;
    if (isPunct(token, ")") || isPunct(token, "]")) return --depth;
    return depth;
  });
}
