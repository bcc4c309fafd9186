import { ApiError } from "../../errors.js";
import type { JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";
import { maskSecrets } from "../../sql/ddl/index.js";

/** One result row, by column name. */
export type SqlRow = Readonly<Record<string, JsonValue>>;

/**
 * The rows of an appserver `/exec` historical answer, `{columns: [{name, type}], data: [[…]]}`
 * (docs/timeplus-sql.md, "Transports"), by column name.
 */
export function rowsFromExec(body: unknown): SqlRow[] {
  if (!isJsonObject(body)) return [];
  return zipRows(body["columns"], body["data"]);
}

/**
 * The rows of the engine's `JSONCompact` answer, `{meta: [{name, type}], data: [[…]], rows, statistics}`.
 * @throws {Error} when the text is not that JSON (the caller names the request).
 */
export function rowsFromEngineJson(text: string): SqlRow[] {
  if (text.trim() === "") return [];
  const parsed = JSON.parse(text) as unknown;
  if (!isJsonObject(parsed)) throw new Error("the answer is not a JSON object");
  return zipRows(parsed["meta"], parsed["data"]);
}

function zipRows(columns: JsonValue | undefined, data: JsonValue | undefined): SqlRow[] {
  if (!Array.isArray(columns) || !Array.isArray(data)) return [];
  const names = columns.map((column) => (isJsonObject(column) && typeof column["name"] === "string" ? column["name"] : ""));
  // A column named __proto__ would set the row's prototype if assigned: it takes the slower path.
  if (names.includes("__proto__")) {
    return data.map((row) => Object.fromEntries(names.map((name, index) => [name, (Array.isArray(row) ? row : [])[index] ?? null])));
  }
  // Plain loops: system.tables of a 10,000-object workspace is 10,000 rows, and building each from
  // an array of [name, value] pairs cost 40 ms of a no-change plan.
  const listedRows = data as readonly JsonValue[];
  const rows = new Array<SqlRow>(listedRows.length);
  for (let index = 0; index < listedRows.length; index++) {
    const listed = listedRows[index];
    const values: readonly JsonValue[] = Array.isArray(listed) ? listed : [];
    const row: Record<string, JsonValue> = {};
    for (let column = 0; column < names.length; column++) row[names[column] as string] = values[column] ?? null;
    rows[index] = row;
  }
  return rows;
}

/** `Code: 57. DB::Exception: <text>. (NAME) (version 3.0.0)`: the code and the text (Proton `src/Common/Exception.cpp`). */
const ENGINE_ERROR = /^Code:\s*(\d+)\.\s*(?:DB::Exception:\s*)?([\s\S]*?)(?:\s*\([A-Z_0-9]+\))?(?:\s*\(version [^)]*\))?\s*$/;

/**
 * A refusal of the engine's HTTP interface as a typed ApiError carrying the engine's code: the
 * `x-timeplus-exception-code` header when present (the engine sets it even on a 200 that failed
 * while streaming), else the `Code: N.` of the body. Every secret is masked from the text, which may
 * echo the statement.
 */
export function engineError(input: {
  status: number;
  codeHeader: string | undefined;
  text: string;
  path: string;
  secrets: readonly string[];
}): ApiError {
  const match = ENGINE_ERROR.exec(input.text.trim());
  const headerCode = input.codeHeader !== undefined && /^\d+$/.test(input.codeHeader.trim()) ? Number(input.codeHeader.trim()) : undefined;
  const code = headerCode ?? (match?.[1] !== undefined ? Number(match[1]) : undefined);
  const raw = (match?.[2] ?? input.text).trim().replace(/\.$/, "");
  const message = raw === "" ? undefined : maskSecrets(raw.length > 2000 ? `${raw.slice(0, 2000)}…` : raw, input.secrets);
  return new ApiError({ method: "POST", path: input.path, status: input.status, apiCode: code, apiMessage: message });
}

/** The same error with every secret masked from its message (the appserver's `/exec` echoes the engine's text). */
export function maskApiError(error: ApiError, secrets: readonly string[]): ApiError {
  if (secrets.length === 0 || error.apiMessage === undefined) return error;
  const apiMessage = maskSecrets(error.apiMessage, secrets);
  if (apiMessage === error.apiMessage) return error;
  return new ApiError({ method: error.method, path: error.path, status: error.status, apiCode: error.apiCode, apiMessage });
}

/** A text column: the engine's JSON gives strings; anything else reads as empty. */
export function text(row: SqlRow, column: string): string {
  const value = row[column];
  return typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
}

/** An array-of-strings column (`dependencies_table`). */
export function textArray(row: SqlRow, column: string): string[] {
  const value = row[column];
  return Array.isArray(value) ? value.map((item) => (typeof item === "string" ? item : String(item))) : [];
}
