/** Markdown building blocks shared by the plan and drift renderers. */

/** Inline Markdown text: every character GitHub would read as markup, escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").replace(/[\\`*_{}[\]()<>#+!|~&@:]/g, (char) => `\\${char}`);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

/** A code span that no backtick in the text can end early; newlines are folded to spaces. */
export function codeSpan(raw: string): string {
  const text = raw.replace(/\s*[\r\n]+\s*/g, " ");
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A fence longer than any run of backticks in the block, so no value can close it early. */
export function fenceFor(lines: readonly string[]): string {
  let longest = 0;
  for (const line of lines) for (const run of line.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** The lines of a detail block, each clipped, the block cut where it would pass `maxChars`. */
export function foldBody(lines: readonly string[], limits: { maxLineChars: number; maxChars: number }): string[] {
  const result: string[] = [];
  let size = 0;
  for (const [index, line] of lines.entries()) {
    const clipped = line.length > limits.maxLineChars ? `${line.slice(0, limits.maxLineChars)}...` : line;
    if (size + clipped.length + 1 > limits.maxChars) {
      result.push(`@@ ${lines.length - index} more lines not shown @@`);
      break;
    }
    result.push(clipped);
    size += clipped.length + 1;
  }
  return result;
}
