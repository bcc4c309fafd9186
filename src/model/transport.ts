/**
 * How tpctl talks to a deployment: `rest` the v1beta2 REST API (the 2024 API, every kind), `exec`
 * SQL DDL through the appserver's `POST /{workspace}/api/v1beta2/exec` (plus REST for the
 * appserver's own kinds), `engine` SQL through the engine's HTTP interface (timeplusd, Proton).
 */
export type Transport = "rest" | "exec" | "engine";

/** How each transport is named to a person, at the top of every plan, apply and drift. */
export const TRANSPORT_TEXT: Readonly<Record<Transport, string>> = {
  rest: "REST API v1beta2",
  exec: "SQL through /exec",
  engine: "SQL through the engine's HTTP interface",
};
