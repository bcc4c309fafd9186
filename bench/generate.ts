/**
 * Workspaces of realistic shape for the benchmark, as manifest files. One "pipeline" of 20
 * resources: two source streams; a chain of 8 views over the first (each filtering the previous);
 * two views fanning out of the chain's middle; a JOIN view fanning in the chain's end and the
 * second stream; a materialized view without a target over the chain's end; a target stream and
 * a materialized view writing into it from the JOIN; a sink over that MV; an alert over the target
 * stream; a dashboard reading the target stream and a fan-out view. The longest dependency path is
 * 12 resources (stream, 8 views, JOIN, MV, sink). Sizes are rounded up to whole pipelines.
 */
export interface Workspace {
  /** Relative path to YAML text. */
  readonly files: Record<string, string>;
  readonly resources: number;
  /** The most resources on one dependency path, which no amount of concurrency shortens. */
  readonly longestPath: number;
  /** Files changed by `changeOnePercent`, with their new text. */
  changeOnePercent(): { files: Record<string, string>; changed: number };
}

export const PIPELINE_SIZE = 20;
const CHAIN = 8;

function pipeline(p: number, variant: (name: string) => string): string {
  const id = `p${p}`;
  const docs: string[] = [];
  const stream = (name: string, description: string) =>
    `kind: stream\nname: ${name}\ndescription: ${description}\ncolumns:\n  - { name: cid, type: string }\n  - { name: speed, type: float64 }\n  - { name: gas, type: float64 }\n`;
  docs.push(stream(`${id}_telemetry`, "raw telemetry"));
  docs.push(stream(`${id}_cars`, "car registry"));
  for (let level = 1; level <= CHAIN; level += 1) {
    const from = level === 1 ? `${id}_telemetry` : `${id}_v${level - 1}`;
    const name = `${id}_v${level}`;
    docs.push(
      `kind: view\nname: ${name}\ndescription: ${variant(name)}\nquery: SELECT cid, speed, gas FROM ${from} WHERE speed > ${level}\n`,
    );
  }
  for (const branch of ["a", "b"]) {
    const name = `${id}_fan_${branch}`;
    docs.push(
      `kind: view\nname: ${name}\ndescription: ${variant(name)}\nquery: SELECT cid, max(speed) AS top FROM ${id}_v4 GROUP BY cid\n`,
    );
  }
  docs.push(
    `kind: view\nname: ${id}_joined\ndescription: ${variant(`${id}_joined`)}\nquery: SELECT t.cid, t.speed, c.gas FROM ${id}_v${CHAIN} AS t JOIN ${id}_cars AS c ON t.cid = c.cid\n`,
  );
  docs.push(
    `kind: materialized_view\nname: ${id}_mv_fast\ndescription: fast cars\nquery: SELECT cid, speed FROM ${id}_v${CHAIN} WHERE speed > 100\n`,
  );
  docs.push(
    `kind: stream\nname: ${id}_per_car\ndescription: per-car speed\ncolumns:\n  - { name: cid, type: string }\n  - { name: speed, type: float64 }\n`,
  );
  docs.push(
    `kind: materialized_view\nname: ${id}_mv_per_car\ndescription: per-car speed\ntarget_stream: ${id}_per_car\nquery: SELECT cid, speed FROM ${id}_joined\n`,
  );
  docs.push(
    `kind: sink\nname: ${id}_hook\ndescription: speeding cars\ntype: http\nquery: SELECT cid, speed FROM ${id}_mv_per_car\nproperties:\n  url: https://ops.example.com/hooks/${id}\n  content_type: application/json\n`,
  );
  docs.push(
    `kind: alert\nname: ${id}_gas\ndescription: nearly out of gas\nseverity: 2\naction: http\ntrigger_sql: SELECT cid FROM ${id}_per_car WHERE speed < 1\nresolve_sql: SELECT cid FROM ${id}_per_car WHERE speed > 5\nproperties:\n  url: https://ops.example.com/hooks/gas-${id}\n`,
  );
  docs.push(
    `kind: dashboard\nname: ${id}_overview\ndescription: per-car overview\npanels:\n  - id: speed\n    title: Speed\n    viz_type: chart\n    viz_content: SELECT cid, avg(speed) FROM ${id}_per_car GROUP BY cid\n    position: { x: 0, y: 0, w: 6, h: 4 }\n  - id: top\n    title: Top\n    viz_type: chart\n    viz_content: SELECT * FROM ${id}_fan_a\n    position: { x: 6, y: 0, w: 6, h: 4 }\n`,
  );
  return docs.join("---\n");
}

/** Pipelines per file, so that a workspace is spread over files as a real one is. */
const PER_FILE = 10;

export function generateWorkspace(size: number): Workspace {
  const pipelines = Math.max(1, Math.ceil(size / PIPELINE_SIZE));
  const render = (file: number, variant: (name: string) => string): string => {
    const parts: string[] = [];
    for (let p = file * PER_FILE; p < Math.min(pipelines, (file + 1) * PER_FILE); p += 1) parts.push(pipeline(p, variant));
    return parts.join("---\n");
  };
  const fileCount = Math.ceil(pipelines / PER_FILE);
  const files: Record<string, string> = { "tpctl.yaml": "project: bench\n" };
  const original = (name: string): string => `stage of ${name.split("_")[0]}`;
  for (let file = 0; file < fileCount; file += 1) files[`pipelines/${String(file).padStart(4, "0")}.yaml`] = render(file, original);
  return {
    files,
    resources: pipelines * PIPELINE_SIZE,
    longestPath: CHAIN + 4,
    changeOnePercent() {
      // One view in a hundred gets a new description: an in-place update.
      const changed = new Set<string>();
      const target = Math.max(1, Math.round((pipelines * PIPELINE_SIZE) / 100));
      for (let p = 0; changed.size < target && p < pipelines; p += 1) {
        for (let level = 1; level <= CHAIN && changed.size < target; level += 3) changed.add(`p${p}_v${level}`);
      }
      const variant = (name: string): string => (changed.has(name) ? `changed stage of ${name.split("_")[0]}` : original(name));
      const touched: Record<string, string> = {};
      for (let file = 0; file < fileCount; file += 1) {
        const text = render(file, variant);
        const path = `pipelines/${String(file).padStart(4, "0")}.yaml`;
        if (text !== files[path]) touched[path] = text;
      }
      return { files: touched, changed: changed.size };
    },
  };
}
