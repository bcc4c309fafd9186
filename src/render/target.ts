import { TRANSPORT_TEXT, type Transport } from "../model/index.js";

/**
 * Where a plan, apply, drift or destroy runs, named before anything else so that no one applies
 * to the wrong place. Built at the edge (cli/connect.ts) from the connection settings and the
 * deployment's `GET /info`; never holds credentials.
 */
export interface PlanTarget {
  /** The deployment's base URL without user info; null for the embedded local workspace. */
  readonly address: string | null;
  readonly workspace: string;
  /** The environment of tpctl.yaml (`--env`), when one was chosen. */
  readonly environment?: string;
  /** From `GET /info`; "unknown" when the deployment does not serve it. */
  readonly product: string;
  readonly version: string;
  /** How tpctl talks to the deployment. */
  readonly transport: Transport;
}

export const EMBEDDED_DESCRIPTION = "embedded local workspace in .tpctl/";

/**
 * "Target: https://tp.internal:8000 · workspace default · environment prod · Timeplus 3.3.1 · REST API v1beta2"
 *
 * @example renderTargetLine({ address: null, workspace: "default", product: "tpctl built-in server", version: "0.1.0", transport: "rest" })
 */
export function renderTargetLine(target: PlanTarget): string {
  const parts = [
    target.address ?? EMBEDDED_DESCRIPTION,
    `workspace ${target.workspace}`,
    ...(target.environment !== undefined ? [`environment ${target.environment}`] : []),
    `${target.product} ${target.version}`,
    TRANSPORT_TEXT[target.transport],
  ];
  return `Target: ${parts.join(" · ")}`;
}

/** The `target` object of the JSON documents (contract: `{address, workspace, product, version, transport}`). */
export function targetJson(target: PlanTarget): Record<string, string | null> {
  return {
    address: target.address,
    description: target.address ?? EMBEDDED_DESCRIPTION,
    workspace: target.workspace,
    environment: target.environment ?? null,
    product: target.product,
    version: target.version,
    transport: target.transport,
  };
}

/** The same line for Markdown: values in code spans, so that no address turns into a link. */
export function renderTargetMarkdown(
  target: PlanTarget,
  extra: { readonly commit?: string } = {},
  span: (text: string) => string,
  escape: (text: string) => string,
): string {
  const parts = [
    span(target.address ?? EMBEDDED_DESCRIPTION),
    `workspace ${span(target.workspace)}`,
    ...(target.environment !== undefined ? [`environment ${span(target.environment)}`] : []),
    escape(`${target.product} ${target.version}`),
    escape(TRANSPORT_TEXT[target.transport]),
    ...(extra.commit !== undefined ? [`commit ${span(extra.commit)}`] : []),
  ];
  return `**Target:** ${parts.join(" · ")}`;
}
