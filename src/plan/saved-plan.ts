import type { Address, DesiredResource, JsonValue, LiveResource, Plan } from "../model/index.js";
import { isJsonObject } from "../model/index.js";
import { withKnownSecrets } from "./plan.js";
import { fingerprintSecrets, withoutSecrets } from "../model/secrets.js";

/** Marks a file as a tpctl saved plan; bump the number when the layout changes incompatibly. */
export const SAVED_PLAN_FORMAT = "tpctl-saved-plan/1";

/**
 * What `plan --out` writes. It holds no secret value and no credential: enough to recompute the
 * same plan later (the manifests are read again, secrets from the environment again) and to prove
 * that nothing it was computed from has changed since.
 */
export interface SavedPlan {
  readonly format: typeof SAVED_PLAN_FORMAT;
  readonly project: string;
  readonly env?: string;
  /**
   * The manifest paths, absolute (the folder plan ran in when none was given), so that applying
   * from another folder reads the same files.
   */
  readonly paths: readonly string[];
  /**
   * The same paths relative to the folder of the plan file, for a checkout that moved (a CI
   * artifact applied in another job); used when they all exist there.
   */
  readonly pathsFromPlan?: readonly string[];
  readonly targets: readonly string[];
  /** `--exclude` and `--replace` as given; absent in plans saved before they existed. */
  readonly excludes?: readonly string[];
  readonly replaces?: readonly string[];
  /** Per address, a digest of what the plan read: the manifests and the live workspace. */
  readonly fingerprints: { readonly manifests: Readonly<Record<string, string>>; readonly live: Readonly<Record<string, string>> };
  /** The approved changes, for a person reading the file and as a final cross-check. */
  readonly changes: readonly { readonly action: string; readonly address: Address }[];
}

/** Stable text for each resource, secrets replaced by their fingerprint. Hashing it is the caller's job. */
export function fingerprintTexts(
  desired: readonly DesiredResource[],
  live: readonly LiveResource[],
): { manifests: Record<string, string>; live: Record<string, string> } {
  const manifests: Record<string, string> = {};
  for (const declared of desired) {
    const resource = withKnownSecrets(declared);
    let spec: JsonValue = resource.spec;
    for (const field of Object.keys(resource.spec)) {
      spec = {
        ...(spec as Record<string, JsonValue>),
        [field]: withoutSecrets(resource.spec[field] as JsonValue, field, resource.secretPaths),
      };
    }
    manifests[resource.address] = stableJson({
      spec,
      dependsOn: [...resource.dependsOn].sort(),
      lifecycle: resource.lifecycle,
      secrets: fingerprintSecrets(resource.kind, resource.spec, resource.secretPaths) ?? null,
    });
  }
  const current: Record<string, string> = {};
  for (const resource of live) {
    current[resource.address] = stableJson({
      spec: resource.spec,
      id: resource.id ?? null,
      owner: resource.owner ?? null,
      status: resource.status ?? null,
      secrets: resource.secretsFingerprint ?? null,
      dependsOn: [...resource.dependsOn].sort(),
    });
  }
  return { manifests, live: current };
}

export function savePlan(plan: Plan, input: Omit<SavedPlan, "format" | "changes">): SavedPlan {
  return {
    format: SAVED_PLAN_FORMAT,
    ...input,
    changes: plan.changes.map((change) => ({ action: change.action, address: change.address })),
  };
}

/** Why a saved plan no longer fits: one sentence per difference, empty when it still fits. */
export function describeStaleness(saved: SavedPlan["fingerprints"], current: SavedPlan["fingerprints"]): string[] {
  const reasons: string[] = [];
  compare(saved.manifests, current.manifests, "in the manifests", reasons);
  compare(saved.live, current.live, "in the live workspace", reasons);
  return reasons;
}

function compare(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
  where: string,
  reasons: string[],
): void {
  for (const address of Object.keys(before).sort()) {
    if (!(address in after)) reasons.push(`${address} is gone ${where}`);
    else if (after[address] !== before[address]) reasons.push(`${address} changed ${where}`);
  }
  for (const address of Object.keys(after).sort()) {
    if (!(address in before)) reasons.push(`${address} appeared ${where}`);
  }
}

/** Reads a saved plan from parsed JSON, or says what is wrong with it; every field is checked, so nothing later meets a hole. */
export function parseSavedPlan(value: unknown): SavedPlan | string {
  if (!isJsonObject(value) || value["format"] !== SAVED_PLAN_FORMAT) {
    return `it is not a tpctl saved plan (expected "format": "${SAVED_PLAN_FORMAT}")`;
  }
  const fingerprints = value["fingerprints"];
  const digests = (record: JsonValue | undefined): boolean =>
    isJsonObject(record) && Object.values(record).every((item) => typeof item === "string");
  if (!isJsonObject(fingerprints) || !digests(fingerprints["manifests"]) || !digests(fingerprints["live"])) {
    return "its fingerprints are missing or damaged";
  }
  const strings = (list: JsonValue | undefined): list is string[] => Array.isArray(list) && list.every((item) => typeof item === "string");
  if (typeof value["project"] !== "string") return 'its "project" is missing';
  if (!strings(value["paths"])) return 'its "paths" are missing or damaged';
  if (value["pathsFromPlan"] !== undefined && !strings(value["pathsFromPlan"])) return 'its "pathsFromPlan" are damaged';
  if (!strings(value["targets"])) return 'its "targets" are missing or damaged';
  if (value["env"] !== undefined && typeof value["env"] !== "string") return 'its "env" is damaged';
  const changes = value["changes"];
  if (
    !Array.isArray(changes) ||
    !changes.every((change) => isJsonObject(change) && typeof change["action"] === "string" && typeof change["address"] === "string")
  ) {
    return 'its "changes" are missing or damaged';
  }
  return value as unknown as SavedPlan;
}

export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => [key, sortKeys(item)]),
    );
  }
  return value;
}
