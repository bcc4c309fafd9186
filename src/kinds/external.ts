import type { JsonValue } from "../model/index.js";
import { isJsonObject } from "../model/index.js";
import type { KindReferences } from "./kind.js";

/**
 * An external stream or table reads Protobuf through `format_schema = 'schema_name:Message'` in its
 * settings, so it depends on that format schema.
 */
export function externalReferences(spec: Readonly<Record<string, JsonValue>>): KindReferences {
  const settings = spec["settings"];
  const schemas: string[] = [];
  if (Array.isArray(settings)) {
    for (const setting of settings) {
      if (!isJsonObject(setting) || setting["key"] !== "format_schema") continue;
      const value = setting["value"];
      if (typeof value === "string" && value !== "") schemas.push(value.split(":")[0] ?? value);
    }
  }
  return { sql: [], relations: [], schemas };
}
