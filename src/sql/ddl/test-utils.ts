import { isPlainIdentifier } from "../identifiers.js";
import { tokenizeSql } from "../tokenize.js";
import type { SystemTableRow } from "./parse.js";

/**
 * A stand-in for the engine's storage and SHOW CREATE, for round-trip tests: it takes what the
 * renderer wrote and prints it back the way Timeplus does, independently of parse.ts. What it
 * does is what the reference records of real output (proton issue #840, the 3.x docs' system
 * streams, proton issue #332):
 * - the object name `db.`-qualified, quoted only where needed; column names always backquoted;
 * - types with aliases resolved (`int` → `int32`, `float` → `float32`);
 * - `_tp_time` and `_tp_time_index` added (its default the event_time_column when set), and
 *   `_tp_delta int8` in changelog modes;
 * - `ENGINE = Stream(shards, replicas, rand())` (1.6; `engineLine: false` for 3.x, which omits it);
 * - storage clauses in the order PARTITION BY, PRIMARY KEY, ORDER BY, TTL, with the defaults
 *   filled in (`to_YYYYMMDD(_tp_time)`, the primary key or `to_start_of_hour(_tp_time)`);
 * - `SETTINGS k = v`, the user's first, then `index_granularity = 8192`; COMMENT last;
 * - a view's or MV's SELECT wrapped in `AS (` … `)` when a COMMENT follows;
 * - external streams as `CREATE STREAM … SETTINGS type = …` in 1.6 (`externalAsStream`).
 */
export interface EchoOptions {
  readonly database?: string;
  readonly engineLine?: boolean;
  readonly externalAsStream?: boolean;
}

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: "int32",
  float: "float32",
  double: "float64",
  String: "string",
  Int64: "int64",
};

function printName(name: string): string {
  return isPlainIdentifier(name) ? name : `\`${name.replace(/[\\`]/g, (ch) => `\\${ch}`)}\``;
}

/** The last part of a possibly qualified, possibly quoted name. */
function unquote(text: string): string {
  const token = tokenizeSql(text.trim())
    .filter((t) => t.type === "quoted_identifier" || t.type === "identifier")
    .at(-1);
  return token?.value ?? text.trim();
}

function headName(line: string, database: string): { head: string; name: string } {
  const match =
    /^(CREATE (?:OR REPLACE )?(?:MUTABLE STREAM|STREAM|EXTERNAL STREAM|EXTERNAL TABLE|MATERIALIZED VIEW|VIEW)) (.+?)( AS)?$/.exec(line);
  if (!match) throw new Error(`echo cannot read the head line ${line}`);
  const parts = tokenizeSql(match[2] as string).filter((token) => token.type === "quoted_identifier" || token.type === "identifier");
  const name = (parts.at(-1) as { value: string }).value;
  return { head: (match[1] as string).replace("OR REPLACE ", ""), name: `${printName(database)}.${printName(name)}` };
}

function normalizeColumnLine(line: string): string {
  // `name` type [DEFAULT …] …: only the type word right after the name is rewritten.
  return line.replace(
    /^(`(?:[^`\\]|\\.)*`) ([A-Za-z0-9_]+)/,
    (_all, name: string, type: string) => `${name} ${TYPE_ALIASES[type] ?? type}`,
  );
}

/** Settings of one `SETTINGS …` line as [key, value text] pairs. */
function settingPairs(text: string): [string, string][] {
  const tokens = tokenizeSql(text).filter((token) => token.type !== "whitespace");
  const pairs: [string, string][] = [];
  let key: string | undefined;
  let value = "";
  for (const token of tokens) {
    if (key === undefined) key = token.text;
    else if (token.text === "=" && value === "") continue;
    else if (token.text === ",") {
      pairs.push([key, value]);
      key = undefined;
      value = "";
    } else value += (value === "" ? "" : " ") + token.text;
  }
  if (key !== undefined) pairs.push([key, value]);
  return pairs;
}

function echoStream(lines: string[], options: EchoOptions): string {
  const database = options.database ?? "default";
  const { head, name } = headName(lines[0] as string, database);
  const mutable = head.includes("MUTABLE");
  const close = lines.indexOf(")");
  const elements = lines.slice(2, close).map((line) => line.trim().replace(/,$/, ""));
  const clauses = new Map<string, string>();
  for (const line of lines.slice(close + 1)) {
    const match = /^(PARTITION BY|PRIMARY KEY|ORDER BY|TTL|SETTINGS|COMMENT) (.*)$/.exec(line);
    if (!match) throw new Error(`echo cannot read the clause ${line}`);
    clauses.set(match[1] as string, match[2] as string);
  }
  const settings = settingPairs(clauses.get("SETTINGS") ?? "");
  const setting = (key: string): string | undefined => settings.find(([k]) => k === key)?.[1];
  const mode = (setting("mode") ?? "'append'").slice(1, -1);

  const columns = elements.filter((element) => element.startsWith("`")).map(normalizeColumnLine);
  const others = elements.filter((element) => !element.startsWith("`"));
  if (!columns.some((column) => column.startsWith("`_tp_time`"))) {
    const eventTime = setting("event_time_column");
    const fallback = eventTime !== undefined ? (tokenizeSql(eventTime)[0]?.value ?? eventTime) : "now64(3, 'UTC')";
    columns.push(`\`_tp_time\` datetime64(3, 'UTC') DEFAULT ${fallback} CODEC(DoubleDelta, LZ4)`);
  }
  if (mode === "changelog" || mode === "changelog_kv") columns.push("`_tp_delta` int8");
  const body = [...columns, ...others, "INDEX _tp_time_index _tp_time TYPE minmax GRANULARITY 256"];

  const out = [`${head} ${name}`, "(", body.map((element) => `  ${element}`).join(",\n"), ")"];
  if (!mutable && options.engineLine !== false) {
    out.push(`ENGINE = Stream(${setting("shards") ?? "1"}, ${setting("replication_factor") ?? "1"}, rand())`);
  }
  const primaryKey = clauses.get("PRIMARY KEY");
  const printedKey = primaryKey !== undefined ? (/^\(([^,()]*)\)$/.exec(primaryKey)?.[1] ?? primaryKey) : undefined;
  if (!mutable) out.push(`PARTITION BY ${clauses.get("PARTITION BY") ?? "to_YYYYMMDD(_tp_time)"}`);
  if (printedKey !== undefined) out.push(`PRIMARY KEY ${printedKey}`);
  if (!mutable) out.push(`ORDER BY ${clauses.get("ORDER BY") ?? printedKey ?? "to_start_of_hour(_tp_time)"}`);
  if (clauses.has("TTL")) out.push(`TTL ${clauses.get("TTL") ?? ""}`);
  out.push(`SETTINGS ${[...settings.map(([key, value]) => `${key} = ${value}`), "index_granularity = 8192"].join(", ")}`);
  if (clauses.has("COMMENT")) out.push(`COMMENT ${clauses.get("COMMENT") ?? ""}`);
  return out.join("\n");
}

function splitComment(lines: string[]): { body: string[]; comment?: string } {
  const last = lines.at(-1) ?? "";
  return last.startsWith("COMMENT '") ? { body: lines.slice(0, -1), comment: last } : { body: lines };
}

function echoQueryObject(lines: string[], options: EchoOptions): string {
  const database = options.database ?? "default";
  const { body, comment } = splitComment(lines);
  let index = 0;
  const { head, name } = headName(body[index++] as string, database);
  let into = "";
  if (body[index]?.startsWith("INTO ")) into = ` INTO ${printName(database)}.${printName(unquote((body[index++] as string).slice(5)))}`;
  if (body[index] === "AS") index++;
  const query = body.slice(index).join("\n");
  return comment !== undefined ? `${head} ${name}${into} AS (\n${query}\n)\n${comment}` : `${head} ${name}${into} AS\n${query}`;
}

function echoExternal(lines: string[], options: EchoOptions): string {
  const database = options.database ?? "default";
  const { head, name } = headName(lines[0] as string, database);
  const rest = lines.slice(1).map((line) => (line.startsWith("  `") ? `  ${normalizeColumnLine(line.trim())}` : line));
  const printedHead = options.externalAsStream && head === "CREATE EXTERNAL STREAM" ? "CREATE STREAM" : head;
  return [`${printedHead} ${name}`, ...rest].join("\n");
}

/** The statement as SHOW CREATE would print it after the engine ran `sql`. */
export function echoCreate(sql: string, options: EchoOptions = {}): string {
  const lines = sql.split("\n");
  const first = lines[0] ?? "";
  if (/^CREATE (MUTABLE )?STREAM /.test(first)) return echoStream(lines, options);
  if (/^CREATE (OR REPLACE )?(MATERIALIZED )?VIEW /.test(first)) return echoQueryObject(lines, options);
  if (/^CREATE EXTERNAL (STREAM|TABLE) /.test(first)) return echoExternal(lines, options);
  // Functions and format schemas: global names, printed bare where they can be.
  return tokenizeSql(sql.replace(/^CREATE OR REPLACE /, "CREATE "))
    .map((token) => (token.type === "quoted_identifier" && isPlainIdentifier(token.value) ? token.value : token.text))
    .join("");
}

/**
 * The system.tables rows after the engine ran these statements (a CREATE and the ALTERs of an
 * MV's inner stream): the MV's storage lives in `.inner.target-id.<uuid>`.
 */
export function echoTables(kind: string, name: string, statements: readonly string[], options: EchoOptions = {}): SystemTableRow[] {
  const database = options.database ?? "default";
  const [create, ...alters] = statements;
  const sql = echoCreate(create as string, options);
  const engine =
    {
      stream: sql.startsWith("CREATE MUTABLE") ? "MutableStream" : "Stream",
      mutable_stream: "MutableStream",
      random_stream: "Random",
      view: "View",
      materialized_view: "MaterializedView",
      external_stream: "ExternalStream",
      external_table: "ExternalTable",
    }[kind] ?? "Stream";
  const rows: SystemTableRow[] = [{ database, name, engine, uuid: "mv-uuid", create_table_query: sql }];
  if (kind === "materialized_view") {
    let ttl = "";
    let settings = "";
    for (const alter of alters) {
      const ttlMatch = /MODIFY TTL (.*?)(,\n|$)/s.exec(alter);
      if (ttlMatch) ttl = `\nTTL ${ttlMatch[1] as string}`;
      const settingMatch = /MODIFY SETTING (.*)$/s.exec(alter);
      if (settingMatch) settings = `${settingMatch[1] as string}, `;
    }
    rows.push({
      database,
      name: ".inner.target-id.mv-uuid",
      engine: "Stream",
      create_table_query: `CREATE STREAM ${database}.\`.inner.target-id.mv-uuid\`\n(\n  \`x\` int32\n)\nPARTITION BY to_YYYYMMDD(_tp_time)\nORDER BY to_start_of_hour(_tp_time)${ttl}\nSETTINGS ${settings}index_granularity = 8192`,
    });
  }
  return rows;
}
