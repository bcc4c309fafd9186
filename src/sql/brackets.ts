import type { Token } from "./tokenize.js";

/** Brackets that do not pair up: the position of the offending token and what is wrong. */
export interface BracketProblem {
  readonly token: Token;
  readonly problem: "unbalanced" | "unclosed";
}

/**
 * Pairs `(`/`)` and `[`/`]` over significant tokens. A session window's start and end conditions
 * may be a half-open range, `session(s, 5s, [a = 1, a = 2))` or `(…]` (Timeplus docs, "Session
 * window"), so a bracket directly inside `session(` may be closed by either kind.
 * `match[i]` is the index of the token closing the bracket at `i` (-1 when unclosed or not a bracket).
 */
export function matchBrackets(tokens: readonly Token[]): { match: number[]; problems: BracketProblem[] } {
  const match = new Array<number>(tokens.length).fill(-1);
  const problems: BracketProblem[] = [];
  const open: { index: number; range: boolean }[] = [];
  tokens.forEach((token, index) => {
    if (token.type !== "punctuation") return;
    if (token.text === "(" || token.text === "[") {
      const parent = open.at(-1);
      const range = parent !== undefined && isSessionCall(tokens, parent.index);
      open.push({ index, range });
    } else if (token.text === ")" || token.text === "]") {
      const opener = open.pop();
      if (opener === undefined) {
        problems.push({ token, problem: "unbalanced" });
        return;
      }
      const expected = tokens[opener.index]?.text === "(" ? ")" : "]";
      if (token.text !== expected && !opener.range) problems.push({ token, problem: "unbalanced" });
      match[opener.index] = index;
    }
  });
  for (const { index } of open) {
    const token = tokens[index];
    if (token) problems.push({ token, problem: "unclosed" });
  }
  return { match, problems };
}

function isSessionCall(tokens: readonly Token[], open: number): boolean {
  const callee = tokens[open - 1];
  return tokens[open]?.text === "(" && callee?.type === "identifier" && callee.value.toLowerCase() === "session";
}
