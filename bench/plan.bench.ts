import { bench, describe } from "vitest";
import { DesiredResource, LiveResource } from "../src/model/index.js";
import { assemblePlan } from "../src/plan/plan.js";
import { canonicalizeSql, extractReferences } from "../src/sql/index.js";

/**
 * How the pure core scales with the size of a workspace: a 2,000-resource pipeline (streams, each
 * read by a view, with a materialized view over every ten streams), planned against an empty
 * workspace and against a live copy of itself with 10% of the views changed.
 */
const STREAMS = 1000;
const columns = [
  { name: "id", type: "string" },
  { name: "value", type: "float64" },
];
const desired: DesiredResource[] = [];
const live: LiveResource[] = [];
for (let index = 0; index < STREAMS; index += 1) {
  const stream = `s${index}`;
  desired.push(DesiredResource.create({ kind: "stream", name: stream, spec: { name: stream, columns } }));
  live.push(LiveResource.create({ kind: "stream", name: stream, spec: { name: stream, columns, mode: "append" }, owner: "bench" }));
  const view = `v${index}`;
  const query = `SELECT id, avg(value) FROM tumble(${stream}, 5s) -- window\nWHERE value > ${index} GROUP BY window_start, id`;
  desired.push(
    DesiredResource.create({ kind: "view", name: view, spec: { name: view, query: index % 10 === 0 ? `${query} LIMIT 5` : query } }),
  );
  live.push(
    LiveResource.create({
      kind: "view",
      name: view,
      spec: {
        name: view,
        query: query
          .toUpperCase()
          .replace("ID,", "id,")
          .replace(/ S(\d)/g, " s$1"),
      },
      owner: "bench",
      dependsOn: [`stream/${stream}`],
    }),
  );
}

const longSql = Array.from(
  { length: 50 },
  (_, i) => `SELECT a${i}, count() FROM tumble(table(s${i}), 1m) JOIN t${i} ON x = y WHERE z > '${i}'`,
).join(" UNION ALL ");

describe("planner", () => {
  bench("assemblePlan, 2,000 resources, empty workspace", () => {
    assemblePlan(desired, [], { project: "bench" });
  });
  bench("assemblePlan, 2,000 resources against live", () => {
    assemblePlan(desired, live, { project: "bench" });
  });
});

describe("sql", () => {
  bench("canonicalizeSql, 50-way UNION", () => {
    canonicalizeSql(longSql);
  });
  bench("extractReferences, 50-way UNION", () => {
    extractReferences(longSql);
  });
});
