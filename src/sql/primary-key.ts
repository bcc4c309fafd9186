import { isPlainIdentifier } from "./identifiers.js";
import { significantTokens, type Token } from "./tokenize.js";

/**
 * The elements of a primary-key expression: `(a, b)`, `a, b` and `` `a`, `b` `` all give
 * `["a", "b"]`; an element that is not a plain column (`to_date(ts)`) is kept as its text.
 * Throws SqlSyntaxError when the text does not tokenize.
 */
export function primaryKeyElements(expression: string): { readonly text: string; readonly column?: string }[] {
  const tokens = significantTokens(expression);
  let inner: Token[] = tokens;
  while (inner[0]?.text === "(" && closes(inner)) inner = inner.slice(1, -1);
  const elements: Token[][] = [[]];
  let depth = 0;
  for (const token of inner) {
    if (token.text === "(" || token.text === "[") depth++;
    if (token.text === ")" || token.text === "]") depth--;
    if (depth === 0 && token.text === ",") elements.push([]);
    else elements.at(-1)?.push(token);
  }
  return elements
    .filter((element) => element.length > 0)
    .map((element) => {
      const [only] = element;
      const text = expression.slice(element[0]?.start ?? 0, element.at(-1)?.end ?? 0);
      return element.length === 1 && only && (only.type === "identifier" || only.type === "quoted_identifier")
        ? { text, column: only.value }
        : { text };
    });
}

/** True when the first token's `(` is closed by the last token. */
function closes(tokens: readonly Token[]): boolean {
  let depth = 0;
  for (const [index, token] of tokens.entries()) {
    if (token.text === "(") depth++;
    if (token.text === ")") depth--;
    if (depth === 0) return index === tokens.length - 1;
  }
  return false;
}

/** A primary key as the engine prints it (system.tables): comma-separated, columns backtick-quoted. */
export function printPrimaryKey(expression: string): string {
  if (expression.trim() === "") return "";
  return primaryKeyElements(expression)
    .map((element) => (element.column !== undefined ? `\`${element.column.replace(/[\\`]/g, (ch) => `\\${ch}`)}\`` : element.text))
    .join(", ");
}

/**
 * A primary key written the way manifests write it: one column bare (`cid`), several in
 * parentheses (`(cid, region)`), quotes only where needed. Folds the engine's printed form back.
 */
export function manifestPrimaryKey(expression: string): string {
  if (expression.trim() === "") return "";
  const elements = primaryKeyElements(expression).map((element) =>
    element.column !== undefined ? (isPlainIdentifier(element.column) ? element.column : `\`${element.column}\``) : element.text,
  );
  return elements.length === 1 ? (elements[0] ?? "") : `(${elements.join(", ")})`;
}
