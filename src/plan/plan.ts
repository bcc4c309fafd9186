import { LiveStateError, SafetyRefusal, UsageError } from "../errors.js";
import type { Address, Change, DesiredResource, FieldChange, LiveResource, Plan, Step, StepPhase } from "../model/index.js";
import { addressOf, DesiredResource as DesiredResourceFactory, KINDS, PLAN_FORMAT_VERSION, stepId } from "../model/index.js";
import { createNameResolver, dependenciesOf } from "./dependencies.js";
import { diffResource } from "./diff.js";
import { topologicalOrder } from "./graph.js";
import { KIND_MODULES, ID_KINDS, RELATION_KINDS } from "../kinds/index.js";
import { knownSecretPaths } from "./secrets.js";
import { assertSelectorsMatch } from "./selection.js";

export interface PlanOptions {
  /** The project whose marker makes an undeclared live resource ours to delete. */
  readonly project: string;
  /** Plan only these addresses and what they need (`--target`); empty means everything. */
  readonly targets?: readonly Address[];
  /** Leave out these addresses and everything that reads them (`--exclude`, as OpenTofu). */
  readonly excludes?: readonly Address[];
  /** Replace these declared, live resources even if nothing changed (`--replace`). */
  readonly replaces?: readonly Address[];
}

/**
 * Desired against live: what to create, update, replace and delete, and the order of the API
 * calls. Pure: the same input gives the same plan.
 *
 * @example assemblePlan(loaded.resources, live.resources, { project: "fleet" })
 */
export function assemblePlan(declared: readonly DesiredResource[], liveInput: readonly LiveResource[], options: PlanOptions): Plan {
  const desired = declared.map(withKnownSecrets);
  const desiredByAddress = new Map(desired.map((resource) => [resource.address, resource]));
  const { live, ambiguous } = setAsideAmbiguous(liveInput, desiredByAddress);
  const liveByAddress = new Map(live.map((resource) => [resource.address, resource]));
  const resolver = createNameResolver(desired, live);
  const desiredDeps = dependenciesOf(desired, resolver);
  const warnings: string[] = [];
  const known = [...desiredByAddress.keys(), ...liveByAddress.keys()];
  assertSelectorsMatch("--target", options.targets ?? [], known);
  assertSelectorsMatch("--exclude", options.excludes ?? [], known);
  assertSelectorsMatch("--replace", options.replaces ?? [], known);
  for (const address of options.replaces ?? []) {
    if (!desiredByAddress.has(address)) {
      throw new UsageError(
        `--replace ${address}: it is live but not declared in the manifests, so it cannot be created again; only a declared resource can be replaced`,
        {
          meta: { flag: "--replace", address },
        },
      );
    }
  }

  // A cycle among the manifests is an error whatever the live state is.
  topologicalOrder(
    desired.map((resource) => resource.address),
    (address) => desiredDeps.get(address)?.dependsOn ?? [],
  );

  for (const resource of desired) {
    for (const name of desiredDeps.get(resource.address)?.unresolved ?? []) {
      warnings.push(`${resource.address} reads "${name}", which is neither declared in the manifests nor live`);
    }
  }

  // Live dependents: who reads or writes each live resource.
  const liveDependents = new Map<Address, Address[]>();
  for (const resource of live) {
    for (const dependency of resource.dependsOn) {
      const list = liveDependents.get(dependency) ?? [];
      list.push(resource.address);
      liveDependents.set(dependency, list);
    }
  }

  const changes = new Map<Address, Change>();
  const unmanaged: Address[] = [];
  for (const { address, count } of ambiguous) {
    unmanaged.push(address);
    warnings.push(`the workspace holds ${count} objects named ${address}; no manifest declares the name, so tpctl leaves them all alone`);
  }

  const renames = findRenames(desired, liveByAddress, warnings);
  warnings.push(...nameCollisions(desired, live, desiredByAddress, options.project));
  for (const resource of desired) {
    const owner = liveByAddress.get(resource.address)?.owner;
    if (owner !== undefined && owner !== options.project) {
      warnings.push(
        `${resource.address} is declared here but was created by project "${owner}"; two projects managing one resource will undo each other's changes`,
      );
    }
  }
  const renamedAway = new Set([...renames.values()].map((previous) => previous.address));

  for (const resource of desired) {
    const previous = renames.get(resource.address);
    if (previous) {
      changes.set(resource.address, renameChange(resource, previous));
      continue;
    }
    const current = liveByAddress.get(resource.address);
    if (!current) {
      changes.set(resource.address, {
        kind: resource.kind,
        name: resource.name,
        address: resource.address,
        action: "create",
        reason: "declared in the manifests but not in the workspace",
        destructive: false,
        fieldChanges: [],
        desired: resource,
      });
      continue;
    }
    const fieldChanges = diffResource(resource, current);
    if (fieldChanges.length === 0) continue;
    const blocking = fieldChanges.filter((change) => change.forcesReplace);
    const rules = KIND_MODULES[resource.kind];
    if (blocking.length > 0) {
      changes.set(resource.address, {
        kind: resource.kind,
        name: resource.name,
        address: resource.address,
        action: "replace",
        reason: `${describeFields(blocking)} cannot be updated in place`,
        destructive: rules.destructiveToLose,
        fieldChanges,
        desired: resource,
        live: current,
      });
    } else {
      changes.set(resource.address, {
        kind: resource.kind,
        name: resource.name,
        address: resource.address,
        action: "update",
        reason: `${describeFields(fieldChanges)} can be updated in place`,
        destructive: false,
        fieldChanges,
        desired: resource,
        live: current,
      });
    }
  }

  for (const resource of live) {
    if (desiredByAddress.has(resource.address) || renamedAway.has(resource.address)) continue;
    if (resource.owner !== options.project) {
      unmanaged.push(resource.address);
      continue;
    }
    changes.set(resource.address, {
      kind: resource.kind,
      name: resource.name,
      address: resource.address,
      action: "delete",
      reason: `created by project "${options.project}" and no longer declared`,
      destructive: KIND_MODULES[resource.kind].destructiveToLose,
      fieldChanges: [],
      live: resource,
    });
  }

  forceReplacements(changes, options.replaces ?? [], desiredByAddress, liveByAddress);
  cascadeReplacements(changes, liveDependents, liveByAddress, desiredByAddress);

  // A declared resource must not read something this plan deletes for good.
  for (const resource of desired) {
    for (const dependency of desiredDeps.get(resource.address)?.dependsOn ?? []) {
      if (changes.get(dependency)?.action === "delete") {
        throw new LiveStateError(
          `${resource.address} reads ${dependency}, which is no longer declared and would be deleted; declare ${dependency} again or stop reading it`,
        );
      }
    }
  }

  const selected = excludeFrom(
    selectTargets(changes, options.targets ?? [], desiredDeps),
    options.excludes ?? [],
    desiredDeps,
    liveDependents,
  );

  // The engine refuses to drop what something else still reads (630): say so now, not mid-apply.
  for (const change of selected.values()) {
    if (change.action !== "delete") continue;
    for (const dependent of liveDependents.get(change.address) ?? []) {
      const dependentKind = liveByAddress.get(dependent)?.kind;
      if (!dependentKind || KIND_MODULES[dependentKind].readsLoosely || selected.has(dependent)) continue;
      throw new LiveStateError(
        `${change.address} would be deleted, but ${dependent}, which this plan leaves in place, reads it and the server would refuse; delete or change ${dependent} too`,
      );
    }
  }

  for (const change of selected.values()) {
    if (change.action !== "create" && change.action !== "update" && "desired" in change && change.desired.lifecycle.preventDestroy) {
      throw new SafetyRefusal(
        `${change.address} has lifecycle.prevent_destroy set, but this plan would ${change.action} it (${change.reason})`,
        { meta: { address: change.address, action: change.action } },
      );
    }
  }

  const steps = scheduleSteps(selected, desiredDeps, liveDependents);
  const firstStep = new Map<Address, number>();
  steps.forEach((step, index) => {
    if (!firstStep.has(step.address)) firstStep.set(step.address, index);
  });
  const ordered = [...selected.values()].sort((a, b) => (firstStep.get(a.address) ?? 0) - (firstStep.get(b.address) ?? 0));
  return Object.freeze({
    formatVersion: PLAN_FORMAT_VERSION,
    changes: Object.freeze(ordered),
    steps: Object.freeze(steps),
    unmanaged: Object.freeze(unmanaged.sort()),
    warnings: Object.freeze(warnings),
  });
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
function renameChange(resource: DesiredResource, previous: LiveResource): Change {
  const nameChange: FieldChange = {
    field: "name",
    before: previous.name,
    after: resource.name,
    isSql: false,
    secret: false,
    forcesReplace: !ID_KINDS.has(resource.kind),
  };
  const fieldChanges = [nameChange, ...diffResource(resource, previous)];
  const rules = KIND_MODULES[resource.kind];
  const base = { kind: resource.kind, name: resource.name, address: resource.address, fieldChanges, desired: resource, live: previous };
  if (fieldChanges.every((change) => !change.forcesReplace)) {
    return { ...base, action: "update", reason: `renamed from ${previous.name}, in place`, destructive: false };
  }
  const cost = rules.destructiveToLose ? `; the ${rules.label} is dropped and created again, so its data or running state is lost` : "";
  return {
    ...base,
    action: "replace",
    reason: `renamed from ${previous.name}: a ${rules.label} is named in its API path, so a rename is a replace${cost}`,
    destructive: rules.destructiveToLose,
  };
}

/** Fields that hold credentials by their name are secret even without `${secret:…}`. */
export function withKnownSecrets(resource: DesiredResource): DesiredResource {
  const known = knownSecretPaths(resource.kind, resource.spec);
  if (known.every((path) => resource.secretPaths.includes(path))) return resource;
  return DesiredResourceFactory.create({
    kind: resource.kind,
    name: resource.name,
    spec: resource.spec,
    dependsOn: resource.dependsOn,
    lifecycle: resource.lifecycle,
    secretPaths: [...new Set([...resource.secretPaths, ...known])].sort(),
    ...(resource.previousName !== undefined ? { previousName: resource.previousName } : {}),
    ...(resource.location ? { location: resource.location } : {}),
    ...(resource.database !== undefined ? { database: resource.database } : {}),
  });
}

/**
 * Names of id-addressed kinds are not unique in Timeplus. Two live objects behind one address are
 * refused only when a manifest declares that address (tpctl would have to guess which one it
 * means); otherwise they are set aside, untouched, so that they never block another project.
 */
function setAsideAmbiguous(
  live: readonly LiveResource[],
  desiredByAddress: ReadonlyMap<Address, DesiredResource>,
): { live: LiveResource[]; ambiguous: { address: Address; count: number }[] } {
  const byAddress = new Map<Address, LiveResource[]>();
  for (const resource of live) {
    const list = byAddress.get(resource.address);
    if (list) list.push(resource);
    else byAddress.set(resource.address, [resource]);
  }
  const ambiguous: { address: Address; count: number }[] = [];
  for (const [address, list] of byAddress) {
    const first = list[0] as LiveResource;
    if (list.length < 2 || !ID_KINDS.has(first.kind)) continue;
    if (desiredByAddress.has(address)) {
      throw new LiveStateError(
        `the workspace holds ${list.length} ${first.kind}s named "${first.name}" (ids ${list.map((resource) => resource.id).join(", ")}); rename or delete all but one so that ${address} means one object`,
      );
    }
    ambiguous.push({ address, count: list.length });
  }
  const setAside = new Set(ambiguous.map((entry) => entry.address));
  return { live: live.filter((resource) => !setAside.has(resource.address)), ambiguous };
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
): void {
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
        throw new LiveStateError(
          `${replaced} must be replaced, but ${dependent}, which this project does not manage, reads it; the server would refuse to drop ${replaced}`,
        );
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
function excludeFrom(
  selected: Map<Address, Change>,
  excludes: readonly Address[],
  desiredDeps: ReturnType<typeof dependenciesOf>,
  liveDependents: ReadonlyMap<Address, readonly Address[]>,
): Map<Address, Change> {
  if (excludes.length === 0) return selected;
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
  for (const address of excluded) {
    const change = selected.get(address);
    if (change?.action === "replace" && change.cascadedFrom !== undefined && kept.has(change.cascadedFrom)) {
      throw new UsageError(
        `--exclude cannot leave out ${address}: it must be replaced because ${change.cascadedFrom}, which it reads, is replaced; exclude ${change.cascadedFrom} too`,
        { meta: { flag: "--exclude", address } },
      );
    }
  }
  return kept;
}

/** `--target`: the named resources and, transitively, the declared resources they need. */
function selectTargets(
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

function scheduleSteps(
  changes: ReadonlyMap<Address, Change>,
  desiredDeps: ReturnType<typeof dependenciesOf>,
  liveDependents: ReadonlyMap<Address, readonly Address[]>,
): Step[] {
  const phasesOf = (address: Address): StepPhase[] => {
    switch (changes.get(address)?.action) {
      case "create":
        return ["create"];
      case "update":
        return ["update"];
      case "replace":
        return ["delete", "create"];
      case "delete":
        return ["delete"];
      default:
        return [];
    }
  };
  const has = (phase: StepPhase, address: Address): boolean => phasesOf(address).includes(phase);

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
    for (const phase of phasesOf(change.address)) {
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
  // streams before what reads them), then by name.
  const kindRank = new Map(KINDS.map((kind, index) => [kind, index]));
  const phaseRank: Record<StepPhase, number> = { delete: 0, update: 1, create: 2 };
  const rankOf = (step: (typeof steps)[number]): [number, number, string] => {
    const change = changes.get(step.address) as Change;
    const kind = kindRank.get(change.kind) ?? 0;
    return [phaseRank[step.phase], step.phase === "delete" ? -kind : kind, change.name];
  };
  steps.sort((a, b) => {
    const [pa, ka, na] = rankOf(a);
    const [pb, kb, nb] = rankOf(b);
    return pa - pb || ka - kb || (na < nb ? -1 : na > nb ? 1 : 0);
  });
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
