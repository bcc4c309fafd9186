import { readOwnershipMarker } from "../../model/index.js";
import type { ParsedDefinition } from "./parse.js";

/** Databases the engine keeps for itself: never resources. */
export const BUILT_IN_DATABASES: readonly string[] = ["default", "system", "information_schema", "INFORMATION_SCHEMA"];

/** The `system.databases` columns tpctl reads (`SELECT name, engine, comment FROM system.databases`). */
export interface SystemDatabaseRow {
  readonly name: string;
  readonly engine?: string;
  readonly comment?: string;
}

/**
 * The databases of one `system.databases` answer: every database but the built-in ones, each
 * with its COMMENT as description and the ownership marker read from it.
 */
export function readSystemDatabases(rows: readonly SystemDatabaseRow[]): ParsedDefinition[] {
  return rows
    .filter((row) => !BUILT_IN_DATABASES.includes(row.name))
    .map((row) => {
      const marker = readOwnershipMarker(row.comment ?? "");
      return {
        kind: "database",
        name: row.name,
        spec: { name: row.name, description: marker.description },
        ...(marker.owner !== undefined ? { owner: marker.owner } : {}),
        ...(marker.secretsFingerprint !== undefined ? { secretsFingerprint: marker.secretsFingerprint } : {}),
        dependsOn: [],
      };
    });
}
