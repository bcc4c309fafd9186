/**
 * Every failure a user can act on has its own class, a stable `code` for `--json` output and
 * JSON-safe `meta`. The CLI maps classes to exit codes in one place (cli/main.ts).
 */
export abstract class TpctlError extends Error {
  abstract readonly code: string;
  readonly meta: Readonly<Record<string, unknown>>;

  constructor(message: string, options: { cause?: unknown; meta?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.meta = Object.freeze({ ...(options.meta ?? {}) });
  }
}

export interface ManifestIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** One or more manifests are invalid; nothing was sent to the API. */
export class ManifestError extends TpctlError {
  readonly code = "MANIFEST_INVALID";
  readonly issues: readonly ManifestIssue[];

  constructor(issues: readonly ManifestIssue[]) {
    const first = issues[0];
    super(
      issues.length === 1 && first
        ? `${first.file}:${first.line}:${first.column}: ${first.message}`
        : `${issues.length} problems found in the manifests`,
      { meta: { issues: issues.map((issue) => ({ ...issue })) } },
    );
    this.issues = Object.freeze([...issues]);
  }
}

/** The Timeplus API answered with an error status. */
export class ApiError extends TpctlError {
  readonly code = "API_ERROR";
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The engine or appserver error code from the body `{code, message, system}`, if any. */
  readonly apiCode: number | undefined;
  readonly apiMessage: string | undefined;

  constructor(input: { method: string; path: string; status: number; apiCode?: number | undefined; apiMessage?: string | undefined }) {
    const detail = input.apiMessage ? `: ${input.apiMessage}` : "";
    const codePart = input.apiCode !== undefined ? ` (code ${input.apiCode})` : "";
    super(`${input.method} ${input.path} failed with HTTP ${input.status}${codePart}${detail}`, {
      meta: { method: input.method, path: input.path, status: input.status, apiCode: input.apiCode },
    });
    this.method = input.method;
    this.path = input.path;
    this.status = input.status;
    this.apiCode = input.apiCode;
    this.apiMessage = input.apiMessage;
  }
}

/** The server could not be reached or the connection broke. */
export class NetworkError extends TpctlError {
  readonly code = "NETWORK_ERROR";
  constructor(method: string, url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`${method} ${url} could not reach the Timeplus server: ${why}`, { cause, meta: { method, url } });
  }
}

export class TimeoutError extends TpctlError {
  readonly code = "TIMEOUT";
  constructor(method: string, url: string, timeoutMs: number) {
    super(`${method} ${url} got no answer within ${timeoutMs} ms`, { meta: { method, url, timeoutMs } });
  }
}

/** Refused for safety (exit 3): a protected resource would be destroyed, or a destructive change lacks consent. */
export class SafetyRefusal extends TpctlError {
  readonly code = "SAFETY_REFUSAL";
}

/** A saved plan no longer matches the workspace or manifests it was made from (exit 3). */
export class StalePlanError extends TpctlError {
  readonly code = "STALE_PLAN";
}

/** The manifests form a dependency cycle. */
export class DependencyCycleError extends TpctlError {
  readonly code = "DEPENDENCY_CYCLE";
  constructor(readonly cycle: readonly string[]) {
    super(`dependency cycle: ${cycle.join(" -> ")}`, { meta: { cycle: [...cycle] } });
  }
}

/** The user asked for something that cannot be done as asked (bad flag, missing approval, ...). */
export class UsageError extends TpctlError {
  readonly code = "USAGE";
}

/** The live workspace is in a state tpctl cannot plan against safely (e.g. two sinks with one name). */
export class LiveStateError extends TpctlError {
  readonly code = "LIVE_STATE";
}

/** The user interrupted the run (Ctrl-C, SIGTERM, Ctrl-C at the prompt): exit 130, as shells do. */
export class InterruptedError extends TpctlError {
  readonly code = "INTERRUPTED";
}

/** A bug in tpctl. */
export class InternalError extends TpctlError {
  readonly code = "INTERNAL";
}
