import { isJsonArray, isJsonObject } from "../model/index.js";
import type { KindModule } from "./kind.js";
import { textsOf } from "./kind.js";
import { description } from "./rules.js";

export const dashboard: KindModule = {
  kind: "dashboard",
  label: "dashboard",
  identity: "id",
  naming: "free",
  relation: false,
  home: "appserver",
  destructiveToLose: false,
  readsLoosely: true,
  fields: { description, panels: { compare: "sparse", updatable: true, default: [] } },
  // A chart panel's `viz_content` is its query; other panels (markdown, …) hold text.
  references: (spec) => {
    const panels = spec["panels"];
    const sql: string[] = [];
    if (Array.isArray(panels)) {
      for (const panel of panels) {
        if (isJsonObject(panel) && (panel["viz_type"] ?? "chart") === "chart") sql.push(...textsOf(panel, "viz_content"));
      }
    }
    return { sql, relations: [], schemas: [] };
  },
  sqlAt: (spec) => {
    const panels = isJsonArray(spec["panels"]) ? spec["panels"] : [];
    return panels.flatMap((panel, index) =>
      isJsonObject(panel) && (panel["viz_type"] ?? "chart") === "chart" ? [["panels", index, "viz_content"]] : [],
    );
  },
  rest: { collection: "dashboards", update: "put-whole" },
  export: { folder: "dashboards" },
};
