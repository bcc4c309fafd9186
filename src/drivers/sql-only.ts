import type { DesiredResource } from "../model/index.js";
import { KIND_MODULES } from "../kinds/index.js";
import { describeTarget, UnsupportedByTargetError, type TargetDescription } from "./driver.js";

/**
 * What the v1beta2 REST API cannot hold, refused before anything changes: the kinds only SQL
 * reaches (databases, mutable and random streams, dictionaries, tasks, named collections), and any
 * resource in a database other than `default`, since the 2024 API has one namespace.
 */
export function refuseWhatRestCannotReach(desired: readonly DesiredResource[], target: TargetDescription): void {
  for (const resource of desired) {
    const module = KIND_MODULES[resource.kind];
    const needs = `tpctl is talking to ${describeTarget(target)}; use --api sql (TIMEPLUS_API=sql) with an engine or an appserver that has /exec. Nothing was changed`;
    if (module.rest === undefined) {
      throw new UnsupportedByTargetError(
        `${resource.address} is a ${module.label}, which only SQL DDL reaches, not the REST API, but ${needs}`,
        {
          meta: { address: resource.address, kind: resource.kind },
        },
      );
    }
    if (resource.database !== undefined) {
      throw new UnsupportedByTargetError(
        `${resource.address} is in database ${resource.database}, which the REST API cannot reach (it knows only database default), but ${needs}`,
        { meta: { address: resource.address, database: resource.database } },
      );
    }
  }
}

/**
 * The REST API of 2024 makes a mutable stream as a stream with `engine: MutableStream`; over SQL
 * the engine reads it back as the `mutable_stream` kind, so that spelling would never converge.
 */
export function refuseRestMutableStreams(desired: readonly DesiredResource[]): void {
  for (const resource of desired) {
    if (resource.kind !== "stream" || resource.spec["engine"] !== "MutableStream") continue;
    throw new UnsupportedByTargetError(
      `${resource.address} declares engine: MutableStream, the REST API's way to make a mutable stream; over SQL declare it as kind: mutable_stream (same fields, without engine). Nothing was changed`,
      { meta: { address: resource.address } },
    );
  }
}

/** The appserver's own kinds live beside the engine, in no database of it. */
export function refuseAppserverKindsInDatabases(desired: readonly DesiredResource[]): void {
  for (const resource of desired) {
    if (KIND_MODULES[resource.kind].home !== "appserver" || resource.database === undefined) continue;
    const label = KIND_MODULES[resource.kind].label;
    throw new UnsupportedByTargetError(
      `${resource.address} is a ${label} in database ${resource.database}, but tpctl manages a ${label} through the appserver's REST API, which knows only database default; remove its database: field. Nothing was changed`,
      { meta: { address: resource.address, database: resource.database } },
    );
  }
}
