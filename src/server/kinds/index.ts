import type { KindModule } from "./kind.js";
import { materializedViewModule } from "./materialized-view.js";
import { streamModule } from "./stream.js";
import { viewModule } from "./view.js";

/**
 * Every kind the server serves. Adding a kind (sources, sinks, alerts, dashboards, UDFs, external
 * streams/tables, saved queries, schemas) is one module implementing KindModule and one entry here.
 */
export const KIND_MODULES: readonly KindModule[] = [streamModule, viewModule, materializedViewModule];
