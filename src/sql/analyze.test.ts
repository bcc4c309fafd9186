import { describe, expect, it } from "vitest";
import { analyzeSql, type RelationInfo } from "./analyze.js";

const RELATIONS: Record<string, RelationInfo> = {
  cars: {
    columns: [
      { name: "cid", type: "string" },
      { name: "speed", type: "float32" },
      { name: "_tp_time", type: "datetime64(3, 'UTC')" },
    ],
    isView: false,
  },
  fast: { columns: [{ name: "cid", type: "string" }], isView: true },
};
const describe_ = (name: string) => RELATIONS[name];

describe("analyzeSql", () => {
  it("lists the columns read, aggregation, grouping, and that a plain read streams", () => {
    const analysis = analyzeSql("SELECT cid, max(speed) FROM cars GROUP BY cid EMIT PERIODIC 1s", describe_, "default");
    expect(analysis).toMatchObject({
      group_by_columns: ["cid"],
      has_aggr: true,
      has_table_join: false,
      has_union: false,
      has_subquery: false,
      is_streaming: true,
      relations: ["cars"],
      required_columns: [
        { column: "cid", column_type: "string", database: "default", is_view: false, table: "cars" },
        { column: "speed", column_type: "float32", database: "default", is_view: false, table: "cars" },
      ],
    });
  });

  it("sees joins, unions, subqueries and historical reads", () => {
    const analysis = analyzeSql(
      "SELECT * FROM table(cars) JOIN table(fast) USING (cid) UNION ALL SELECT * FROM (SELECT * FROM table(cars))",
      describe_,
      "default",
    );
    expect(analysis).toMatchObject({ has_table_join: true, has_union: true, has_subquery: true, is_streaming: false, has_aggr: false });
    expect(analysis.required_columns.filter((column) => column.table === "fast")).toEqual([
      { column: "cid", column_type: "string", database: "default", is_view: true, table: "fast" },
    ]);
  });
});
