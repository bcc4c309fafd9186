import { describe, expect, it } from "vitest";
import type { JsonValue } from "../model/index.js";
import { renderManifestYaml, renderManifestYamlByDocument } from "./yaml.js";

/** A small deterministic PRNG, so that a failure names a value that can be reproduced. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const WORDS = [
  "cid",
  "speed",
  "SELECT * FROM s",
  "a, b",
  "x: y",
  "x:y",
  "https://h.example/p",
  "a #b",
  "a#b",
  "true",
  "No",
  "null",
  "~",
  "",
  " lead",
  "trail ",
  "1",
  "1.5",
  "0x1F",
  "-x",
  "_x",
  "two\nlines",
  "it's",
  'say "hi"',
  "[a]",
  "{a}",
  "a > 1 AND b <= 2",
  "nullable(float64)",
  "é",
  "tab\there",
  "a:",
  "- x",
  "? x",
  "%x",
  "@x",
  "*x",
  "&x",
  "!x",
  "|x",
  ">x",
  "x -- y",
  "application/json",
];

function randomValue(random: () => number, depth: number): JsonValue {
  const pick = random();
  if (depth > 2 || pick < 0.55) {
    const scalar = random();
    // Half of the words from the first few, which need no quotes, so that many values take the direct path.
    if (scalar < 0.6) return WORDS[Math.floor(random() * (random() < 0.5 ? 3 : WORDS.length))] as string;
    if (scalar < 0.75) return Math.floor(random() * 2000) - 1000;
    if (scalar < 0.8) return random() * 10;
    if (scalar < 0.9) return random() < 0.5;
    return null;
  }
  const size = Math.floor(random() * 4);
  if (pick < 0.75) return Array.from({ length: size }, () => randomValue(random, depth + 1));
  const map: Record<string, JsonValue> = {};
  for (let index = 0; index < size; index += 1) map[randomKey(random)] = randomValue(random, depth + 1);
  return map;
}

const KEYS = [
  "name",
  "type",
  "columns",
  "settings",
  "tags",
  "position",
  "panels",
  "x",
  "y",
  "n",
  "on",
  "a b",
  "a: b",
  "1",
  "true",
  "Null",
  "key",
];

function randomKey(random: () => number): string {
  return KEYS[Math.floor(random() * KEYS.length)] as string;
}

describe("renderManifestYaml", () => {
  it("lays out a resource as its manifest is written", () => {
    const spec = {
      description: "per-car overview",
      columns: [
        { name: "cid", type: "string" },
        { name: "speed", type: "nullable(float64)" },
      ],
      tags: ["fleet", "ops"],
      panels: [{ id: "speed", viz_content: "SELECT cid, avg(speed) FROM s GROUP BY cid", position: { x: 0, y: 0, w: 6, h: 4 } }],
      properties: { url: "https://ops.example.com/hooks/p0" },
    };
    expect(renderManifestYaml(spec)).toBe(
      [
        "description: per-car overview",
        "columns:",
        "  - { name: cid, type: string }",
        "  - { name: speed, type: nullable(float64) }",
        "tags: [ fleet, ops ]",
        "panels:",
        "  - id: speed",
        "    viz_content: SELECT cid, avg(speed) FROM s GROUP BY cid",
        "    position: { x: 0, y: 0, w: 6, h: 4 }",
        "properties:",
        "  url: https://ops.example.com/hooks/p0",
        "",
      ].join("\n"),
    );
  });

  it("writes exactly what the yaml Document layout writes, for any value", () => {
    const random = seeded(7);
    for (let round = 0; round < 5000; round += 1) {
      const value: Record<string, JsonValue> = {};
      const size = 1 + Math.floor(random() * 5);
      for (let index = 0; index < size; index += 1) value[randomKey(random)] = randomValue(random, 0);
      expect(renderManifestYaml(value), JSON.stringify(value)).toBe(renderManifestYamlByDocument(value));
    }
  });
});
