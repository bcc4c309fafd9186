/** The statements the built-in server's SQL understands (docs/timeplus-sql.md "Grammar"). */

export interface QualifiedName {
  /** Undefined when the statement did not name one: the session database (`default`). */
  readonly database?: string;
  readonly name: string;
}

/** A literal in a SETTINGS list, kept with its kind so that SHOW CREATE prints it back alike. */
export interface Setting {
  readonly key: string;
  /** Strings unescaped; numbers and booleans as written (booleans lower-cased). */
  readonly value: string;
  readonly kind: "string" | "number" | "bool";
}

export interface ColumnDef {
  readonly name: string;
  /** Empty for a column without a type (engine infers it from the default). */
  readonly type: string;
  readonly defaultKind?: "DEFAULT" | "MATERIALIZED" | "ALIAS" | "EXPRESSION";
  readonly defaultExpr?: string;
  readonly comment?: string;
  /** The whole `CODEC(...)` text. */
  readonly codec?: string;
  readonly ttl?: string;
  readonly autoIncrement?: boolean;
}

export interface SkippingIndex {
  readonly name: string;
  readonly expr: string;
  readonly type: string;
  readonly granularity?: string;
}

export interface SecondaryIndex {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly storing: readonly string[];
}

export interface Family {
  readonly name: string;
  readonly columns: readonly string[];
}

export type StreamVariant = "stream" | "mutable" | "random";

export interface CreateStream {
  readonly type: "create_stream";
  readonly variant: StreamVariant;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly ColumnDef[];
  readonly indexes: readonly SkippingIndex[];
  readonly secondaryIndexes: readonly SecondaryIndex[];
  readonly families: readonly Family[];
  readonly partitionBy?: string;
  readonly primaryKey?: string;
  readonly orderBy?: string;
  readonly sampleBy?: string;
  readonly ttl?: string;
  readonly settings: readonly Setting[];
  readonly comment?: string;
}

export interface CreateExternal {
  readonly type: "create_external";
  readonly target: "stream" | "table";
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly ColumnDef[];
  /** `AS $$ … $$` of a Python external stream. */
  readonly body?: string;
  readonly partitionBy?: string;
  readonly settings: readonly Setting[];
  readonly comment?: string;
}

export interface CreateView {
  readonly type: "create_view";
  readonly materialized: boolean;
  readonly scheduled: boolean;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly into?: QualifiedName;
  /** The SELECT, with its own trailing SETTINGS (an MV's settings live there). */
  readonly query: string;
  readonly comment?: string;
}

export interface FunctionArgument {
  readonly name: string;
  readonly type: string;
}

export interface CreateFunction {
  readonly type: "create_function";
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly language: "javascript" | "python" | "remote" | "sql";
  readonly aggregate: boolean;
  readonly arguments: readonly FunctionArgument[];
  readonly returns: string;
  /** JavaScript/Python source, or the lambda text of a SQL function. */
  readonly source: string;
  readonly url?: string;
  readonly authMethod?: string;
  readonly authHeader?: string;
  readonly authKey?: string;
  readonly executionTimeout?: string;
  readonly settings: readonly Setting[];
}

export interface CreateFormatSchema {
  readonly type: "create_format_schema";
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly content: string;
  readonly schemaType: string;
}

export interface CreateDatabase {
  readonly type: "create_database";
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly settings: readonly Setting[];
  readonly comment?: string;
}

export interface CreateDictionary {
  readonly type: "create_dictionary";
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: string;
  /** Clause name (SOURCE, LAYOUT, LIFETIME, RANGE, SETTINGS) to its parenthesised text, in input order. */
  readonly clauses: readonly { readonly clause: string; readonly text: string }[];
  readonly comment?: string;
}

export interface CreateTask {
  readonly type: "create_task";
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  readonly schedule: string;
  readonly timeout: string;
  readonly into: QualifiedName;
  readonly query: string;
}

export interface NamedCollectionEntry {
  readonly key: string;
  readonly value: Setting;
  readonly overridable?: boolean;
}

export interface CreateNamedCollection {
  readonly type: "create_named_collection";
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly entries: readonly NamedCollectionEntry[];
}

export type DropTarget =
  "stream" | "view" | "external_table" | "dictionary" | "function" | "format_schema" | "database" | "task" | "named_collection";

export interface Drop {
  readonly type: "drop";
  readonly target: DropTarget;
  readonly ifExists: boolean;
  readonly name: QualifiedName;
  readonly cascade: boolean;
}

export type AlterCommand =
  | {
      readonly op: "add_column";
      readonly ifNotExists: boolean;
      readonly column: ColumnDef;
      readonly after?: string;
      readonly first?: boolean;
    }
  | { readonly op: "drop_column"; readonly name: string }
  | { readonly op: "modify_column"; readonly name: string }
  | { readonly op: "rename_column"; readonly from: string; readonly to: string }
  | { readonly op: "modify_ttl"; readonly ttl: string }
  | { readonly op: "remove_ttl" }
  | { readonly op: "modify_setting"; readonly settings: readonly Setting[] }
  | { readonly op: "reset_setting"; readonly keys: readonly string[] }
  | { readonly op: "modify_comment"; readonly comment: string }
  | { readonly op: "add_index"; readonly skipping?: SkippingIndex; readonly secondary?: SecondaryIndex }
  | { readonly op: "drop_index"; readonly name: string }
  | { readonly op: "drop_partition"; readonly partition: string }
  | { readonly op: "modify_query"; readonly query: string }
  | { readonly op: "modify_query_setting"; readonly settings: readonly Setting[] }
  | { readonly op: "reset_query_setting"; readonly keys: readonly string[] };

export interface Alter {
  readonly type: "alter";
  readonly target: "stream" | "view";
  readonly name: QualifiedName;
  readonly commands: readonly AlterCommand[];
}

export interface AlterNamedCollection {
  readonly type: "alter_named_collection";
  readonly name: string;
  readonly set: readonly NamedCollectionEntry[];
  readonly remove: readonly string[];
}

export interface Rename {
  readonly type: "rename";
  readonly ifExists: boolean;
  readonly pairs: readonly { readonly from: QualifiedName; readonly to: QualifiedName }[];
}

export type ShowCreateTarget =
  "any" | "stream" | "view" | "table" | "dictionary" | "database" | "function" | "format_schema" | "task" | "named_collection";

export interface ShowCreate {
  readonly type: "show_create";
  readonly target: ShowCreateTarget;
  readonly name: QualifiedName;
}

export type ShowListTarget = "streams" | "functions" | "format_schemas" | "databases" | "dictionaries" | "tasks" | "views";

export interface ShowList {
  readonly type: "show_list";
  readonly target: ShowListTarget;
  readonly database?: string;
  /** `LIKE 'pattern'` or `WHERE name LIKE 'pattern'`. */
  readonly like?: string;
}

export interface Exists {
  readonly type: "exists";
  readonly name: QualifiedName;
}

/** A value expression of the small SELECT the server answers (system tables and constants). */
export type Expr =
  | { readonly kind: "column"; readonly name: string }
  | { readonly kind: "literal"; readonly value: string | number | boolean | null }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: "binary"; readonly operator: string; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "not"; readonly operand: Expr }
  | { readonly kind: "in"; readonly negated: boolean; readonly operand: Expr; readonly list: readonly Expr[] }
  | { readonly kind: "like"; readonly negated: boolean; readonly insensitive: boolean; readonly operand: Expr; readonly pattern: Expr };

export interface SelectItem {
  /** Undefined for `*`. */
  readonly expr?: Expr;
  /** The output column name: the alias, or the expression's text. */
  readonly label: string;
}

export interface Select {
  readonly type: "select";
  readonly items: readonly SelectItem[];
  readonly from?: QualifiedName;
  readonly where?: Expr;
  readonly orderBy: readonly { readonly expr: Expr; readonly descending: boolean }[];
  readonly limit?: number;
}

/** `SYSTEM PAUSE|RESUME|ABORT|RECOVER MATERIALIZED VIEW mv[, …] [PERMANENT] [SYNC|ASYNC]`. */
export interface SystemMaterializedView {
  readonly type: "system_mv";
  readonly action: "pause" | "resume" | "abort" | "recover";
  readonly names: readonly QualifiedName[];
  readonly permanent: boolean;
}

export type Statement =
  | SystemMaterializedView
  | CreateStream
  | CreateExternal
  | CreateView
  | CreateFunction
  | CreateFormatSchema
  | CreateDatabase
  | CreateDictionary
  | CreateTask
  | CreateNamedCollection
  | Drop
  | Alter
  | AlterNamedCollection
  | Rename
  | ShowCreate
  | ShowList
  | Exists
  | Select;

/** One request's statement with the clauses every statement may end with. */
export interface Parsed {
  readonly statement: Statement;
  /** `FORMAT JSON` etc., when the statement names one. */
  readonly format?: string;
  /** Trailing `SETTINGS` of a read (`SHOW CREATE … SETTINGS show_uuid=true`). */
  readonly settings: readonly Setting[];
}
