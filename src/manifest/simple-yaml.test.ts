import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateWorkspace } from "../../bench/generate.js";
import type { JsonValue } from "../model/index.js";
import { isJsonArray, isJsonObject } from "../model/index.js";
import { parseManifestText, parseWithYaml, type JsonPath } from "./parse.js";
import { parseSimpleYaml } from "./simple-yaml.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");

function exampleTexts(): string[] {
  return readdirSync(EXAMPLES)
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => readFileSync(join(EXAMPLES, name), "utf8"));
}

function pathsOf(value: JsonValue, at: JsonPath = []): JsonPath[] {
  const paths: JsonPath[] = [at];
  if (isJsonArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...at, index])));
  else if (isJsonObject(value)) for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...at, key]));
  return paths;
}

/** Parses `text` both ways and expects the same values, positions and issues. */
function expectSameAsYaml(text: string): void {
  const fast = parseManifestText(text, "m.yaml");
  const slow = parseWithYaml(text, "m.yaml");
  expect(fast.issues, text).toEqual(slow.issues);
  expect(
    fast.documents.map(({ value, location }) => ({ value, location })),
    text,
  ).toEqual(slow.documents.map(({ value, location }) => ({ value, location })));
  fast.documents.forEach((document, index) => {
    const other = slow.documents[index];
    for (const path of [...pathsOf(document.value), ["missing"], ["missing", "deeper"]]) {
      for (const key of [false, true])
        expect(document.locate(path, { key }), `${JSON.stringify(path)} in ${text}`).toEqual(other?.locate(path, { key }));
    }
  });
}

const SNIPPETS = [
  "kind: stream\nname: s\n",
  "# comment\nkind: view\nname: v # trailing\nquery: |\n  SELECT 1\n\n  FROM t\n\n\ndescription: d\n",
  "kind: view\nname: v\nquery: |-\n    SELECT a\n      FROM  t   \n",
  "a: 1\nb: -2\nc: 1.5\nd: .5\ne: 1e3\nf: true\ng: FALSE\nh: ~\ni: null\nj:\nk: 'it''s'\nl: \"q\"\no: +3\np: -.5e-2\nq: 1.\n",
  "m: 0x1F\n",
  "n: 007\n",
  "columns:\n- { name: a, type: string }\n- {name: b,type: int}\ntags: [ x, y ]\nempty: {}\nnone: []\n",
  "panels:\n  - id: p\n    position: { x: 0, y: 0 }\n    nested:\n      deep: yes\n  - plain\n  - 3\n",
  "a: b\n---\n---\nc: d\n...\n",
  "a: &x 1\nb: *x\n",
  "a: !!str 1\n",
  "a: >\n  folded\n",
  "a: multi\n  line\n",
  "a: 1\na: 2\n",
  "__proto__: 1\n",
  "- a\n- b\n",
  "just a scalar\n",
  "a: [1, [2]]\n",
  "a: 'unterminated\n",
  "a:\tb\n",
  "a: b\r\nc: d\r\n",
  "<<: { a: 1 }\nb: 2\n",
  "a: |\n  x\n b: 1\n",
  "url: https://ops.example.com/x?y=1#z\nq: SELECT a, b FROM t WHERE x > 'a: b'\n",
  'a: "with \\\\ escape"\n',
  "a:\n  b:\n    c:\n      - d\n      - e: f\n        g: h\n",
  "a: 1\n  # indented comment\nb: 2\n",
  "key: value:with:colons\nother: -x\n",
  "true: 1\nnull: 2\n",
  "a: |\n\n  after a blank line\n",
  "a: |\n    \n  less indented\n",
  "",
  "# only a comment\n",
  "---\n",
];

describe("parseSimpleYaml", () => {
  it("reads the examples and the benchmark's workspaces, which are plain YAML", () => {
    const texts = [...exampleTexts(), ...Object.values(generateWorkspace(60).files)];
    for (const text of texts) expect(parseSimpleYaml(text), text.slice(0, 200)).toBeDefined();
  });

  it("gives what yaml gives, or nothing", () => {
    for (const text of [...SNIPPETS, ...exampleTexts(), ...Object.values(generateWorkspace(60).files)]) expectSameAsYaml(text);
  });

  it("gives what yaml gives for damaged copies of real manifests", () => {
    let state = 11;
    const random = (): number => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
    const pieces = [
      " ",
      "  ",
      "-",
      "- ",
      ":",
      ": ",
      "#",
      " #",
      "'",
      '"',
      "|",
      "|-",
      "{",
      "}",
      "[",
      "]",
      ",",
      "\n",
      "---\n",
      "~",
      "1",
      ".5",
      "x",
    ];
    const sources = [...SNIPPETS, ...exampleTexts()];
    let answered = 0;
    for (let round = 0; round < 3000; round += 1) {
      const source = sources[Math.floor(random() * sources.length)] as string;
      let text = source;
      for (let edit = 0; edit < 1 + Math.floor(random() * 3); edit += 1) {
        const at = Math.floor(random() * (text.length + 1));
        const cut = random() < 0.3 ? Math.floor(random() * 3) : 0;
        text = text.slice(0, at) + (pieces[Math.floor(random() * pieces.length)] as string) + text.slice(at + cut);
      }
      if (parseSimpleYaml(text) !== undefined) answered += 1;
      expectSameAsYaml(text);
    }
    // Most damaged copies are still plain YAML; the comparison above must have had something to compare.
    expect(answered).toBeGreaterThan(500);
  });
});
