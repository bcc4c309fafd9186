import type { JsonObject } from "../model/index.js";

/**
 * Error codes of the timeplusd engine that the built-in server answers with (proton
 * `src/Common/ErrorCodes.cpp`; docs/timeplus-api.md §6).
 */
export const ENGINE_CODES = Object.freeze({
  BAD_ARGUMENTS: 36,
  UNKNOWN_FUNCTION: 46,
  UNKNOWN_IDENTIFIER: 47,
  NOT_IMPLEMENTED: 48,
  STREAM_ALREADY_EXISTS: 57,
  UNKNOWN_STREAM: 60,
  SYNTAX_ERROR: 62,
  UNKNOWN_DATABASE: 81,
  FUNCTION_ALREADY_EXISTS: 609,
  HAVE_DEPENDENT_OBJECTS: 630,
  RESOURCE_NOT_FOUND: 2003,
  RESOURCE_ALREADY_EXISTS: 2005,
});

/**
 * `system` of an error body as the seed spec (2024-12) lists it: `proton` for the engine's
 * refusals, `neutron` for the appserver's own (request validation, routing, auth). Specs from
 * 2025-03 renamed them `timeplusd` and `appserver` (docs/fidelity.md).
 */
export type ErrorSystem = "proton" | "neutron";

/**
 * A refusal that becomes an error response `{code, message, system}` (the spec's ErrorResponse).
 * Engine errors carry an engine code; appserver errors carry the HTTP status as their code,
 * since the appserver's own codes are not documented (docs/fidelity.md).
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly system: ErrorSystem,
    /** Extra response headers, e.g. `WWW-Authenticate` or `Allow`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "ApiFailure";
  }

  toBody(): JsonObject {
    return { code: this.code, message: this.message, system: this.system };
  }
}

/** A request the appserver rejects before the engine sees it: bad JSON, missing or unknown fields, wrong types. */
export function invalidRequest(message: string): ApiFailure {
  return new ApiFailure(400, 400, message, "neutron");
}

export function engineError(code: number, message: string, status = 400): ApiFailure {
  return new ApiFailure(status, code, message, "proton");
}

/** GET/PATCH/DELETE of something that does not exist: 404 with the engine's UNKNOWN_STREAM. */
export function notFound(label: string, name: string, code: number = ENGINE_CODES.UNKNOWN_STREAM): ApiFailure {
  return engineError(code, `${label} '${name}' doesn't exist`, 404);
}

/** An object of an id-based kind (source, sink, …) that the appserver does not know: 404. */
export function idNotFound(label: string, id: string): ApiFailure {
  return new ApiFailure(404, 404, `${label} with id '${id}' not found`, "neutron");
}
