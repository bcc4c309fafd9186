import { alertModule } from "./alert.js";
import { dashboardModule } from "./dashboard.js";
import { externalStreamModule } from "./external-stream.js";
import { externalTableModule } from "./external-table.js";
import type { KindModule } from "./kind.js";
import { materializedViewModule } from "./materialized-view.js";
import { savedQueryModule } from "./saved-query.js";
import { schemaModule } from "./schema.js";
import { sinkModule } from "./sink.js";
import { sourceModule } from "./source.js";
import { streamModule } from "./stream.js";
import { udfModule } from "./udf.js";
import { viewModule } from "./view.js";

/**
 * Every kind the server serves. Adding a kind is one module implementing KindModule and one entry
 * here; routing, persistence, the shared SQL namespace, drop protection (630) and topology come
 * from the framework.
 */
export const KIND_MODULES: readonly KindModule[] = [
  streamModule,
  viewModule,
  materializedViewModule,
  externalStreamModule,
  externalTableModule,
  sourceModule,
  sinkModule,
  alertModule,
  dashboardModule,
  udfModule,
  savedQueryModule,
  schemaModule,
];
