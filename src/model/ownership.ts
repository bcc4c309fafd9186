/**
 * Which tpctl project created a live resource is recorded in the resource itself, the way
 * Kubernetes tools use a managed-by label: a marker at the end of its `description`. It is
 * written in the same API call that creates the resource, so no crash can leave a resource
 * created but unrecorded, and a fresh checkout in CI reads it back with the list calls it makes
 * anyway. The marker is folded away before any comparison, so users never see it as a difference.
 */
const MARKER = /(?:^|\s)\[tpctl:([A-Za-z0-9_.-]{1,64})\]$/;

export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function withOwnershipMarker(description: string, project: string): string {
  const marker = `[tpctl:${project}]`;
  return description === "" ? marker : `${description} ${marker}`;
}

/** Splits a live description into what the user wrote and the owning project, if any. */
export function readOwnershipMarker(description: string): { readonly description: string; readonly owner?: string } {
  const match = MARKER.exec(description);
  if (!match || match[1] === undefined) return { description };
  return { description: description.slice(0, match.index).trimEnd(), owner: match[1] };
}
