import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalizeSql, formatSql } from "./canonical.js";
import { tokenizeSql, type Token } from "./tokenize.js";

interface CorpusQuery {
  readonly query: string;
  readonly source: string;
}

const CORPUS: readonly CorpusQuery[] = (
  JSON.parse(readFileSync(new URL("../../test/corpus/timeplus-queries.json", import.meta.url), "utf8")) as { queries: CorpusQuery[] }
).queries;

// Clause words that are keywords only by position, found here by pattern (independently of the
// canonicaliser's own rules): a case variant flips them too.
const POSITIONAL = [
  /\bemit\s+(stream\s+)?(on\s+update|after\s+watermark(\s+and\s+delay)?|after\s+window\s+close|periodic|changelog|last|timeout)\b/gi,
  /\binterval\s+(\d+|'[^']*')\s+(nanosecond|microsecond|millisecond|second|minute|hour|day|week|month|quarter|year)s?\b/gi,
  /\bnulls\s+(first|last)\b/gi,
  /\bwith\s+fill\b/gi,
  /\bshuffle\s+by\b/gi,
  /\b(rows|range)\s+between\s+(unbounded|current|\d+)\s+(preceding|row|following)\b/gi,
];

const CALLS = new Set(["LEFT", "RIGHT", "ANY", "ARRAY"]);
const flip = (text: string): string => [...text].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join("");

function caseVariant(sql: string): string {
  // `any(u)`, `left(s, 3)`: keywords written as calls are function names, whose case matters.
  const tokens = tokenizeSql(sql);
  const nextText = (index: number): string | undefined =>
    tokens.slice(index + 1).find((token) => token.type !== "whitespace" && token.type !== "comment")?.text;
  const keywords = tokens
    .map((token, index) =>
      token.type === "keyword" && !(CALLS.has(token.value) && nextText(index) === "(") ? flip(token.text) : token.text,
    )
    .join("");
  let result = keywords;
  for (const pattern of POSITIONAL) {
    result = result.replace(pattern, (match) => (/['`"]/.test(match) ? match : flip(match)));
  }
  return result;
}

function whitespaceVariant(sql: string): string {
  return tokenizeSql(sql)
    .map((token) => (token.type === "whitespace" ? (token.text.includes("\n") ? "\n\t\t" : "  \n ") : token.text))
    .join("");
}

function commentVariant(sql: string): string {
  return `-- a note\n${sql.replace(/^(\s*\(?\s*)(select|with)\b/i, "$1$2 /* inline */")}\n-- the end`;
}

const VARIANTS: readonly [string, (sql: string) => string][] = [
  ["case", caseVariant],
  ["whitespace", whitespaceVariant],
  ["comments", commentVariant],
  ["trailing semicolon", (sql) => `${sql} ;`],
  ["formatted (POST /format)", formatSql],
];

function significant(sql: string): Token[] {
  return tokenizeSql(sql).filter((token) => token.type !== "whitespace" && token.type !== "comment");
}

/** A real change to the query, or undefined when it has nothing of that kind. */
const CHANGES: readonly [string, (sql: string) => string | undefined][] = [
  [
    "a literal",
    (sql) => {
      const literal =
        significant(sql).find((token) => token.type === "number" && /^\d+$/.test(token.text)) ??
        significant(sql).find((token) => token.type === "string");
      if (!literal) return undefined;
      const replacement = literal.type === "number" ? String(Number(literal.text) + 1) : `'${literal.value}_changed'`;
      return sql.slice(0, literal.start) + replacement + sql.slice(literal.end);
    },
  ],
  [
    "an interval",
    (sql) => {
      const duration = significant(sql).find((token) => token.type === "number" && /^\d+[a-zA-Z]+$/.test(token.text));
      if (!duration) return undefined;
      const [, amount = "0", unit = ""] = /^(\d+)([a-zA-Z]+)$/.exec(duration.text) ?? [];
      return sql.slice(0, duration.start) + `${Number(amount) + 1}${unit}` + sql.slice(duration.end);
    },
  ],
  [
    "a select item",
    (sql) => {
      const select = significant(sql).find((token) => token.type === "keyword" && token.value === "SELECT");
      if (!select) return undefined;
      return `${sql.slice(0, select.end)} 1 AS tpctl_extra_item,${sql.slice(select.end)}`;
    },
  ],
];

describe("the SQL corpus against the canonical comparison", () => {
  it("finds no change in any formatting variant of any query", () => {
    const failures: string[] = [];
    let checked = 0;
    for (const { query, source } of CORPUS) {
      const canonical = canonicalizeSql(query);
      for (const [label, variant] of VARIANTS) {
        checked++;
        const changed = variant(query);
        if (canonicalizeSql(changed) !== canonical) failures.push(`${label} of ${source}:\n  ${query}\n  ${changed}`);
      }
    }
    console.log(`corpus: ${checked - failures.length}/${checked} formatting variants compare equal`);
    expect(failures).toEqual([]);
  });

  it("finds every real change (a literal, an interval, a select item)", () => {
    const failures: string[] = [];
    let checked = 0;
    for (const { query, source } of CORPUS) {
      const canonical = canonicalizeSql(query);
      for (const [label, change] of CHANGES) {
        const changed = change(query);
        if (changed === undefined) continue;
        checked++;
        if (canonicalizeSql(changed) === canonical) failures.push(`${label} in ${source}:\n  ${query}`);
      }
    }
    console.log(`corpus: ${checked - failures.length}/${checked} real changes found`);
    expect(failures).toEqual([]);
  });
});
