import { DependencyCycleError } from "../errors.js";
import type {
  Address,
  Change,
  DesiredResource,
  FieldChange,
  InPlace,
  LiveResource,
  Plan,
  Refusal,
  Step,
  StepPhase,
} from "../model/index.js";
import { addressOf, DesiredResource as DesiredResourceFactory, KINDS, PLAN_FORMAT_VERSION, stepId } from "../model/index.js";
import { createNameResolver, dependenciesOf } from "../kinds/dependencies.js";
import { renameVerdict } from "../sql/ddl/in-place.js";
import { knownAcyclic } from "./dependency-graph.js";
import { diffResource } from "./diff.js";
import { topologicalOrder } from "./graph.js";
import { KIND_MODULES, ID_KINDS, knownSecretPaths, RELATION_KINDS } from "../kinds/index.js";
import { DESTROY_DECLARED_REASON, destroyWarnings, protectedFromDestroy } from "./destroy.js";
import { cycleRefusal, emptyManifests, refusal } from "./refusals.js";
import { unmatchedSelectors } from "./selection.js";

/**
 * What the plan is for; each mode is one set of rules, so that no caller edits the inputs to
 * switch rules off.
 * - `apply` (the default): make the workspace what the manifests declare.
 * - `destroy`: delete what the manifests declare and what the project created, dependents
 *   first; `prevent_destroy` on anything in scope refuses the whole destroy.
 * - `drift`: the plan behind a read-only report. It deletes nothing (an undeclared resource is
 *   listed as unmanaged, and the report tells our orphans from the rest), follows no live
 *   dependency edges (a replace that only cascades is not drift), and refuses nothing on safety
 *   grounds (`prevent_destroy`, deletes still read): a report changes nothing.
 */
export type PlanMode = "apply" | "destroy" | "drift";

export interface PlanOptions {
  /** The project whose marker makes an undeclared live resource ours to delete. */
  readonly project: string;
  /** `apply` unless said otherwise. */
  readonly mode?: PlanMode;
  /** Plan only these addresses and what they need (`--target`); empty means everything. */
  readonly targets?: readonly Address[];
  /** Leave out these addresses and everything that reads them (`--exclude`, as OpenTofu). */
  readonly excludes?: readonly Address[];
  /** Replace these declared, live resources even if nothing changed (`--replace`). */
  readonly replaces?: readonly Address[];
  /** What the connected driver changes in place (`Driver.inPlace`); REST's rules when absent. */
  readonly inPlace?: InPlace;
}

/**
 * Desired against live: what to create, update, replace and delete, and the order of the API
 * calls. Pure: the same input gives the same plan. Never throws over what it is given: whatever
 * makes the plan unsafe or impossible to apply is in `plan.refusals` (see `throwIfRefused`).
 *
 * The phases, each a function below: ambiguous live names set aside; the selectors and the
 * manifests' reads checked; per declared resource, what to do with it; undeclared resources that
 * are ours deleted; `--replace` forced and replacements cascaded to readers; the deletes checked
 * against what still reads them; `--target` and `--exclude` applied; `prevent_destroy` honoured;
 * the steps ordered.
 *
 * @example throwIfRefused(assemblePlan(loaded.resources, live.resources, { project: "fleet" }))
 */
export function assemblePlan(declared: readonly DesiredResource[], liveInput: readonly LiveResource[], options: PlanOptions): Plan {
  const mode = options.mode ?? "apply";
  const declaredAddresses = new Set(declared.map((resource) => resource.address));
  // Destroy wants nothing: what the manifests declare is only what it may delete.
  const desired = mode === "destroy" ? [] : declared.map(withKnownSecrets);
  const desiredByAddress = new Map(desired.map((resource) => [resource.address, resource]));
  const refusals = mode === "destroy" ? protectedFromDestroy(declared, liveInput, options) : [];
  const aside = setAsideAmbiguous(liveInput, new Set(desiredByAddress.keys()));
  const { live, ambiguous } = aside;
  refusals.push(...aside.refusals);
  const liveByAddress = new Map(live.map((resource) => [resource.address, resource]));
  const resolver = createNameResolver(desired, live);
  const desiredDeps = dependenciesOf(desired, resolver);
  refusals.push(...checkSelectors(options, desiredByAddress, liveByAddress));
  // A cycle among the manifests is an error whatever the live state is (the CLI looked already).
  if (!knownAcyclic(declared)) refusals.push(...checkCycle(desired, desiredDeps));
  // Nothing below can be worked out sensibly from inputs refused here.
  if (refusals.length > 0) return freezePlan([], [], [], [], refusals);

  const warnings: string[] = [];
  for (const resource of desired) {
    for (const name of desiredDeps.get(resource.address)?.unresolved ?? []) {
      warnings.push(`${resource.address} reads "${name}", which is neither declared in the manifests nor live`);
    }
  }
  const liveDependents = mode === "drift" ? new Map<Address, Address[]>() : liveReadersOf(live);
  const unmanaged: Address[] = [];
  for (const { address, count } of ambiguous) {
    unmanaged.push(address);
    warnings.push(`the workspace holds ${count} objects named ${address}; no manifest declares the name, so tpctl leaves them all alone`);
  }

  const renames = findRenames(desired, liveByAddress, warnings);
  warnings.push(...nameCollisions(desired, live, desiredByAddress, options.project));
  warnings.push(...foreignOwners(desired, liveByAddress, options.project));
  if (options.inPlace === "sql") warnings.push(...unmarkableOverSql(desired));

  const changes = new Map<Address, Change>();
  // What changeFor is told about the driver, one object for every resource that is not renamed.
  const unrenamed = { inPlace: options.inPlace, readers: [] };
  for (const resource of desired) {
    const previous = renames.get(resource.address);
    const driver = previous ? { inPlace: options.inPlace, readers: readersOf(previous.address, liveDependents, liveByAddress) } : unrenamed;
    const change = changeFor(resource, liveByAddress.get(resource.address), previous, driver);
    if (change) changes.set(resource.address, change);
  }
  const renamedAway = new Set([...renames.values()].map((previous) => previous.address));
  const undeclared = deletionsOf(live, new Set(desiredByAddress.keys()), renamedAway, {
    project: options.project,
    mode,
    declared: declaredAddresses,
  });
  unmanaged.push(...undeclared.unmanaged);
  for (const change of undeclared.deletes) changes.set(change.address, change);

  forceReplacements(changes, options.replaces ?? [], desiredByAddress, liveByAddress);
  refusals.push(...cascadeReplacements(changes, liveDependents, liveByAddress, desiredByAddress));
  refusals.push(...readsDeleted(desired, desiredDeps, changes));

  const excluded = excludeFrom(
    selectTargets(changes, options.targets ?? [], desiredDeps),
    options.excludes ?? [],
    desiredDeps,
    liveDependents,
  );
  refusals.push(...excluded.refusals);
  const selected = excluded.kept;
  refusals.push(...deletesStillRead(selected, liveDependents, liveByAddress));
  if (mode === "apply") refusals.push(...protectedFromChange(selected));
  if (mode === "apply") refusals.push(...emptyManifests(declared.length, [...selected.values()], options.project));

  let steps: Step[] = [];
  try {
    steps = scheduleSteps(selected, desiredDeps, liveDependents);
  } catch (error) {
    if (!(error instanceof DependencyCycleError)) throw error;
    refusals.push(cycleRefusal(error));
  }
  const ordered = inStepOrder(selected, steps);
  if (mode === "destroy") warnings.push(...destroyWarnings(ordered, declaredAddresses, options.project));
  // Destroy lists what it deletes; all else it leaves alone, so listing that too says nothing.
  return freezePlan(ordered, steps, mode === "destroy" ? [] : unmanaged, warnings, refusals);
}

function freezePlan(
  changes: readonly Change[],
  steps: readonly Step[],
  unmanaged: Address[],
  warnings: readonly string[],
  refusals: readonly Refusal[],
): Plan {
  return Object.freeze({
    formatVersion: PLAN_FORMAT_VERSION,
    changes: Object.freeze([...changes]),
    steps: Object.freeze([...steps]),
    unmanaged: Object.freeze(unmanaged.sort()),
    warnings: Object.freeze([...warnings]),
    refusals: Object.freeze([...refusals]),
  });
}

/** `--target`, `--exclude` and `--replace` must name something; `--replace` something declared. */
export function checkSelectors(
  options: Pick<PlanOptions, "targets" | "excludes" | "replaces">,
  desiredByAddress: ReadonlyMap<Address, DesiredResource>,
  liveByAddress: ReadonlyMap<Address, LiveResource>,
): Refusal[] {
  const refusals: Refusal[] = [];
  if ((options.targets ?? []).length + (options.excludes ?? []).length + (options.replaces ?? []).length === 0) return refusals;
  const known = [...desiredByAddress.keys(), ...liveByAddress.keys()];
  for (const [flag, selectors] of [
    ["--target", options.targets],
    ["--exclude", options.excludes],
    ["--replace", options.replaces],
  ] as const) {
    const refused = unmatchedSelectors(flag, selectors ?? [], known);
    if (refused) refusals.push(refused);
  }
  for (const address of options.replaces ?? []) {
    if (desiredByAddress.has(address) || !liveByAddress.has(address)) continue;
    refusals.push(
      refusal(
        "replace_undeclared",
        `--replace ${address}: it is live but not declared in the manifests, so it cannot be created again; only a declared resource can be replaced`,
        { flag: "--replace", address },
      ),
    );
  }
  return refusals;
}

function checkCycle(desired: readonly DesiredResource[], desiredDeps: ReturnType<typeof dependenciesOf>): Refusal[] {
  try {
    topologicalOrder(
      desired.map((resource) => resource.address),
      (address) => desiredDeps.get(address)?.dependsOn ?? [],
    );
    return [];
  } catch (error) {
    if (error instanceof DependencyCycleError) return [cycleRefusal(error)];
    throw error;
  }
}

/** Who reads or writes each live resource, as the workspace reports it. */
function liveReadersOf(live: readonly LiveResource[]): Map<Address, Address[]> {
  const liveDependents = new Map<Address, Address[]>();
  for (const resource of live) {
    for (const dependency of resource.dependsOn) {
      const list = liveDependents.get(dependency) ?? [];
      list.push(resource.address);
      liveDependents.set(dependency, list);
    }
  }
  return liveDependents;
}

/** Declared resources that over SQL cannot carry a description or tpctl's ownership marker. */
function unmarkableOverSql(desired: readonly DesiredResource[]): string[] {
  const warnings: string[] = [];
  for (const resource of desired) {
    const why = KIND_MODULES[resource.kind].sqlHoldsNoMarker?.(resource.spec);
    if (why === undefined) continue;
    warnings.push(
      `${resource.address}: over SQL ${why}, so its description is not stored and tpctl cannot mark it as this project's; removing it from the manifests will not delete it`,
    );
  }
  return warnings;
}

function foreignOwners(desired: readonly DesiredResource[], liveByAddress: ReadonlyMap<Address, LiveResource>, project: string): string[] {
  const warnings: string[] = [];
  for (const resource of desired) {
    const owner = liveByAddress.get(resource.address)?.owner;
    if (owner !== undefined && owner !== project) {
      warnings.push(
        `${resource.address} is declared here but was created by project "${owner}"; two projects managing one resource will undo each other's changes`,
      );
    }
  }
  return warnings;
}

/**
 * What to do with one declared resource: rename it when `previous_name` found its old self live,
 * create it when it is not live, else update or replace it as its fields require; nothing when
 * nothing differs.
 */
export function changeFor(
  resource: DesiredResource,
  current: LiveResource | undefined,
  previous?: LiveResource,
  driver: { readonly inPlace?: InPlace | undefined; readonly readers?: readonly Address[] } = {},
): Change | undefined {
  if (previous) return renameChange(resource, previous, driver.inPlace, driver.readers ?? []);
  if (!current) {
    return {
      kind: resource.kind,
      name: resource.name,
      address: resource.address,
      action: "create",
      reason: "declared in the manifests but not in the workspace",
      destructive: false,
      fieldChanges: [],
      desired: resource,
    };
  }
  const fieldChanges = diffResource(resource, current, driver.inPlace);
  if (fieldChanges.length === 0) return undefined;
  const blocking = fieldChanges.filter((change) => change.forcesReplace);
  const rules = KIND_MODULES[resource.kind];
  if (blocking.length > 0) {
    return {
      kind: resource.kind,
      name: resource.name,
      address: resource.address,
      action: "replace",
      reason: replaceReason(blocking),
      destructive: rules.destructiveToLose,
      fieldChanges,
      desired: resource,
      live: current,
    };
  }
  return {
    kind: resource.kind,
    name: resource.name,
    address: resource.address,
    action: "update",
    reason: `${describeFields(fieldChanges)} can be updated in place${explained(fieldChanges, ": ")}`,
    destructive: false,
    fieldChanges,
    desired: resource,
    live: current,
  };
}

/**
 * Live resources the plan does not want (and no rename took over): deleted when this project's
 * marker says it created them (or, in destroy, when the manifests declare them), left alone
 * (unmanaged) otherwise. A drift report deletes nothing.
 */
export function deletionsOf(
  live: readonly LiveResource[],
  wanted: ReadonlySet<Address>,
  renamedAway: ReadonlySet<Address>,
  rule: { readonly project: string; readonly mode?: PlanMode; readonly declared?: ReadonlySet<Address> },
): { deletes: Change[]; unmanaged: Address[] } {
  const { project } = rule;
  const deletes: Change[] = [];
  const unmanaged: Address[] = [];
  for (const resource of live) {
    if (wanted.has(resource.address) || renamedAway.has(resource.address)) continue;
    const destroyingDeclared = rule.mode === "destroy" && rule.declared?.has(resource.address) === true;
    if (rule.mode === "drift" || (resource.owner !== project && !destroyingDeclared)) {
      unmanaged.push(resource.address);
      continue;
    }
    deletes.push({
      kind: resource.kind,
      name: resource.name,
      address: resource.address,
      action: "delete",
      reason: destroyingDeclared ? DESTROY_DECLARED_REASON : `created by project "${project}" and no longer declared`,
      destructive: KIND_MODULES[resource.kind].destructiveToLose,
      fieldChanges: [],
      live: resource,
    });
  }
  return { deletes, unmanaged };
}

/** A declared resource must not read something this plan deletes for good. */
function readsDeleted(
  desired: readonly DesiredResource[],
  desiredDeps: ReturnType<typeof dependenciesOf>,
  changes: ReadonlyMap<Address, Change>,
): Refusal[] {
  const refusals: Refusal[] = [];
  for (const resource of desired) {
    for (const dependency of desiredDeps.get(resource.address)?.dependsOn ?? []) {
      if (changes.get(dependency)?.action === "delete") {
        refusals.push(
          refusal(
            "reads_deleted",
            `${resource.address} reads ${dependency}, which is no longer declared and would be deleted; declare ${dependency} again or stop reading it`,
          ),
        );
      }
    }
  }
  return refusals;
}

/** The engine refuses to drop what something else still reads (630): say so now, not mid-apply. */
export function deletesStillRead(
  selected: ReadonlyMap<Address, Change>,
  liveDependents: ReadonlyMap<Address, readonly Address[]>,
  liveByAddress: ReadonlyMap<Address, LiveResource>,
): Refusal[] {
  const refusals: Refusal[] = [];
  for (const change of selected.values()) {
    if (change.action !== "delete") continue;
    for (const dependent of liveDependents.get(change.address) ?? []) {
      const dependentKind = liveByAddress.get(dependent)?.kind;
      if (!dependentKind || KIND_MODULES[dependentKind].readsLoosely || selected.has(dependent)) continue;
      refusals.push(
        refusal(
          "delete_still_read",
          `${change.address} would be deleted, but ${dependent}, which this plan leaves in place, reads it and the server would refuse; delete or change ${dependent} too`,
        ),
      );
    }
  }
  return refusals;
}

/** `lifecycle.prevent_destroy`: a declared resource this plan would delete or replace is refused. */
export function protectedFromChange(selected: ReadonlyMap<Address, Change>): Refusal[] {
  const refusals: Refusal[] = [];
  for (const change of selected.values()) {
    if (change.action !== "create" && change.action !== "update" && "desired" in change && change.desired.lifecycle.preventDestroy) {
      refusals.push(
        refusal(
          "prevent_destroy",
          `${change.address} has lifecycle.prevent_destroy set, but this plan would ${change.action} it (${change.reason})`,
          { address: change.address, action: change.action },
        ),
      );
    }
  }
  return refusals;
}

/** The changes in the order of their first step, so that a plan reads in the order it runs. */
function inStepOrder(selected: ReadonlyMap<Address, Change>, steps: readonly Step[]): Change[] {
  const firstStep = new Map<Address, number>();
  steps.forEach((step, index) => {
    if (!firstStep.has(step.address)) firstStep.set(step.address, index);
  });
  return [...selected.values()].sort((a, b) => (firstStep.get(a.address) ?? 0) - (firstStep.get(b.address) ?? 0));
}

/**
 * Streams, views, materialized views and external streams and tables share one namespace in the
 * engine: creating `view/x` fails with code 57 while an undeclared `stream/x` is live.
 */
function nameCollisions(
  desired: readonly DesiredResource[],
  live: readonly LiveResource[],
  desiredByAddress: ReadonlyMap<Address, DesiredResource>,
  project: string,
): string[] {
  const liveRelations = new Map(live.filter((resource) => RELATION_KINDS.has(resource.kind)).map((resource) => [resource.name, resource]));
  const warnings: string[] = [];
  for (const resource of desired) {
    if (!RELATION_KINDS.has(resource.kind)) continue;
    const holder = liveRelations.get(resource.name);
    if (!holder || holder.kind === resource.kind || desiredByAddress.has(holder.address)) continue;
    if (holder.owner === project) continue; // ours and undeclared: dropped before the create
    warnings.push(
      `${resource.address} cannot be created while ${holder.address}, which this project does not manage, holds the name "${resource.name}"; rename one of them`,
    );
  }
  return warnings;
}

/**
 * `previous_name` says a resource was renamed; it is never guessed. It applies when the old name is
 * live and the new one is not (after the rename is applied, it is simply ignored).
 */
function findRenames(
  desired: readonly DesiredResource[],
  liveByAddress: ReadonlyMap<Address, LiveResource>,
  warnings: string[],
): Map<Address, LiveResource> {
  const renames = new Map<Address, LiveResource>();
  const declared = new Set(desired.map((resource) => resource.address));
  for (const resource of desired) {
    if (resource.previousName === undefined || resource.previousName === resource.name) continue;
    const previousAddress = addressOf(resource.kind, resource.previousName);
    const previous = liveByAddress.get(previousAddress);
    if (!previous) continue;
    if (liveByAddress.has(resource.address)) {
      warnings.push(
        `${resource.address} declares previous_name "${resource.previousName}", but both names are live; the old one is left alone`,
      );
      continue;
    }
    if (declared.has(previousAddress)) {
      warnings.push(
        `${resource.address} declares previous_name "${resource.previousName}", but ${previousAddress} is also declared; no rename is planned`,
      );
      continue;
    }
    renames.set(resource.address, previous);
  }
  return renames;
}

/**
 * Kinds with server ids keep their identity, so the name is updated in place. Kinds named in
 * their path cannot be renamed by the API: the object is dropped and created under the new name.
 */
function renameChange(
  resource: DesiredResource,
  previous: LiveResource,
  inPlace: InPlace | undefined,
  readers: readonly Address[],
): Change {
  const rules = KIND_MODULES[resource.kind];
  // Over SQL the engine renames a stream in place, unless something reads it.
  const verdict = inPlace === "sql" && rules.sqlRename === true ? renameVerdict(readers) : undefined;
  const nameChange: FieldChange = {
    field: "name",
    before: previous.name,
    after: resource.name,
    isSql: false,
    secret: false,
    forcesReplace: verdict ? !verdict.inPlace : !ID_KINDS.has(resource.kind),
    ...(verdict ? { explanation: verdict.inPlace ? verdict.how : verdict.why } : {}),
  };
  const fieldChanges = [nameChange, ...diffResource(resource, previous, inPlace)];
  const base = { kind: resource.kind, name: resource.name, address: resource.address, fieldChanges, desired: resource, live: previous };
  if (fieldChanges.every((change) => !change.forcesReplace)) {
    return {
      ...base,
      action: "update",
      reason: `renamed from ${previous.name}, in place${explained(fieldChanges, ": ")}`,
      destructive: false,
    };
  }
  const cost = rules.destructiveToLose ? `; the ${rules.label} is dropped and created again, so its data or running state is lost` : "";
  const why = verdict
    ? replaceReason(fieldChanges.filter((change) => change.forcesReplace))
    : `a ${rules.label} is named in its API path, so a rename is a replace`;
  return {
    ...base,
    action: "replace",
    reason: `renamed from ${previous.name}: ${why}${cost}`,
    destructive: rules.destructiveToLose,
  };
}

/** What the engine holds against a rename: the views and MVs that read or write the object (not dashboards). */
function readersOf(
  address: Address,
  liveDependents: ReadonlyMap<Address, readonly Address[]>,
  liveByAddress: ReadonlyMap<Address, LiveResource>,
): Address[] {
  return (liveDependents.get(address) ?? []).filter((reader) => {
    const kind = liveByAddress.get(reader)?.kind;
    return kind !== undefined && !KIND_MODULES[kind].readsLoosely;
  });
}

/** The driver's own words for the fields it decided case by case (over SQL), after `lead`. */
function explained(changes: readonly FieldChange[], lead: string): string {
  const words = changes.flatMap((change) => (change.explanation !== undefined ? [change.explanation] : []));
  return words.length > 0 ? `${lead}${words.join("; ")}` : "";
}

function replaceReason(blocking: readonly FieldChange[]): string {
  const plain = blocking.filter((change) => change.explanation === undefined);
  const reason = plain.length > 0 ? `${describeFields(plain)} cannot be updated in place` : "";
  return `${reason}${explained(blocking, reason === "" ? "" : "; ")}`;
}

/** Fields that hold credentials by their name are secret even without `${secret:…}`. */
export function withKnownSecrets(resource: DesiredResource): DesiredResource {
  const known = knownSecretPaths(resource.kind, resource.spec);
  if (known.every((path) => resource.secretPaths.includes(path))) return resource;
  return DesiredResourceFactory.with(resource, { secretPaths: [...new Set([...resource.secretPaths, ...known])].sort() });
}

/**
 * Names of id-addressed kinds are not unique in Timeplus. Two live objects behind one address are
 * refused only when a manifest declares that address (tpctl would have to guess which one it
 * means); otherwise they are set aside, untouched, so that they never block another project.
 */
export function setAsideAmbiguous(
  live: readonly LiveResource[],
  declared: ReadonlySet<Address>,
): { live: LiveResource[]; ambiguous: { address: Address; count: number }[]; refusals: Refusal[] } {
  const byAddress = new Map<Address, LiveResource[]>();
  for (const resource of live) {
    const list = byAddress.get(resource.address);
    if (list) list.push(resource);
    else byAddress.set(resource.address, [resource]);
  }
  const ambiguous: { address: Address; count: number }[] = [];
  const refusals: Refusal[] = [];
  for (const [address, list] of byAddress) {
    const first = list[0] as LiveResource;
    if (list.length < 2 || !ID_KINDS.has(first.kind)) continue;
    if (declared.has(address)) {
      refusals.push(
        refusal(
          "ambiguous_name",
          `the workspace holds ${list.length} ${first.kind}s named "${first.name}" (ids ${list.map((resource) => resource.id).join(", ")}); rename or delete all but one so that ${address} means one object`,
        ),
      );
      continue;
    }
    ambiguous.push({ address, count: list.length });
  }
  const setAside = new Set(ambiguous.map((entry) => entry.address));
  return { live: live.filter((resource) => !setAside.has(resource.address)), ambiguous, refusals };
}

function describeFields(changes: readonly FieldChange[]): string {
  const names = changes.map((change) => change.field);
  return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * The engine refuses to drop an object something else reads (error 630), so replacing an object
 * means replacing everything that reads it, transitively.
 */
function cascadeReplacements(
  changes: Map<Address, Change>,
  liveDependents: ReadonlyMap<Address, readonly Address[]>,
  liveByAddress: ReadonlyMap<Address, LiveResource>,
  desiredByAddress: ReadonlyMap<Address, DesiredResource>,
): Refusal[] {
  const refusals: Refusal[] = [];
  const queue = [...changes.values()].filter((change) => change.action === "replace").map((change) => change.address);
  while (queue.length > 0) {
    const replaced = queue.shift() as Address;
    const replacedChange = changes.get(replaced);
    const liveAddress = replacedChange && replacedChange.action === "replace" ? replacedChange.live.address : replaced;
    for (const dependent of liveDependents.get(liveAddress) ?? []) {
      const existing = changes.get(dependent);
      if (existing?.action === "replace" || existing?.action === "delete") continue;
      const dependentKind = liveByAddress.get(dependent)?.kind;
      if (dependentKind && KIND_MODULES[dependentKind].readsLoosely) continue;
      const desired = desiredByAddress.get(dependent);
      const current = liveByAddress.get(dependent);
      if (!desired || !current) {
        refusals.push(
          refusal(
            "unmanaged_reader",
            `${replaced} must be replaced, but ${dependent}, which this project does not manage, reads it; the server would refuse to drop ${replaced}`,
          ),
        );
        continue;
      }
      changes.set(dependent, {
        kind: desired.kind,
        name: desired.name,
        address: dependent,
        action: "replace",
        reason: `reads ${replaced}, which is replaced`,
        destructive: KIND_MODULES[desired.kind].destructiveToLose,
        fieldChanges: existing?.fieldChanges ?? [],
        desired,
        live: current,
        cascadedFrom: replaced,
      });
      queue.push(dependent);
    }
  }
  return refusals;
}

/** `--replace`: a declared, live resource is dropped and created again even if nothing changed. */
function forceReplacements(
  changes: Map<Address, Change>,
  replaces: readonly Address[],
  desiredByAddress: ReadonlyMap<Address, DesiredResource>,
  liveByAddress: ReadonlyMap<Address, LiveResource>,
): void {
  for (const address of replaces) {
    const existing = changes.get(address);
    const desired = desiredByAddress.get(address);
    const current = liveByAddress.get(address);
    // Not live yet: it is created anyway. Already replaced: nothing to add.
    if (!desired || !current || existing?.action === "create" || existing?.action === "replace") continue;
    changes.set(address, {
      kind: desired.kind,
      name: desired.name,
      address,
      action: "replace",
      reason: "replacement requested with --replace",
      destructive: KIND_MODULES[desired.kind].destructiveToLose,
      fieldChanges: existing?.fieldChanges ?? [],
      desired,
      live: current,
    });
  }
}

/**
 * `--exclude`: the named resources and, transitively, everything that reads them (declared or
 * live) are left out. A resource that must be replaced because something it reads is replaced
 * cannot be left out alone: the server would refuse to drop what it reads.
 */
export function excludeFrom(
  selected: Map<Address, Change>,
  excludes: readonly Address[],
  desiredDeps: ReturnType<typeof dependenciesOf>,
  liveDependents: ReadonlyMap<Address, readonly Address[]>,
): { kept: Map<Address, Change>; refusals: Refusal[] } {
  if (excludes.length === 0) return { kept: selected, refusals: [] };
  const readers = new Map<Address, Address[]>();
  for (const [address, deps] of desiredDeps) {
    for (const dependency of deps.dependsOn) readers.set(dependency, [...(readers.get(dependency) ?? []), address]);
  }
  const excluded = new Set<Address>();
  const queue = [...excludes];
  while (queue.length > 0) {
    const address = queue.shift() as Address;
    if (excluded.has(address)) continue;
    excluded.add(address);
    queue.push(...(readers.get(address) ?? []), ...(liveDependents.get(address) ?? []));
  }
  const kept = new Map([...selected].filter(([address]) => !excluded.has(address)));
  const refusals: Refusal[] = [];
  for (const address of excluded) {
    const change = selected.get(address);
    if (change?.action === "replace" && change.cascadedFrom !== undefined && kept.has(change.cascadedFrom)) {
      refusals.push(
        refusal(
          "exclude_cascade",
          `--exclude cannot leave out ${address}: it must be replaced because ${change.cascadedFrom}, which it reads, is replaced; exclude ${change.cascadedFrom} too`,
          { flag: "--exclude", address },
        ),
      );
    }
  }
  return { kept, refusals };
}

/** `--target`: the named resources and, transitively, the declared resources they need. */
export function selectTargets(
  changes: ReadonlyMap<Address, Change>,
  targets: readonly Address[],
  desiredDeps: ReturnType<typeof dependenciesOf>,
): Map<Address, Change> {
  if (targets.length === 0) return new Map(changes);
  const wanted = new Set<Address>();
  const queue = [...targets];
  while (queue.length > 0) {
    const address = queue.shift() as Address;
    if (wanted.has(address)) continue;
    wanted.add(address);
    queue.push(...(desiredDeps.get(address)?.dependsOn ?? []));
    const change = changes.get(address);
    if (change?.action === "replace") {
      // A replaced target drags along what the cascade replaced because of it.
      for (const other of changes.values()) {
        if (other.action === "replace" && other.cascadedFrom === address) queue.push(other.address);
      }
    }
  }
  return new Map([...changes].filter(([address]) => wanted.has(address)));
}

/** The steps each action takes, in order. */
const PHASES_OF: Readonly<Record<Change["action"], readonly StepPhase[]>> = {
  create: ["create"],
  update: ["update"],
  replace: ["delete", "create"],
  delete: ["delete"],
};

export function scheduleSteps(
  changes: ReadonlyMap<Address, Change>,
  desiredDeps: ReturnType<typeof dependenciesOf>,
  liveDependents: ReadonlyMap<Address, readonly Address[]>,
): Step[] {
  // Asked several times per dependency edge: answered from the action, allocating nothing.
  const has = (phase: StepPhase, address: Address): boolean => {
    const action = changes.get(address)?.action;
    if (action === undefined) return false;
    return action === "replace" ? phase !== "update" : action === phase;
  };

  // Objects that SQL reads share one namespace in the engine: a new object cannot take a name
  // until the old object of another kind with that name is dropped.
  const deletesByRelationName = new Map<string, Address[]>();
  for (const change of changes.values()) {
    if (RELATION_KINDS.has(change.kind) && has("delete", change.address)) {
      const list = deletesByRelationName.get(change.name) ?? [];
      list.push(change.address);
      deletesByRelationName.set(change.name, list);
    }
  }

  const waits = new Map<string, string[]>();
  const steps: { id: string; phase: StepPhase; address: Address }[] = [];
  for (const change of changes.values()) {
    for (const phase of PHASES_OF[change.action]) {
      const id = stepId(phase, change.address);
      const waitsFor: string[] = [];
      if (phase === "delete") {
        const liveAddress = change.action === "delete" || change.action === "replace" ? change.live.address : change.address;
        for (const dependent of liveDependents.get(liveAddress) ?? []) {
          if (has("delete", dependent)) waitsFor.push(stepId("delete", dependent));
          // An update that stops reading this object goes first. One that still reads it (a
          // dashboard or saved query reading a stream that is replaced) needs the new object, so
          // it waits for the create instead; waiting here too would be a cycle.
          const stillReads = change.action === "replace" && (desiredDeps.get(dependent)?.dependsOn ?? []).includes(change.address);
          if (has("update", dependent) && !stillReads) waitsFor.push(stepId("update", dependent));
        }
      } else {
        if (phase === "create" && change.action === "replace") waitsFor.push(stepId("delete", change.address));
        if (phase === "create" && RELATION_KINDS.has(change.kind)) {
          for (const other of deletesByRelationName.get(change.name) ?? []) {
            if (other !== change.address) waitsFor.push(stepId("delete", other));
          }
        }
        for (const dependency of desiredDeps.get(change.address)?.dependsOn ?? []) {
          if (has("create", dependency)) waitsFor.push(stepId("create", dependency));
          if (has("update", dependency)) waitsFor.push(stepId("update", dependency));
        }
      }
      waits.set(id, waitsFor);
      steps.push({ id, phase, address: change.address });
    }
  }

  // Deterministic tie-break: deletes first, then by kind order (schemas and UDFs before streams,
  // streams before what reads them), then by name. Ranked once per step, not twice per comparison.
  const kindRank = new Map(KINDS.map((kind, index) => [kind, index]));
  const phaseRank: Record<StepPhase, number> = { delete: 0, update: 1, create: 2 };
  const ranked = steps.map((step) => {
    const change = changes.get(step.address) as Change;
    const kind = kindRank.get(change.kind) ?? 0;
    return { step, phase: phaseRank[step.phase], kind: step.phase === "delete" ? -kind : kind, name: change.name };
  });
  ranked.sort((a, b) => a.phase - b.phase || a.kind - b.kind || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  ranked.forEach((entry, index) => (steps[index] = entry.step));
  const byId = new Map(steps.map((step) => [step.id, step]));
  const order = topologicalOrder(
    steps.map((step) => step.id),
    (id) => waits.get(id) ?? [],
  );
  return order.map((id) => {
    const step = byId.get(id) as (typeof steps)[number];
    return Object.freeze({ ...step, waitsFor: Object.freeze([...new Set(waits.get(id) ?? [])]) });
  });
}
