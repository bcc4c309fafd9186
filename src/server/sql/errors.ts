/**
 * Engine errors as timeplusd reports them: a numeric code, its name, and the HTTP status the
 * engine's HTTP handler maps it to (proton `src/Common/ErrorCodes.cpp`, `HTTPHandler.cpp`
 * `exceptionCodeToHTTPStatus`; docs/timeplus-sql.md "Errors").
 */
export const SQL_CODES = Object.freeze({
  DUPLICATE_COLUMN: 15,
  NO_SUCH_COLUMN_IN_STREAM: 16,
  BAD_ARGUMENTS: 36,
  ILLEGAL_COLUMN: 44,
  UNKNOWN_FUNCTION: 46,
  UNKNOWN_IDENTIFIER: 47,
  NOT_IMPLEMENTED: 48,
  STREAM_ALREADY_EXISTS: 57,
  UNKNOWN_STREAM: 60,
  SYNTAX_ERROR: 62,
  INCORRECT_QUERY: 80,
  UNKNOWN_DATABASE: 81,
  DATABASE_ALREADY_EXISTS: 82,
  UNKNOWN_SETTING: 115,
  DATABASE_NOT_EMPTY: 219,
  READONLY: 164,
  UNKNOWN_FORMAT: 73,
  DICTIONARY_ALREADY_EXISTS: 387,
  UNKNOWN_DICTIONARY: 488,
  AUTHENTICATION_FAILED: 516,
  FUNCTION_ALREADY_EXISTS: 609,
  HAVE_DEPENDENT_OBJECTS: 630,
  RESOURCE_NOT_FOUND: 2003,
  RESOURCE_ALREADY_EXISTS: 2005,
  FORMAT_SCHEMA_ALREADY_EXISTS: 2610,
  UNKNOWN_FORMAT_SCHEMA: 2611,
});

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(SQL_CODES).map(([name, code]) => [code, name]));

/** The engine's HTTP status for a code; everything not listed is 500, 57 and 630 included. */
export function httpStatusOf(code: number): number {
  if ([6, 25, 26, 27, 37, 38, 41, 53, 62, 72, 117, 123, 167, 168, 223].includes(code)) return 400;
  if ([46, 47, 50, 56, 60, 63, 73, 78, 81, 115, 152, 336].includes(code)) return 404;
  if ([192, 193, 516].includes(code)) return 403;
  if (code === 194) return 401;
  if (code === 48) return 501;
  return 500;
}

/** A statement the engine refuses. `message` is the text after `DB::Exception: `. */
export class SqlError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "SqlError";
  }

  get codeName(): string {
    return NAMES[this.code] ?? "UNKNOWN_EXCEPTION";
  }

  /** The engine's error body: `Code: 57. DB::Exception: Stream default.s already exists. (STREAM_ALREADY_EXISTS) (version 3.0.0)`. */
  engineText(version: string): string {
    const text = /[.!?]$/.test(this.message) ? this.message : `${this.message}.`;
    return `Code: ${this.code}. DB::Exception: ${text} (${this.codeName}) (version ${version})`;
  }
}

export function sqlError(code: number, message: string): SqlError {
  return new SqlError(code, message);
}

export function syntaxError(message: string): SqlError {
  return new SqlError(SQL_CODES.SYNTAX_ERROR, message);
}

export function notImplemented(message: string): SqlError {
  return new SqlError(SQL_CODES.NOT_IMPLEMENTED, message);
}
