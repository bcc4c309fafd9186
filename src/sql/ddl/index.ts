// Public surface of the DDL toolkit (pure: imports only model/ and sql/). The SQL driver renders
// statements with it and reads the engine's definitions back; see docs/sql-ddl.md.
export {
  renderCreate,
  renderDrop,
  renderAlter,
  renderRename,
  renderAlterNamedCollection,
  renderColumn,
  KINDS_WITHOUT_DDL,
  type AlterCommand,
  type DdlResource,
  type DdlStatement,
  type RenderOptions,
} from "./render.js";
export {
  parseCreateStatement,
  readSystemTables,
  readSystemFunctions,
  DdlParseError,
  type ParsedDefinition,
  type ParseOptions,
  type SystemTableRow,
  type SystemFunctionRow,
} from "./parse.js";
export { readSystemDatabases, BUILT_IN_DATABASES } from "./read-databases.js";
export { DdlRenderError, quoteIdentifier, quoteString } from "./quote.js";
export { maskSecrets, secretValues, secretValuesOfResource, isSecretSettingName, MASK } from "./secrets.js";
export { normalizeType } from "./types.js";
