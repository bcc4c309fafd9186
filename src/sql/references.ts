import { matchBrackets } from "./brackets.js";
import { memoizeByText } from "./memo.js";
import { significantTokens, type Token } from "./tokenize.js";

export interface SqlReferences {
  /** Names of streams, views, external streams/tables read by the query (FROM, JOIN, table(), tumble(), …), CTE names excluded, in first-seen order, without database prefix. */
  readonly relations: readonly string[];
  /** Names of every function the query calls, in first-seen order (used to find UDF dependencies). */
  readonly functions: readonly string[];
}

// Timeplus functions whose first argument is a stream or view (docs: "Query Syntax", "Streaming
// Windows", "changelog"). Other table functions (numbers, generate_random, url, ...) read no
// relation of the workspace.
const RELATION_FUNCTIONS = new Set(["table", "tumble", "hop", "session", "dedup", "changelog"]);

// `GROUP BY … WITH TOTALS`, `ORDER BY … WITH FILL`, `LIMIT … WITH TIES`, `EMIT … WITH DELAY`:
// a WITH that does not open a list of common table expressions.
const WITH_MODIFIERS = new Set(["TOTALS", "ROLLUP", "CUBE", "FILL", "TIES", "DELAY"]);

// Keywords that are also ClickHouse function names (`left(s, 3)`, `any(x)`, `array(1, 2)`).
const FUNCTION_KEYWORDS = new Set(["LEFT", "RIGHT", "ANY", "ARRAY"]);

type Mode = "query" | "expression";

/**
 * The relations a query reads and the functions it calls, found from its tokens, so that
 * comments and string literals never count.
 *
 * @example extractReferences("WITH r AS (SELECT * FROM db.clicks) SELECT count() FROM r")
 *   // { relations: ["clicks"], functions: ["count"] }
 * @throws {SqlSyntaxError} when the SQL cannot be tokenized.
 */
export function extractReferences(sql: string): SqlReferences {
  return analyzed(sql).references;
}

/**
 * The relations a query reads with the database each was qualified with, as written:
 * `analytics.clicks` for `FROM analytics.clicks`, `clicks` for a bare name (the session database).
 *
 * @example extractQualifiedRelations("SELECT * FROM analytics.clicks JOIN users USING (id)") // ["analytics.clicks", "users"]
 * @throws {SqlSyntaxError} when the SQL cannot be tokenized.
 */
export function extractQualifiedRelations(sql: string): readonly string[] {
  return analyzed(sql).qualified;
}

// Both answers come from one scan, remembered by text: the dependency graph asks for both of every
// query, the validator, the planner and the live side ask again for the same texts, and each
// question used to tokenize and scan the query anew.
const analyzed: (sql: string) => { readonly references: SqlReferences; readonly qualified: readonly string[] } =
  memoizeByText(scanReferences);

function scanReferences(sql: string): { readonly references: SqlReferences; readonly qualified: readonly string[] } {
  const tokens = significantTokens(sql);
  // The brackets are matched once, for the scanner and the function names alike.
  const match = matchParentheses(tokens);
  const scanner = new RelationScanner(tokens, match);
  scanner.scanRange(0, tokens.length, new Set(), "query");
  return Object.freeze({
    references: Object.freeze({
      relations: Object.freeze([...scanner.relations]),
      functions: Object.freeze(functionNames(tokens, match)),
    }),
    qualified: Object.freeze([...scanner.qualified]),
  });
}

function isKeyword(token: Token | undefined, word: string): boolean {
  return token?.type === "keyword" && token.value === word;
}

function isPunctuation(token: Token | undefined, text: string): boolean {
  return token?.type === "punctuation" && token.text === text;
}

type NameToken = Token & { readonly type: "identifier" | "quoted_identifier" };

// Keywords that cannot stand where a relation does (right after FROM or JOIN). Any other keyword
// there is a relation's name: `FROM ties`, `JOIN left ON …`, `FROM rollup`.
const NOT_RELATIONS = new Set(["SELECT", "WITH", "VALUES", "FINAL", "WHERE", "GROUP", "ORDER", "LIMIT", "SETTINGS", "EMIT", "UNION"]);

function isRelationKeyword(token: Token): boolean {
  return token.type === "keyword" && !NOT_RELATIONS.has(token.value);
}

/** A name as written: keywords keep their spelling (a keyword token's value is upper-cased). */
function nameOf(token: Token | undefined): string {
  if (token === undefined) return "";
  return token.type === "keyword" ? token.text : token.value;
}

function isName(token: Token | undefined): token is NameToken {
  return token?.type === "identifier" || token?.type === "quoted_identifier";
}

/** Index of the bracket closing each `(` (a session range may close with `]`); an unclosed `(` runs to the end. */
function matchParentheses(tokens: readonly Token[]): number[] {
  const { match } = matchBrackets(tokens);
  // matchBrackets made the array for this call: it is changed in place rather than copied.
  for (let index = 0; index < match.length; index++) {
    if (match[index] === -1 && isPunctuation(tokens[index], "(")) match[index] = tokens.length;
  }
  return match;
}

/** Names written as `AS name` anywhere: expression aliases, which `IN name` may refer to. */
function aliasNames(tokens: readonly Token[]): Set<string> {
  const aliases = new Set<string>();
  tokens.forEach((token, index) => {
    const next = tokens[index + 1];
    if (isKeyword(token, "AS") && isName(next) && !isPunctuation(tokens[index + 2], "(")) aliases.add(next.value);
  });
  return aliases;
}

/**
 * Walks the query with lexical scoping: a CTE name hides a relation of the same name in the rest
 * of its own query (later CTEs, the main SELECT, UNION branches, subqueries), but not inside its
 * own body or earlier ones, where the name still means the real relation.
 */
class RelationScanner {
  readonly relations = new Set<string>();
  /** The same relations with their database qualifier, when one was written (`db.name`). */
  readonly qualified = new Set<string>();
  private readonly match: number[];
  private readonly aliases: Set<string>;

  constructor(
    private readonly tokens: readonly Token[],
    match: number[],
  ) {
    this.match = match;
    this.aliases = aliasNames(tokens);
  }

  scanRange(start: number, end: number, outer: ReadonlySet<string>, mode: Mode): void {
    const { tokens } = this;
    let scope = new Set(outer);
    let i = start;
    while (i < end) {
      const token = tokens[i];
      if (isPunctuation(token, "(")) {
        const close = this.closeOf(i, end);
        this.scanRange(i + 1, close, scope, this.groupMode(i));
        i = close + 1;
      } else if (isKeyword(token, "WITH") && !this.isWithModifier(i)) {
        i = this.scanWith(i + 1, end, scope);
      } else if (mode === "query" && isKeyword(token, "FROM")) {
        i = this.scanTableItem(i + 1, end, scope);
        while (isPunctuation(tokens[i], ",")) i = this.scanTableItem(i + 1, end, scope);
      } else if (mode === "query" && isKeyword(token, "JOIN") && !isKeyword(tokens[i - 1], "ARRAY")) {
        i = this.scanTableItem(i + 1, end, scope);
      } else if (mode === "query" && isKeyword(token, "IN")) {
        i = this.scanInTable(i + 1, end, scope);
      } else {
        // Statements separated by `;` do not share CTEs.
        if (isPunctuation(token, ";")) scope = new Set(outer);
        i++;
      }
    }
  }

  /** `WITH TIES`, `WITH ROLLUP`, …, but not `WITH ties AS (…)`, a CTE named like one. */
  private isWithModifier(at: number): boolean {
    const next = this.tokens[at + 1];
    return WITH_MODIFIERS.has(next?.value.toUpperCase() ?? "") && !isKeyword(this.tokens[at + 2], "AS");
  }

  private closeOf(open: number, end: number): number {
    return Math.min(this.match[open] ?? end, end);
  }

  /**
   * Function arguments are expressions, where FROM and IN are not about relations
   * (`extract(DAY FROM ts)`, `trim(BOTH ' ' FROM s)`, `position(a IN b)`), unless the parentheses
   * hold a subquery.
   */
  private groupMode(open: number): Mode {
    const before = this.tokens[open - 1];
    const first = this.tokens[open + 1];
    const call = isName(before) || (before?.type === "keyword" && FUNCTION_KEYWORDS.has(before.value));
    return call && !isKeyword(first, "SELECT") && !isKeyword(first, "WITH") ? "expression" : "query";
  }

  /** `WITH a AS (SELECT …), b AS (…), expr AS x …`: scans the bodies and adds the CTE names to scope. */
  private scanWith(start: number, end: number, scope: Set<string>): number {
    const { tokens } = this;
    let i = start;
    while (i < end) {
      const name = tokens[i];
      if (
        name !== undefined &&
        (isName(name) || name.type === "keyword") &&
        isKeyword(tokens[i + 1], "AS") &&
        isPunctuation(tokens[i + 2], "(")
      ) {
        const close = this.closeOf(i + 2, end);
        this.scanRange(i + 3, close, scope, "query");
        scope.add(nameOf(name));
        i = close + 1;
      } else {
        // ClickHouse's `WITH <expression> AS alias`: runs to the next top-level `,` or SELECT.
        let j = i;
        while (j < end && !isPunctuation(tokens[j], ",") && !isKeyword(tokens[j], "SELECT")) {
          j = isPunctuation(tokens[j], "(") ? this.closeOf(j, end) + 1 : j + 1;
        }
        this.scanRange(i, j, scope, "query");
        i = j;
      }
      if (!isPunctuation(tokens[i], ",")) return i;
      i++;
    }
    return i;
  }

  /** One item of a FROM list or the right side of a JOIN, with its alias; returns the index after it. */
  private scanTableItem(start: number, end: number, scope: ReadonlySet<string>): number {
    const { tokens } = this;
    let i = start;
    const first = tokens[i];
    if (i >= end || first === undefined) return i;
    if (isPunctuation(first, "(")) {
      const close = this.closeOf(i, end);
      this.scanRange(i + 1, close, scope, "query");
      i = close + 1;
    } else if (isName(first) || isRelationKeyword(first)) {
      const { parts, next } = this.readDottedName(i, end);
      const name = parts.at(-1) ?? first.value;
      if (isPunctuation(tokens[next], "(")) {
        const close = this.closeOf(next, end);
        if (parts.length === 1 && RELATION_FUNCTIONS.has(name.toLowerCase())) {
          // `tumble(table(x), 5s)`: the first argument is itself a table expression.
          const rest = this.scanTableItem(next + 1, close, scope);
          this.scanRange(rest, close, scope, "expression");
        } else {
          this.scanRange(next + 1, close, scope, this.groupMode(next));
        }
        i = close + 1;
      } else {
        // A database qualifier is dropped; only a bare name can be a CTE.
        if (parts.length > 1 || !scope.has(name)) this.addRelation(parts, name);
        i = next;
      }
    } else {
      return i;
    }
    if (isKeyword(tokens[i], "AS")) return isName(tokens[i + 1]) ? i + 2 : i + 1;
    return isName(tokens[i]) && i < end ? i + 1 : i;
  }

  /** `x IN stream_name` (ClickHouse reads the whole relation as the set); `IN (…)` is left to the caller. */
  private scanInTable(start: number, end: number, scope: ReadonlySet<string>): number {
    const first = this.tokens[start];
    if (!isName(first) || start >= end) return start;
    const { parts, next } = this.readDottedName(start, end);
    if (isPunctuation(this.tokens[next], "(")) return start;
    const name = parts.at(-1) ?? first.value;
    if (parts.length > 1 || (!scope.has(name) && !this.aliases.has(name))) this.addRelation(parts, name);
    return next;
  }

  private addRelation(parts: readonly string[], name: string): void {
    this.relations.add(name);
    this.qualified.add(parts.length === 2 ? `${parts[0] ?? ""}.${name}` : name);
  }

  private readDottedName(start: number, end: number): { parts: string[]; next: number } {
    const { tokens } = this;
    const parts = [nameOf(tokens[start])];
    let i = start + 1;
    while (i + 1 < end && isPunctuation(tokens[i], ".") && isName(tokens[i + 1])) {
      parts.push(nameOf(tokens[i + 1]));
      i += 2;
    }
    return { parts, next: i };
  }
}

/**
 * Every name written right before `(`, in first-seen order. Type names (`CAST(x AS Decimal(10, 2))`,
 * `x::Array(String)`) and the column list of `INSERT INTO t (…)` are not calls.
 */
function functionNames(tokens: readonly Token[], match: readonly number[]): string[] {
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined || !isPunctuation(tokens[i + 1], "(")) continue;
    const callable = isName(token) || (token.type === "keyword" && FUNCTION_KEYWORDS.has(token.value));
    if (!callable) continue;
    const before = tokens[i - 1];
    if (isKeyword(before, "AS") || (before?.type === "operator" && before.text === "::")) {
      // Skip the type's parameters too: `Array(Nullable(String))` calls nothing.
      i = match[i + 1] ?? i;
      continue;
    }
    if (isKeyword(before, "INTO")) continue;
    names.add(token.type === "keyword" ? token.text : token.value);
  }
  return [...names];
}
