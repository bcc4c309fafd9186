export type TokenType =
  | "keyword"
  | "identifier"
  | "quoted_identifier"
  | "string"
  | "number"
  | "operator"
  | "punctuation"
  | "comment"
  | "whitespace";

export interface Token {
  readonly type: TokenType;
  /** The exact source text of the token. */
  readonly text: string;
  /** For identifiers and quoted identifiers: the name with quotes removed and escapes resolved. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export function tokenizeSql(_sql: string): Token[] {
  throw new Error("not implemented yet");
}
