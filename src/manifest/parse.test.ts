import { describe, expect, it } from "vitest";
import { parseManifestText } from "./parse.js";

const STREAMS = [
  "# telemetry", // 1
  "kind: stream", // 2
  "name: cars", // 3
  "description:", // 4
  "columns:", // 5
  "  - { name: cid, type: string }", // 6
  "  - name: speed", // 7
  "    typ: float32", // 8
  "---", // 9
  "kind: view", // 10
  "name: fast", // 11
  "query: SELECT * FROM cars", // 12
  "---", // 13
  "", // 14
].join("\n");

describe("parseManifestText", () => {
  it("returns every document of a multi-document file, skipping empty ones", () => {
    const { documents, issues } = parseManifestText(STREAMS, "streams.yaml");
    expect(issues).toEqual([]);
    expect(documents.map((document) => document.value)).toEqual([
      {
        kind: "stream",
        name: "cars",
        description: null,
        columns: [
          { name: "cid", type: "string" },
          { name: "speed", typ: "float32" },
        ],
      },
      { kind: "view", name: "fast", query: "SELECT * FROM cars" },
    ]);
    expect(documents.map((document) => document.location)).toEqual([
      { file: "streams.yaml", line: 2, column: 1 },
      { file: "streams.yaml", line: 10, column: 1 },
    ]);
  });

  it("locates values, keys, list items, and falls back to the nearest parent", () => {
    const [stream] = parseManifestText(STREAMS, "streams.yaml").documents;
    const locate = stream!.locate;
    expect(locate(["name"])).toEqual({ file: "streams.yaml", line: 3, column: 7 });
    expect(locate(["columns", 0, "type"])).toEqual({ file: "streams.yaml", line: 6, column: 24 });
    expect(locate(["columns", 1, "typ"])).toEqual({ file: "streams.yaml", line: 8, column: 10 });
    expect(locate(["columns", 1, "typ"], { key: true })).toEqual({ file: "streams.yaml", line: 8, column: 5 });
    // An empty value has no position of its own: its key stands in.
    expect(locate(["description"])).toEqual({ file: "streams.yaml", line: 4, column: 1 });
    expect(locate(["columns", 1, "nope"])).toEqual({ file: "streams.yaml", line: 7, column: 5 });
    expect(locate(["columns", 9])).toEqual({ file: "streams.yaml", line: 6, column: 3 });
    expect(locate([])).toEqual({ file: "streams.yaml", line: 2, column: 1 });
  });

  it("reports a YAML syntax error at its position and still reads the other documents", () => {
    const text = ["kind: stream", "name: a", "---", "kind: stream", "name: [b", "---", "kind: stream", "name: c", ""].join("\n");
    const { documents, issues } = parseManifestText(text, "bad.yaml");
    expect(issues).toEqual([
      {
        file: "bad.yaml",
        line: 6,
        column: 1,
        message: "YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      },
    ]);
    expect(documents.map((document) => document.value["name"])).toEqual(["a", "c"]);
  });

  it("reports duplicate keys and bad indentation as syntax errors", () => {
    expect(parseManifestText("kind: stream\nname: a\nname: b\n", "dup.yaml").issues).toEqual([
      { file: "dup.yaml", line: 3, column: 1, message: "YAML syntax error: Map keys must be unique" },
    ]);
    expect(parseManifestText("kind: stream\n\tname: a\n", "tab.yaml").issues).toEqual([
      { file: "tab.yaml", line: 2, column: 1, message: "YAML syntax error: Tabs are not allowed as indentation" },
    ]);
  });

  it("refuses a document that is not a mapping", () => {
    const { documents, issues } = parseManifestText("kind: stream\nname: a\n---\n- kind: stream\n---\njust text\n", "x.yaml");
    expect(documents).toHaveLength(1);
    expect(issues).toEqual([
      { file: "x.yaml", line: 4, column: 1, message: "a manifest document must be a mapping with kind and name, not a list" },
      { file: "x.yaml", line: 6, column: 1, message: "a manifest document must be a mapping with kind and name, not a single value" },
    ]);
  });

  it("reads YAML 1.2: yes stays a string, anchors and merge keys resolve", () => {
    const text = [
      "kind: stream",
      "name: a",
      "description: yes",
      "columns: &cols",
      "  - &id { name: id, type: string }",
      "  - { <<: *id, name: other }",
      "",
    ].join("\n");
    const [document] = parseManifestText(text, "a.yaml").documents;
    expect(document!.value).toEqual({
      kind: "stream",
      name: "a",
      description: "yes",
      columns: [
        { name: "id", type: "string" },
        { name: "other", type: "string" },
      ],
    });
  });

  it("returns nothing for an empty file or one of comments only", () => {
    expect(parseManifestText("", "e.yaml")).toEqual({ documents: [], issues: [] });
    expect(parseManifestText("# nothing yet\n---\n", "e.yaml")).toEqual({ documents: [], issues: [] });
  });
});
