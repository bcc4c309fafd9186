import { significantTokens, type Token } from "../tokenize.js";

/**
 * Aliases the engine resolves when it stores a column type (SHOW CREATE prints `int32` for a
 * declared `int`, `float64` for `double`, `string` for `String`). Timeplus type names are lower
 * case; the ClickHouse spellings are accepted case-insensitively.
 */
const ALIASES: Readonly<Record<string, string>> = {
  int: "int32",
  integer: "int32",
  tinyint: "int8",
  smallint: "int16",
  bigint: "int64",
  uint: "uint32",
  float: "float32",
  real: "float32",
  double: "float64",
  boolean: "bool",
  text: "string",
  varchar: "string",
  char: "string",
  lowcardinality: "low_cardinality",
  fixedstring: "fixed_string",
  datetime: "datetime",
};

/** Type names whose arguments are types themselves (their arguments are normalised too). */
const TYPE_ARGUMENTS = new Set(["nullable", "low_cardinality", "array", "map", "tuple", "nested"]);

/**
 * The type as the engine prints it: aliases resolved, names lower case, `datetime64` with its
 * default precision 3, one space after each comma. Two spellings of one type give the same text.
 * Unreadable input is returned trimmed: the server is the judge of types.
 *
 * @example normalizeType("Nullable(Int)") // "nullable(int32)"
 */
export function normalizeType(type: string): string {
  let tokens: Token[];
  try {
    tokens = significantTokens(type);
  } catch {
    return type.trim();
  }
  let pos = 0;
  const parse = (): string => {
    const token = tokens[pos];
    if (token === undefined) return "";
    pos++;
    if (token.type !== "identifier" && token.type !== "keyword" && token.type !== "quoted_identifier") {
      return token.text;
    }
    const raw = token.type === "quoted_identifier" ? token.value : token.text;
    const lower = raw.toLowerCase();
    const name = ALIASES[lower] ?? lower;
    if (tokens[pos]?.text !== "(") return name === "datetime64" ? "datetime64(3)" : name;
    pos++;
    const args: string[] = [];
    while (pos < tokens.length && tokens[pos]?.text !== ")") {
      args.push(TYPE_ARGUMENTS.has(name) ? parseArgument() : parseValue());
      if (tokens[pos]?.text === ",") pos++;
    }
    pos++;
    return `${name}(${args.join(", ")})`;
  };
  // A tuple element may be named: `tuple(a int, b string)`.
  const parseArgument = (): string => {
    const first = tokens[pos];
    const second = tokens[pos + 1];
    if (
      first !== undefined &&
      second !== undefined &&
      (first.type === "identifier" || first.type === "quoted_identifier") &&
      second.text !== "(" &&
      second.text !== "," &&
      second.text !== ")"
    ) {
      pos++;
      return `${first.type === "quoted_identifier" ? first.value : first.text} ${parse()}`;
    }
    return parse();
  };
  // Precision, scale, time zone, enum values: as written (a literal stays a literal).
  const parseValue = (): string => {
    let depth = 0;
    let text = "";
    while (pos < tokens.length) {
      const token = tokens[pos] as Token;
      if (depth === 0 && (token.text === "," || token.text === ")")) break;
      if (token.text === "(") depth++;
      if (token.text === ")") depth--;
      text += token.text === "=" ? " = " : token.text;
      pos++;
    }
    return text;
  };
  const result = parse();
  return pos === tokens.length ? result : type.trim();
}
