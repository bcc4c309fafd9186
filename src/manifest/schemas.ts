import type { ValidateFunction } from "ajv";
import type { JsonObject, JsonValue, Kind } from "../model/index.js";
import type { FullYamlParser } from "./parse-fast.js";
import { isJsonObject, isJsonArray } from "../model/index.js";

// The JSON Schemas of schemas/ as validation uses them: the set, how they are compiled, and the
// variable alternatives taken out before checking.

/** The JSON Schemas of schemas/: one per kind, and the one for tpctl.yaml. */
export interface SchemaSet {
  readonly kinds: Readonly<Record<Kind, JsonObject>>;
  readonly project: JsonObject;
  /**
   * The same schemas compiled: the standalone validators generated at build time (schema-code.ts)
   * when they match, else compiled on reading (compile-schemas.ts). Either way this module never
   * loads ajv itself, which alone took a third of a `validate` run.
   */
  readonly compiled: CompiledSchemas;
  /**
   * yaml's full parser, for the files the fast path (parse-fast.ts) does not read and the issue
   * positions only yaml's tree knows. Absent, those throw FullYamlNeeded: load.ts reads without it
   * first, so that a workspace of plain files never loads yaml, and again with it when asked.
   */
  readonly parseFullYaml?: FullYamlParser;
}

/** A validator per kind and one for tpctl.yaml, compiled with VALIDATOR_OPTIONS. */
export interface CompiledSchemas {
  readonly kinds: Readonly<Record<Kind, ValidateFunction>>;
  readonly project: ValidateFunction;
}

/**
 * allErrors so every problem is reported at once; verbose for the failing data and parent schema,
 * which the messages need (expected vs got, the fields a "did you mean" can pick from). The build's
 * standalone validators are compiled with the same options.
 */
export const VALIDATOR_OPTIONS = { allErrors: true, verbose: true, strict: true, strictRequired: false } as const;

/**
 * The schemas let a number or boolean field hold `${var.NAME}` (an `anyOf` whose second branch is
 * marked `"$comment": "tpctl variable"`), so that editors accept manifests as written. tpctl
 * validates documents after variables are resolved, where that branch would only blur the
 * message ("must be a number"), so it validates against the first branch alone.
 */
export function withoutVariableAlternatives(schema: JsonValue): JsonValue {
  if (isJsonArray(schema)) return schema.map(withoutVariableAlternatives);
  if (!isJsonObject(schema)) return schema;
  const anyOf = schema["anyOf"];
  if (isJsonArray(anyOf) && anyOf.length === 2 && isJsonObject(anyOf[1]) && anyOf[1]["$comment"] === "tpctl variable") {
    const { anyOf: _alternatives, ...rest } = schema;
    return withoutVariableAlternatives({ ...rest, ...(anyOf[0] as JsonObject) });
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withoutVariableAlternatives(value)]));
}
