/** The lineage graph of the workspace (docs/timeplus-api.md §5). */
export const TOPOLOGY_PATH = "/topology";
