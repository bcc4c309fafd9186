import type { TimeplusClient } from "../http.js";
import type { Address, DesiredResource, LiveResource, Plan, PlanStatements } from "../../model/index.js";
import { APPSERVER_KINDS, KIND_MODULES } from "../../kinds/index.js";
import { DdlRenderError, maskSecrets, type ParsedDefinition } from "../../sql/ddl/index.js";
import { UnsupportedByTargetError, describeTarget, type Driver, type TargetDescription } from "../driver.js";
import { readRestKinds, sendCalls } from "../rest/driver.js";
import { refuseAppserverKindsInDatabases, refuseRestMutableStreams } from "../sql-only.js";
import { sqlLockChannel } from "./lock-channel.js";
import { assembleLive, readEngineObjects } from "./read.js";
import { workForStep } from "./steps.js";
import type { SqlTransport } from "./transport.js";

/**
 * Engine objects through SQL DDL (`transport`: the appserver's `/exec` or the engine's HTTP
 * interface); the appserver's own kinds (sources, sinks, alerts, dashboards, saved queries) through
 * the REST client `rest`, which a bare engine does not have.
 */
export function createSqlDriver(input: { transport: SqlTransport; rest?: TimeplusClient; target: TargetDescription }): Driver {
  const { transport, rest } = input;
  const lockChannel = sqlLockChannel(transport);
  return {
    target: input.target,
    inPlace: "sql",
    async readWorkspace(options = {}) {
      // Over /exec the appserver lists format schemas with their text in one call; the bare
      // engine prints a schema's text only in SHOW CREATE. The topology is not read: among the
      // kinds read here its only edges are the uses of UDFs and schemas, which the SQL and the
      // reference fields show as well (docs/sql-driver.md), and it is the largest answer of all.
      const [engine, appserver] = await Promise.all([
        readEngineObjects(transport, { schemas: rest === undefined }),
        rest ? readRestKinds(rest, ["schema", "udf", ...APPSERVER_KINDS], { ...options, topology: false }) : Promise.resolve([]),
      ]);
      return assembleLive(...preferRestUdfs(engine, appserver));
    },
    async runStep(step, change, project) {
      const work = workForStep(step, change, project);
      if (work.via === "rest") {
        if (!rest) throw unsupported(change.kind, change.address, input.target);
        await sendCalls(rest, work.calls);
        return;
      }
      for (const { statement, secrets } of work.statements) await transport.execute({ sql: statement.sql, secrets });
    },
    statementsOf(plan, project) {
      return planStatements(plan, project);
    },
    checkDesired(desired: readonly DesiredResource[]) {
      refuseAppserverKindsInDatabases(desired);
      refuseRestMutableStreams(desired);
      if (rest) return;
      for (const resource of desired) {
        if (APPSERVER_KINDS.has(resource.kind)) throw unsupported(resource.kind, resource.address, input.target);
      }
    },
    lockChannel,
  };
}

/**
 * What each change of `plan` would send, step by step in the plan's order, each statement with
 * its secrets masked: the same rendering `runStep` sends, so what a reviewer reads is what runs.
 */
export function planStatements(plan: Plan, project: string): PlanStatements {
  const byAddress = new Map(plan.changes.map((change) => [change.address, change]));
  const statements = new Map<Address, string[]>();
  for (const step of plan.steps) {
    const change = byAddress.get(step.address);
    if (!change) continue;
    const work = expressible(change.address, () => workForStep(step, change, project));
    if (work.via !== "sql") continue;
    const list = statements.get(step.address) ?? [];
    for (const { statement, secrets } of work.statements) list.push(maskSecrets(statement.sql, secrets));
    if (list.length > 0) statements.set(step.address, list);
  }
  return statements;
}

/**
 * What cannot be written as DDL is refused with the plan, before anything changes, not halfway
 * through an apply. Only what the plan sends is rendered: a resource that needs no change needs
 * no DDL (rendering every declared resource took 0.6 s of a 10,000-resource plan).
 */
function expressible<T>(address: Address, render: () => T): T {
  try {
    return render();
  } catch (error) {
    if (error instanceof DdlRenderError) {
      throw new UnsupportedByTargetError(`${error.message}, so tpctl cannot create it over SQL; nothing was changed`, {
        meta: { address },
      });
    }
    throw error;
  }
}

/**
 * A function has no COMMENT: one created over SQL keeps its description and owner in its body
 * (docs/sql-ddl.md, "Ownership"), one created over REST keeps them beside it, where only REST shows
 * them. So over /exec a UDF whose SQL text carries no owner is taken as the appserver lists it, and
 * one that does as SQL reads it; either way exactly one record per UDF.
 */
function preferRestUdfs(engine: readonly ParsedDefinition[], appserver: readonly LiveResource[]): [ParsedDefinition[], LiveResource[]] {
  const restUdfs = new Set(appserver.filter((resource) => resource.kind === "udf").map((resource) => resource.name));
  const fromRest = new Set<string>();
  const kept = engine.filter((definition) => {
    if (definition.kind !== "udf" || definition.owner !== undefined || !restUdfs.has(definition.name)) return true;
    fromRest.add(definition.name);
    return false;
  });
  return [kept, appserver.filter((resource) => resource.kind !== "udf" || fromRest.has(resource.name))];
}

function unsupported(kind: DesiredResource["kind"], address: string, target: TargetDescription): UnsupportedByTargetError {
  const label = KIND_MODULES[kind].label;
  return new UnsupportedByTargetError(
    `${address} is a ${label}, which exists only in the Timeplus appserver (Timeplus Enterprise), but tpctl is talking to a bare engine: ${describeTarget(target)}; point TIMEPLUS_ADDRESS at the appserver (e.g. http://host:8000) or leave the ${label} out of these manifests. Nothing was changed`,
    { meta: { address, kind } },
  );
}
