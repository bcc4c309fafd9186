import { LiveStateError } from "../../errors.js";
import type { Address, Kind } from "../../model/index.js";
import { addressOf, DEFAULT_DATABASE, isReservedName, LiveResource, qualifyName, splitQualifiedName } from "../../model/index.js";
import { createNameResolver, inferDependencies } from "../../kinds/dependencies.js";
import {
  BUILT_IN_DATABASES,
  parseCreateStatement,
  readSystemDatabases,
  quoteIdentifier,
  readSystemFunctions,
  readSystemTables,
  type ParsedDefinition,
  type SystemTableRow,
} from "../../sql/ddl/index.js";
import { text, textArray, type SqlRow } from "./decode.js";

/** The databases that hold no resources: the engine's own, listed in the read queries. */
const BUILT_IN_LIST = BUILT_IN_DATABASES.filter((name) => name !== DEFAULT_DATABASE)
  .map((name) => `'${name}'`)
  .join(", ");

/**
 * The fixed queries of a read (docs/sql-driver.md, "Reading"): every database but the engine's own
 * in one query per system table, never one per database.
 */
export const TABLES_QUERY = `SELECT database, name, uuid, engine, create_table_query, comment, dependencies_database, dependencies_table FROM system.tables WHERE database NOT IN (${BUILT_IN_LIST})`;
export const DATABASES_QUERY = `SELECT name, engine, comment FROM system.databases WHERE name NOT IN ('${DEFAULT_DATABASE}', ${BUILT_IN_LIST})`;
export const FUNCTIONS_QUERY = "SELECT name, origin, create_query FROM system.functions WHERE origin != 'System'";
export const SCHEMAS_QUERY = "SHOW FORMAT SCHEMAS";
export const NAMED_COLLECTIONS_QUERY = "SELECT name, create_query FROM system.named_collections";
/** Tasks have no system table the references name: listed per database, then one SHOW CREATE TASK each. */
export const TASKS_QUERY = "SHOW TASKS";

/** What the SQL reader runs queries through (a SqlTransport fits). */
export interface SqlReader {
  query(sql: string): Promise<SqlRow[]>;
}

/** A `system.tables` answer as the toolkit's rows. */
export function tableRows(rows: readonly SqlRow[]): SystemTableRow[] {
  return rows.map((row) => ({
    database: text(row, "database"),
    name: text(row, "name"),
    engine: text(row, "engine"),
    create_table_query: text(row, "create_table_query"),
    uuid: text(row, "uuid"),
    comment: text(row, "comment"),
    dependencies_database: textArray(row, "dependencies_database"),
    dependencies_table: textArray(row, "dependencies_table"),
  }));
}

/**
 * The engine objects of the workspace: streams, views, MVs, external streams and tables from one
 * `system.tables` query, UDFs from one `system.functions` query, and format schemas from
 * `SHOW FORMAT SCHEMAS` (unless `schemas` is false: the appserver path reads them over REST in one
 * call). The engine keeps a schema's text only where `SHOW CREATE FORMAT SCHEMA` prints it, so over
 * the bare engine each schema (and each UDF `system.functions` gives without its text) costs one
 * more query: the one place where the count grows, with the number of format schemas.
 */
export async function readEngineObjects(reader: SqlReader, options: { schemas: boolean }): Promise<ParsedDefinition[]> {
  // Each answer is worked on the moment it arrives, and each query that needs an earlier answer
  // goes out the moment that answer is in: the tasks are listed while system.tables, the largest
  // answer by far, is still being read and parsed, not one round trip after it.
  const definitions = reader
    .query(TABLES_QUERY)
    .then((rows) =>
      readSystemTables(tableRows(rows)).filter((definition) => !(definition.kind === "view" && isReservedName(definition.name))),
    );
  const udfs = reader
    .query(FUNCTIONS_QUERY)
    .then((rows) =>
      readSystemFunctions(
        rows.map((row) => ({ name: text(row, "name"), origin: text(row, "origin"), create_query: text(row, "create_query") })),
      ),
    );
  const udfsShown = udfs.then(({ unread }) =>
    Promise.all(unread.map((name) => showCreate(reader, `SHOW CREATE FUNCTION ${quoteIdentifier(name)}`))),
  );
  const schemasShown = (options.schemas ? reader.query(SCHEMAS_QUERY) : Promise.resolve([])).then((rows) =>
    Promise.all(rows.map((row) => showCreate(reader, `SHOW CREATE FORMAT SCHEMA ${quoteIdentifier(text(row, "name"))}`))),
  );
  const databaseDefinitions = reader
    .query(DATABASES_QUERY)
    .then((rows) =>
      readSystemDatabases(rows.map((row) => ({ name: text(row, "name"), engine: text(row, "engine"), comment: text(row, "comment") }))),
    );
  // The default database's tasks are listed at once, with the other first queries; only the other
  // databases' lists wait for system.databases. Sent after it, a list queued behind every other
  // answer of the read at a server that answers one request at a time.
  const showTasks = (names: readonly string[]) =>
    Promise.all(names.map((name) => showCreate(reader, `SHOW CREATE TASK ${quoteQualifiedName(name)}`)));
  const defaultTasks = reader.query(TASKS_QUERY).then((rows) => showTasks(rows.map((row) => text(row, "name"))));
  const databaseTasks = databaseDefinitions
    .then((databases) =>
      Promise.all(
        databases.map((database) =>
          reader
            .query(`${TASKS_QUERY} FROM ${quoteIdentifier(database.name)}`)
            .then((rows) => rows.map((row) => `${database.name}.${text(row, "name")}`)),
        ),
      ),
    )
    .then((lists) => showTasks(lists.flat()));
  const tasks = Promise.all([defaultTasks, databaseTasks]).then(([inDefault, inDatabases]) => [...inDefault, ...inDatabases]);
  // Parsed here and nowhere else: the values in create_query never leave this function.
  const namedCollections = reader.query(NAMED_COLLECTIONS_QUERY).then((rows) =>
    rows.map((row) => {
      const query = text(row, "create_query");
      const name = text(row, "name");
      return query === ""
        ? { kind: "named_collection" as const, name, spec: { name, settings: [] }, dependsOn: [] }
        : parseCreateStatement(query);
    }),
  );
  const [databases, collections, tables, functions, tasksShown, udfTexts, schemaTexts] = await Promise.all([
    databaseDefinitions,
    namedCollections,
    definitions,
    udfs,
    tasks,
    udfsShown,
    schemasShown,
  ]);
  return [
    ...databases,
    ...collections,
    ...tables,
    ...functions.functions,
    ...[...tasksShown, ...udfTexts, ...schemaTexts].filter((definition): definition is ParsedDefinition => definition !== undefined),
  ];
}

function quoteQualifiedName(name: string): string {
  const { database, name: local } = splitQualifiedName(name);
  return database === DEFAULT_DATABASE ? quoteIdentifier(local) : `${quoteIdentifier(database)}.${quoteIdentifier(local)}`;
}

async function showCreate(reader: SqlReader, sql: string): Promise<ParsedDefinition | undefined> {
  const rows = await reader.query(sql);
  const statement = rows[0] === undefined ? "" : text(rows[0], "statement");
  return statement === "" ? undefined : parseCreateStatement(statement);
}

/**
 * Engine objects read over SQL and the appserver's own kinds read over REST, as one workspace:
 * each resource's dependencies are what it names (resolved over the whole workspace, as the REST
 * reader does), what `system.tables` reports, and what the REST reader found.
 */
export function assembleLive(engine: readonly ParsedDefinition[], appserver: readonly LiveResource[]): LiveResource[] {
  const drafts = [
    ...engine.map((definition) => ({
      kind: definition.kind,
      name: qualifyName(definition.database, definition.name),
      spec: definition.spec,
      reported: definition.dependsOn,
      ...(definition.owner !== undefined ? { owner: definition.owner } : {}),
      ...(definition.secretsFingerprint !== undefined ? { secretsFingerprint: definition.secretsFingerprint } : {}),
    })),
    ...appserver.map((resource) => ({ ...resource, reported: resource.dependsOn })),
  ];
  rejectDuplicates(drafts);
  const resolver = createNameResolver(drafts);
  return drafts.map(({ reported, ...draft }) => {
    const address = addressOf(draft.kind, draft.name);
    const dependsOn = new Set<Address>([...inferDependencies(draft.kind, draft.spec, resolver, draft.name).dependsOn, ...reported]);
    dependsOn.delete(address);
    return LiveResource.create({ ...draft, dependsOn: [...dependsOn].sort() });
  });
}

function rejectDuplicates(drafts: readonly { kind: Kind; name: string }[]): void {
  const seen = new Set<string>();
  for (const { kind, name } of drafts) {
    const key = `${kind}/${name}`;
    if (seen.has(key)) throw new LiveStateError(`the workspace reports ${key} twice; tpctl cannot tell which one the manifests mean`);
    seen.add(key);
  }
}
