import type { JsonObject, JsonValue } from "../model/index.js";
import { isJsonObject, NAME_PATTERN } from "../model/index.js";
import { invalidRequest } from "./errors.js";

/**
 * Request-body checks that the appserver makes before the engine is involved. Each check throws
 * an appserver 400 naming the field. JSON `null` counts as absent, as it does for the Go
 * appserver's decoder (docs/fidelity.md).
 */
export class Fields {
  private constructor(
    private readonly body: JsonObject,
    /** "" for a top-level body, or a prefix such as `columns[2].` for nested objects. */
    private readonly prefix: string,
    private readonly allowed: readonly string[],
  ) {}

  /**
   * Reads `body` as an object. Fields outside `allowed` are ignored, not refused: the real
   * appserver is a Go service whose JSON decoder skips unknown fields, and its clients rely on it
   * (the Terraform provider sends response-only fields such as `ttl`, `id` and `nullable` back).
   * tpctl's own manifest schemas, not the server, catch a misspelt field (docs/fidelity.md).
   * `allowed` documents the request shape; `ignored()` lists what was skipped.
   */
  static of(body: unknown, allowed: readonly string[], options: { prefix?: string } = {}): Fields {
    const prefix = options.prefix ?? "";
    if (!isJsonObject(body)) {
      throw invalidRequest(prefix === "" ? "invalid request body: expected a JSON object" : `${trimDot(prefix)} must be an object`);
    }
    return new Fields(body, prefix, allowed);
  }

  /** Fields of the body outside the request shape, which the server ignores. */
  ignored(): string[] {
    return Object.keys(this.body).filter((key) => !this.allowed.includes(key));
  }

  has(field: string): boolean {
    const value = this.body[field];
    return value !== undefined && value !== null;
  }

  /** Fields present (not null) among `fields`. */
  present(fields: readonly string[]): string[] {
    return fields.filter((field) => this.has(field));
  }

  raw(field: string): JsonValue | undefined {
    const value = this.body[field];
    return value === null ? undefined : value;
  }

  string(field: string): string | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw this.typeError(field, "a string", value);
    return value;
  }

  requiredString(field: string): string {
    const value = this.string(field);
    if (value === undefined) throw invalidRequest(`invalid request body: field "${this.prefix}${field}" is required`);
    return value;
  }

  /** A required string that must not be empty (column names and types). */
  requiredNonEmpty(field: string): string {
    const value = this.requiredString(field);
    if (value.trim() === "") throw invalidRequest(`invalid request body: field "${this.prefix}${field}" must not be empty`);
    return value;
  }

  integer(field: string): number | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value)) throw this.typeError(field, "an integer", value);
    return value;
  }

  /** A required integer: present, and an integer (`"2"` or `2.5` are refused). */
  requiredInteger(field: string): number {
    const value = this.integer(field);
    if (value === undefined) throw invalidRequest(`invalid request body: field "${this.prefix}${field}" is required`);
    return value;
  }

  number(field: string): number | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value)) throw this.typeError(field, "a number", value);
    return value;
  }

  /** A free-form JSON object (properties, viz_config). */
  object(field: string): JsonObject | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (!isJsonObject(value)) throw this.typeError(field, "an object", value);
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") throw this.typeError(field, "true or false", value);
    return value;
  }

  array(field: string): readonly JsonValue[] | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.typeError(field, "an array", value);
    return value as readonly JsonValue[];
  }

  stringArray(field: string): string[] | undefined {
    const value = this.array(field);
    if (value === undefined) return undefined;
    return value.map((item, index) => {
      if (typeof item !== "string") throw this.typeError(`${field}[${index}]`, "a string", item);
      return item;
    });
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T | undefined {
    const value = this.string(field);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw invalidRequest(`invalid request body: field "${this.prefix}${field}" must be one of ${values.join(", ")}, not "${value}"`);
    }
    return value as T;
  }

  /** The `name` every named object needs, checked against the API's naming rule (docs/timeplus-api.md §3.1). */
  name(): string {
    const name = this.requiredString("name");
    if (!NAME_PATTERN.test(name)) {
      throw invalidRequest(
        `invalid name "${name}": a name must have at most 64 letters, digits or _ and start with a letter (${NAME_PATTERN.source})`,
      );
    }
    return name;
  }

  private typeError(field: string, expected: string, value: JsonValue): Error {
    return invalidRequest(`invalid request body: field "${this.prefix}${field}" must be ${expected}, not ${describe(value)}`);
  }
}

function describe(value: JsonValue): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function trimDot(prefix: string): string {
  return prefix.endsWith(".") ? prefix.slice(0, -1) : prefix;
}
