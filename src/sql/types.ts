import { significantTokens } from "./tokenize.js";

// Alias spellings of the Timeplus data-types page (docs.timeplus.com/datatypes) and the ClickHouse
// names the engine also takes, mapped to the spelling the engine reads back.
const ALIASES: Readonly<Record<string, string>> = {
  int: "int32",
  integer: "int32",
  tinyint: "int8",
  smallint: "int16",
  bigint: "int64",
  float: "float32",
  real: "float32",
  double: "float64",
  varchar: "string",
  text: "string",
  boolean: "bool",
  lowcardinality: "low_cardinality",
  fixedstring: "fixed_string",
  aggregatefunction: "aggregate_function",
  simpleaggregatefunction: "simple_aggregate_function",
};

/**
 * A column type in the engine's spelling, so that `int` and `int32`, or `Nullable(Float32)` and
 * `nullable(float32)`, compare equal: type names are lower-cased (ClickHouse CamelCase becomes
 * Timeplus snake_case) and aliases resolved. Quoted text (time zones, enum labels) and the element
 * names of a named tuple (`tuple(a int, b string)`) stay as written. Text that does not tokenize is
 * returned trimmed.
 *
 * @example canonicalType("Nullable(Int)") // "nullable(int32)"
 */
export function canonicalType(type: string): string {
  let tokens;
  try {
    tokens = significantTokens(type);
  } catch {
    return type.trim();
  }
  let out = "";
  tokens.forEach((token, index) => {
    const next = tokens[index + 1];
    const previous = tokens[index - 1];
    let text = token.text;
    const isWord = token.type === "identifier" || token.type === "keyword";
    // In `tuple(a int)` a word followed by another word is an element name.
    const isElementName = isWord && next !== undefined && (next.type === "identifier" || next.type === "keyword");
    if (isWord && !isElementName) {
      const lower = token.text.toLowerCase();
      text = ALIASES[lower] ?? lower;
    }
    if (out !== "" && token.text !== "," && token.text !== ")" && token.text !== "(" && previous?.text !== "(") out += " ";
    out += text;
  });
  return out.replace(/ ?, ?/g, ", ");
}

/** A column codec without its `CODEC(…)` wrapper, which the engine adds on read. */
export function unwrapCodec(codec: string): string {
  const match = /^\s*codec\s*\((.*)\)\s*$/is.exec(codec);
  return match?.[1] ?? codec;
}
