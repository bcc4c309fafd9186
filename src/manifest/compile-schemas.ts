import { Ajv } from "ajv";
import type { JsonObject, Kind } from "../model/index.js";
import { KINDS } from "../model/index.js";
import { type CompiledSchemas, VALIDATOR_OPTIONS, withoutVariableAlternatives } from "./schemas.js";

/**
 * Compiles the schemas at run time: used when the build's standalone validators do not match
 * the schemas read (running from src/ under vitest, an edited schema, a custom schema folder).
 * Throws if a schema itself is broken (a bug, not a user error).
 */
export function compileSchemaSet(schemas: {
  readonly kinds: Readonly<Record<Kind, JsonObject>>;
  readonly project: JsonObject;
}): CompiledSchemas {
  const ajv = new Ajv(VALIDATOR_OPTIONS);
  const kinds = Object.fromEntries(
    KINDS.map((kind) => [kind, ajv.compile(withoutVariableAlternatives(schemas.kinds[kind]) as JsonObject)]),
  ) as unknown as CompiledSchemas["kinds"];
  return { kinds, project: ajv.compile(withoutVariableAlternatives(schemas.project) as JsonObject) };
}
