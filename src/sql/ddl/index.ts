// Public surface of the DDL toolkit (pure: imports only model/ and sql/). The SQL driver renders
// statements with it and reads the engine's definitions back; see docs/sql-ddl.md.
export {
  CREATE_RENDERERS,
  renderDrop,
  renderAlter,
  renderRename,
  renderAlterNamedCollection,
  type AlterCommand,
  type CreateRenderer,
  type DdlResource,
  type DropShape,
  type RenderOptions,
  type DdlStatement,
} from "./render.js";
export { parseCreateStatement, readSystemTables, readSystemFunctions, type ParsedDefinition, type SystemTableRow } from "./parse.js";
export { readSystemDatabases, BUILT_IN_DATABASES } from "./read-databases.js";
export { DdlRenderError, quoteIdentifier } from "./quote.js";
export { maskSecrets, secretValuesOfResource } from "./secrets.js";
