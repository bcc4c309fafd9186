import { describe, expect, it } from "vitest";
import type { JsonObject, Kind } from "../../model/index.js";
import { tokenizeSql, type Token } from "../tokenize.js";
import { DdlRenderError, quoteString } from "./quote.js";
import { renderCreate, renderDrop } from "../../kinds/index.js";
import { renderAlter, renderRename } from "./render.js";
import { maskSecrets } from "./secrets.js";

const sqlOf = (kind: Kind, spec: JsonObject, options = {}): string[] =>
  renderCreate({ kind, name: String(spec["name"]), spec }, options).map((statement) => statement.sql);

describe("renderCreate", () => {
  it("writes a stream with every clause in the engine's order, COMMENT after SETTINGS", () => {
    const [sql] = sqlOf(
      "stream",
      {
        name: "orders",
        description: "all orders",
        columns: [
          { name: "id", type: "string", comment: "order id" },
          { name: "amount", type: "float64", default: "0", codec: "ZSTD(1)" },
          { name: "region", type: "low_cardinality(string)", ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY" },
        ],
        mode: "versioned_kv",
        primary_key: "(id, region)",
        ttl_expression: "to_datetime(_tp_time) + INTERVAL 7 DAY",
        logstore_retention_ms: 86400000,
        logstore_retention_bytes: 1073741824,
        shards: 3,
        replication_factor: 2,
        event_time_column: "to_datetime64(ts, 3)",
        partition_by_granularity: "M",
        order_by_granularity: "H",
        order_by_expression: "region",
      },
      { project: "shop", database: "default" },
    );
    expect(sql).toMatchInlineSnapshot(`
      "CREATE STREAM \`default\`.\`orders\`
      (
        \`id\` string COMMENT 'order id',
        \`amount\` float64 DEFAULT 0 CODEC(ZSTD(1)),
        \`region\` low_cardinality(string) TTL to_datetime(_tp_time) + INTERVAL 1 DAY
      )
      PARTITION BY to_YYYYMM(_tp_time)
      PRIMARY KEY (id, region)
      ORDER BY (to_start_of_hour(_tp_time), region)
      TTL to_datetime(_tp_time) + INTERVAL 7 DAY
      SETTINGS mode = 'versioned_kv', shards = 3, replication_factor = 2, event_time_column = 'to_datetime64(ts, 3)', logstore_retention_bytes = 1073741824, logstore_retention_ms = 86400000
      COMMENT 'all orders [tpctl:shop]'"
    `);
  });

  it("writes a mutable stream with indexes and families before PRIMARY KEY", () => {
    const [sql] = sqlOf("stream", {
      name: "products",
      engine: "MutableStream",
      columns: [
        { name: "id", type: "string" },
        { name: "name", type: "string" },
        { name: "price", type: "float32" },
      ],
      primary_key: "id",
      secondary_indexes: [{ name: "by_name", columns: ["name"], unique: true, storing: ["price"] }],
      column_families: [{ name: "cf1", columns: ["name", "price"] }],
      shards: 2,
    });
    expect(sql).toMatchInlineSnapshot(`
      "CREATE MUTABLE STREAM \`products\`
      (
        \`id\` string,
        \`name\` string,
        \`price\` float32,
        INDEX \`by_name\` (\`name\`) UNIQUE STORING (\`price\`),
        FAMILY \`cf1\` (\`name\`, \`price\`)
      )
      PRIMARY KEY id
      SETTINGS shards = 2"
    `);
  });

  it("declares _tp_time to carry an event time zone", () => {
    const [sql] = sqlOf("stream", { name: "s", columns: [{ name: "a", type: "int" }], event_time_timezone: "Europe/Paris" });
    expect(sql).toContain("`_tp_time` datetime64(3, 'Europe/Paris') DEFAULT now64(3, 'Europe/Paris') CODEC(DoubleDelta, LZ4)");
  });

  it("writes a materialized view: INTO, AS SELECT with its SETTINGS, then COMMENT", () => {
    const [sql] = sqlOf("materialized_view", {
      name: "mv",
      target_stream: "totals",
      query: "SELECT s, count() AS n FROM src GROUP BY s SETTINGS checkpoint_interval = 5",
      description: "totals per s",
    });
    expect(sql).toMatchInlineSnapshot(`
      "CREATE MATERIALIZED VIEW \`mv\`
      INTO \`totals\`
      AS
      SELECT s, count() AS n FROM src GROUP BY s SETTINGS checkpoint_interval = 5
      COMMENT 'totals per s'"
    `);
  });

  it("gives an inner-stream materialized view its retention and TTL by ALTERs after CREATE", () => {
    const statements = sqlOf("materialized_view", {
      name: "mv",
      query: "SELECT * FROM src",
      ttl_expression: "to_datetime(_tp_time) + INTERVAL 1 DAY",
      logstore_retention_ms: 3600000,
    });
    expect(statements).toEqual([
      "CREATE MATERIALIZED VIEW `mv`\nAS\nSELECT * FROM src",
      "ALTER STREAM `mv`\nMODIFY TTL to_datetime(_tp_time) + INTERVAL 1 DAY,\nMODIFY SETTING logstore_retention_ms = 3600000",
    ]);
  });

  it("refuses retention on a materialized view that writes into a target stream", () => {
    expect(() => sqlOf("materialized_view", { name: "mv", query: "SELECT 1", target_stream: "t", logstore_retention_ms: 1 })).toThrow(
      /belong to the target stream/,
    );
  });

  it("writes views, OR REPLACE for their in-place update", () => {
    expect(sqlOf("view", { name: "v", query: "SELECT * FROM s -- all\n", description: "d" }, { orReplace: true })).toEqual([
      "CREATE OR REPLACE VIEW `v` AS\nSELECT * FROM s -- all\nCOMMENT 'd'",
    ]);
  });

  it("writes external streams and tables with type first and typed settings bare", () => {
    const [stream] = sqlOf("external_stream", {
      name: "k",
      columns: [{ name: "raw", type: "string" }],
      settings: [
        { key: "brokers", value: "localhost:9092" },
        { key: "type", value: "kafka" },
        { key: "topic", value: "logs" },
        { key: "one_message_per_row", value: "true" },
      ],
      description: "raw logs",
    });
    expect(stream).toMatchInlineSnapshot(`
      "CREATE EXTERNAL STREAM \`k\`
      (
        \`raw\` string
      )
      SETTINGS type = 'kafka', brokers = 'localhost:9092', topic = 'logs', one_message_per_row = true
      COMMENT 'raw logs'"
    `);
    const [table] = sqlOf("external_table", {
      name: "ch",
      settings: [
        { key: "type", value: "clickhouse" },
        { key: "address", value: "localhost:9000" },
      ],
    });
    expect(table).toBe("CREATE EXTERNAL TABLE `ch`\nSETTINGS type = 'clickhouse', address = 'localhost:9000'");
  });

  it("writes JavaScript and remote functions, never database-qualified", () => {
    const [js] = sqlOf(
      "udf",
      {
        name: "add_five",
        type: "javascript",
        arguments: [{ name: "value", type: "float32" }],
        return_type: "float32",
        source: "function add_five(values) { return values.map((v) => v + 5); }",
        description: "adds */ five",
      },
      { project: "p", database: "default" },
    );
    expect(js).toMatchInlineSnapshot(`
      "CREATE FUNCTION \`add_five\`(\`value\` float32) RETURNS float32
      LANGUAGE JAVASCRIPT AS $$
      function add_five(values) { return values.map((v) => v + 5); }
      // tpctl description: "adds *\\/ five"
      // [tpctl:p]
      $$"
    `);
    const [remote] = sqlOf("udf", {
      name: "lookup",
      type: "remote",
      arguments: [{ name: "ip", type: "string" }],
      return_type: "string",
      url: "https://example.com/lookup",
      auth_method: "auth_header",
      auth_context: { key_name: "x-key", key_value: "s3cret" },
    });
    expect(remote).toMatchInlineSnapshot(`
      "CREATE REMOTE FUNCTION \`lookup\`(\`ip\` string) RETURNS string
      URL 'https://example.com/lookup'
      AUTH_METHOD 'auth_header'
      AUTH_HEADER 'x-key'
      AUTH_KEY 's3cret'"
    `);
  });

  it("gives a remote function without authentication AUTH_METHOD 'none', which the grammar requires", () => {
    const [remote] = sqlOf("udf", { name: "f", type: "remote", arguments: [], return_type: "string", url: "http://example.com/fn" });
    expect(remote).toBe("CREATE REMOTE FUNCTION `f`() RETURNS string\nURL 'http://example.com/fn'\nAUTH_METHOD 'none'");
  });

  it("writes a JavaScript body that contains $$ as an escaped string literal", () => {
    const source = "function f(x) { return x.map(() => '$$'); }";
    const [sql] = sqlOf("udf", { name: "f", type: "javascript", arguments: [], return_type: "string", source });
    const strings = meaningful(sql as string).filter((token) => token.type === "string");
    expect(strings).toHaveLength(1);
    expect(strings[0]?.value).toBe(`\n${source}\n`);
  });

  it("writes a format schema with the ownership marker in the content", () => {
    expect(sqlOf("schema", { name: "s", type: "Protobuf", content: 'syntax = "proto3";' }, { project: "p", orReplace: true })).toEqual([
      "CREATE OR REPLACE FORMAT SCHEMA `s` AS 'syntax = \"proto3\";\\n// [tpctl:p]\\n' TYPE Protobuf",
    ]);
  });

  it("refuses appserver-only kinds", () => {
    expect(() => sqlOf("sink", { name: "x" })).toThrow(/exists only in the Timeplus appserver/);
  });
});

describe("renderDrop, renderAlter, renderRename", () => {
  it("drops each kind with the statement the grammar has for it", () => {
    expect(
      (["stream", "external_stream", "view", "materialized_view", "external_table", "udf", "schema"] as const).map(
        (kind) => renderDrop(kind, "x", { database: "db" }).sql,
      ),
    ).toEqual([
      "DROP STREAM IF EXISTS `db`.`x`",
      "DROP STREAM IF EXISTS `db`.`x`",
      "DROP VIEW IF EXISTS `db`.`x`",
      "DROP VIEW IF EXISTS `db`.`x`",
      "DROP EXTERNAL TABLE IF EXISTS `db`.`x`",
      "DROP FUNCTION IF EXISTS `x`",
      "DROP FORMAT SCHEMA IF EXISTS `x`",
    ]);
  });

  it("alters streams with several commands and views with MODIFY QUERY", () => {
    expect(
      renderAlter("stream", "s", [
        { op: "add_column", column: { name: "c", type: "int32", default: "1" } },
        { op: "rename_column", from: "a", to: "b" },
        { op: "drop_column", column: "d" },
        { op: "modify_column", column: { name: "e", type: "int64" } },
        { op: "modify_ttl", ttl: "to_datetime(_tp_time) + INTERVAL 2 DAY" },
        { op: "modify_settings", settings: { logstore_retention_ms: 1000 } },
        { op: "modify_comment", comment: "it's [tpctl:p]" },
      ]).sql,
    ).toMatchInlineSnapshot(`
      "ALTER STREAM \`s\`
      ADD COLUMN \`c\` int32 DEFAULT 1,
      RENAME COLUMN \`a\` TO \`b\`,
      DROP COLUMN \`d\`,
      MODIFY COLUMN \`e\` int64,
      MODIFY TTL to_datetime(_tp_time) + INTERVAL 2 DAY,
      MODIFY SETTING logstore_retention_ms = 1000,
      MODIFY COMMENT 'it\\'s [tpctl:p]'"
    `);
    expect(renderAlter("stream", "s", [{ op: "remove_ttl" }]).sql).toBe("ALTER STREAM `s`\nREMOVE TTL");
    expect(renderAlter("materialized_view", "mv", [{ op: "modify_query", query: "SELECT 2 -- two" }]).sql).toBe(
      "ALTER VIEW `mv`\nMODIFY QUERY\nSELECT 2 -- two\n",
    );
    expect(
      renderAlter("materialized_view", "mv", [{ op: "modify_query_settings", settings: { checkpoint_interval: -1, enable_dlq: true } }])
        .sql,
    ).toBe("ALTER VIEW `mv`\nMODIFY QUERY SETTING checkpoint_interval = -1, enable_dlq = true");
    expect(renderAlter("view", "v", [{ op: "modify_comment", comment: "c" }]).sql).toBe("ALTER VIEW `v`\nMODIFY COMMENT 'c'");
    expect(() => renderAlter("view", "v", [{ op: "modify_query", query: "SELECT 1" }])).toThrow(/only a materialized view/);
    expect(() => renderAlter("view", "v", [{ op: "modify_ttl", ttl: "x" }])).toThrow(/no storage/);
    expect(() => renderAlter("udf", "f", [{ op: "modify_comment", comment: "c" }])).toThrow(/has no ALTER/);
    expect(() => renderAlter("stream", "s", [])).toThrow(/at least one change/);
  });

  it("renders the in-place changes of the SQL driver: full new columns, secondary indexes, a query that stays one statement", () => {
    expect(
      renderAlter("stream", "s", [
        { op: "add_column", column: { name: "gas", type: "float32", default: "100", comment: "it's %", codec: "ZSTD(1)" } },
        { op: "add_column", column: { name: "odd name", type: "string" } },
      ]).sql,
    ).toBe("ALTER STREAM `s`\nADD COLUMN `gas` float32 DEFAULT 100 COMMENT 'it\\'s %' CODEC(ZSTD(1)),\nADD COLUMN `odd name` string");
    expect(
      renderAlter("stream", "m", [{ op: "add_index", index: { name: "i", columns: ["a", "b"], unique: true, storing: ["c"] } }]).sql,
    ).toBe("ALTER STREAM `m`\nADD INDEX `i` (`a`, `b`) UNIQUE STORING (`c`)");
    expect(renderAlter("stream", "m", [{ op: "drop_index", name: "i" }]).sql).toBe("ALTER STREAM `m`\nDROP INDEX `i`");
    expect(() => renderAlter("materialized_view", "mv", [{ op: "modify_query", query: "SELECT 1; DROP STREAM s" }])).toThrow(
      DdlRenderError,
    );
    expect(() => renderAlter("stream", "s", [{ op: "add_column", column: { name: "x", type: "int32) ; DROP STREAM s --" } }])).toThrow(
      DdlRenderError,
    );
  });

  it("renames streams only", () => {
    expect(renderRename("stream", "a", "b", { database: "default" }).sql).toBe("RENAME STREAM `default`.`a` TO `default`.`b`");
    expect(() => renderRename("view", "a", "b")).toThrow(DdlRenderError);
  });
});

/** Every string a manifest or environment variable may carry, at its most hostile. */
const HOSTILE = 'it\'s \\ a "value"\n-- not a comment; DROP STREAM x; /* nor */ // this $$ $tag$ `tick` \r\t\0 end\\';

function meaningful(sql: string): Token[] {
  return tokenizeSql(sql).filter((token) => token.type !== "whitespace" && token.type !== "comment");
}

function expectOneStatement(sql: string): void {
  const tokens = meaningful(sql);
  expect(tokens.filter((token) => token.text === ";")).toEqual([]);
  expect(tokenizeSql(sql).filter((token) => token.type === "comment")).toEqual([]);
}

describe("no manifest value can end a literal or start a statement", () => {
  it("keeps every string field a literal that decodes to the declared value", () => {
    const cases: [Kind, JsonObject, string[]][] = [
      [
        "stream",
        {
          name: "s",
          description: HOSTILE,
          columns: [{ name: HOSTILE.replace(/[\r\n\0]/g, ""), type: "string", comment: HOSTILE }],
          event_time_column: HOSTILE,
          event_time_timezone: HOSTILE,
        },
        [HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE],
      ],
      ["view", { name: "v", query: "SELECT 1", description: HOSTILE }, [HOSTILE]],
      ["materialized_view", { name: "m", query: "SELECT 1", description: HOSTILE }, [HOSTILE]],
      [
        "external_stream",
        {
          name: "e",
          settings: [
            { key: "type", value: "kafka" },
            { key: "password", value: HOSTILE },
          ],
          description: HOSTILE,
        },
        ["kafka", HOSTILE, HOSTILE],
      ],
      [
        "external_table",
        {
          name: "t",
          settings: [
            { key: "type", value: "mysql" },
            { key: "address", value: HOSTILE },
          ],
          description: HOSTILE,
        },
        ["mysql", HOSTILE, HOSTILE],
      ],
      [
        "udf",
        {
          name: "r",
          type: "remote",
          arguments: [],
          return_type: "string",
          url: HOSTILE,
          auth_context: { key_name: HOSTILE, key_value: HOSTILE },
        },
        [HOSTILE, "auth_header", HOSTILE, HOSTILE],
      ],
      ["udf", { name: "j", type: "javascript", arguments: [], return_type: "string", source: HOSTILE }, [`\n${HOSTILE.trimEnd()}\n`]],
      ["schema", { name: "p", type: "Protobuf", content: HOSTILE }, [HOSTILE]],
    ];
    for (const [kind, spec, literals] of cases) {
      const [sql] = sqlOf(kind, spec);
      expectOneStatement(sql as string);
      const strings = meaningful(sql as string)
        .filter((token) => token.type === "string")
        .map((token) => token.value);
      // A stream: the column comment, the zone twice in _tp_time, event_time_column, COMMENT.
      expect(strings, `${kind} ${String(spec["name"])}`).toEqual(literals);
      if (kind === "stream") {
        const column = meaningful(sql as string).find(
          (token) => token.type === "quoted_identifier" && token.value !== "s" && token.value !== "_tp_time",
        );
        expect(column?.value).toBe(HOSTILE.replace(/[\r\n\0]/g, ""));
      }
    }
  });

  it("refuses a query, expression or type that would end the statement or open a comment", () => {
    const bad: [Kind, JsonObject][] = [
      ["view", { name: "v", query: "SELECT 1; DROP STREAM s" }],
      ["view", { name: "v", query: "SELECT 1) AS x" }],
      ["view", { name: "v", query: "SELECT 'unterminated" }],
      ["stream", { name: "s", columns: [{ name: "a", type: "int); DROP STREAM x; --" }] }],
      ["stream", { name: "s", columns: [{ name: "a", type: "int", default: "1 -- x" }] }],
      ["stream", { name: "s", columns: [{ name: "a", type: "int", default: "1 /* x */" }] }],
      ["stream", { name: "s", columns: [{ name: "a", type: "int" }], ttl_expression: "x;" + " DROP" }],
      ["stream", { name: "s", columns: [{ name: "a", type: "int" }], primary_key: "a)" }],
      ["external_stream", { name: "e", settings: [{ key: "type = 'kafka'; --", value: "x" }] }],
      [
        "udf",
        {
          name: "f",
          type: "javascript",
          arguments: [{ name: "a", type: "int) RETURNS int LANGUAGE JAVASCRIPT AS $$ $$; --" }],
          return_type: "int",
          source: "x",
        },
      ],
      // The engine reads `//` as a line comment and nests block comments (proton Lexer.cpp): what
      // looks like a literal holding `;` to tpctl's tokenizer would end the statement there.
      ["view", { name: "v", query: "SELECT 1 // '\n; DROP STREAM s; --'" }],
      ["view", { name: "v", query: "SELECT 1 /* /* */ '*/ ; DROP STREAM s; --'" }],
      ["stream", { name: "s", columns: [{ name: "a", type: "int", default: "1 // '\n, b int'" }] }],
      ["materialized_view", { name: "m", query: "SELECT 1 //'\n; DROP STREAM s" }],
      ["view", { name: "v", query: "SELECT $'$ ; $'$" }],
    ];
    for (const [kind, spec] of bad) {
      expect(() => sqlOf(kind, spec), JSON.stringify(spec)).toThrow(DdlRenderError);
    }
  });

  it("allows a trailing ; on a query, and the clauses after it survive a trailing -- comment", () => {
    const [sql] = sqlOf("view", { name: "v", query: "SELECT 1 -- one\n;\n", description: "d" });
    expect(sql).toBe("CREATE VIEW `v` AS\nSELECT 1 -- one\nCOMMENT 'd'");
    const tokens = meaningful(sql as string);
    expect(tokens.at(-1)?.value).toBe("d");
  });

  it("never quotes the offending value in an error", () => {
    const secret = "hunter2; DROP";
    try {
      sqlOf("view", { name: "v", query: `SELECT '${"x"}' ; ${secret}` });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
    }
  });
});

describe("secrets", () => {
  it("reach the statement, and the masked form hides them", () => {
    const [statement] = renderCreate({
      kind: "external_stream",
      name: "k",
      spec: {
        name: "k",
        settings: [
          { key: "type", value: "kafka" },
          { key: "password", value: "pa'ss\\word" },
          { key: "sasl_mechanism", value: "PLAIN" },
        ],
      },
      secretPaths: ["/settings/1/value"],
    });
    expect(statement?.sql).toContain("password = 'pa\\'ss\\\\word'");
    // sasl_* settings count as credentials by their name, as the planner counts them.
    expect(statement?.masked).toBe("CREATE EXTERNAL STREAM `k`\nSETTINGS type = 'kafka', password = '***', sasl_mechanism = '***'");
  });

  it("masks secrets in an engine error that echoes the statement in its own layout", () => {
    const error =
      "Code: 36. DB::Exception: bad setting in CREATE EXTERNAL STREAM default.k SETTINGS password = 'pa\\'ss\\\\word' (BAD_ARGUMENTS)";
    expect(maskSecrets(error, ["pa'ss\\word"])).toBe(
      "Code: 36. DB::Exception: bad setting in CREATE EXTERNAL STREAM default.k SETTINGS password = '***' (BAD_ARGUMENTS)",
    );
    expect(maskSecrets("token abc123 leaked", ["abc123"])).toBe("token *** leaked");
  });

  it("masks credential settings and a remote key even when the manifest did not mark them secret", () => {
    const [statement] = renderCreate({
      kind: "external_table",
      name: "t",
      spec: {
        name: "t",
        settings: [
          { key: "type", value: "mysql" },
          { key: "password", value: "plain-pw" },
          { key: "user", value: "me" },
        ],
      },
    });
    expect(statement?.masked).toBe("CREATE EXTERNAL TABLE `t`\nSETTINGS type = 'mysql', password = '***', user = 'me'");
  });

  it("masks a remote function's key", () => {
    const [statement] = renderCreate({
      kind: "udf",
      name: "f",
      spec: { name: "f", type: "remote", return_type: "string", url: "https://x", auth_context: { key_name: "h", key_value: "k3y" } },
      secretPaths: ["/auth_context/key_value"],
    });
    expect(statement?.masked).toContain("AUTH_KEY '***'");
    expect(statement?.masked).not.toContain("k3y");
  });
});

describe("quoteString", () => {
  it("writes a value with nothing to escape as it is, and escapes the rest as before", () => {
    expect(quoteString("live telemetry from every car [tpctl:fleet]")).toBe("'live telemetry from every car [tpctl:fleet]'");
    expect(quoteString("")).toBe("''");
    expect(quoteString("it's a \\ path\nnext\ttab\r\0 \x01\x7f é")).toBe("'it\\'s a \\\\ path\\nnext\\ttab\\r\\0 \\x01\\x7f é'");
  });
});
