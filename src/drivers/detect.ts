import { Buffer } from "node:buffer";
import { Agent, request as sendOn } from "./undici.js";
import { ApiError, NetworkError, TimeoutError, UsageError } from "../errors.js";
import type { TimeplusClient } from "./http.js";
import { engineError, rowsFromEngineJson, rowsFromExec, text } from "./sql/decode.js";
import type { Transport } from "./driver.js";

/** `--api` / `TIMEPLUS_API`: which way to talk to the deployment. */
export type ApiChoice = "rest" | "sql" | "auto";

const CHOICES: readonly ApiChoice[] = ["rest", "sql", "auto"];

/** The flag wins over the variable; both absent means `auto`. */
export function parseApiChoice(flag: unknown, variable: string | undefined): ApiChoice {
  const given = flag !== undefined && flag !== false ? flag : variable === undefined || variable === "" ? "auto" : variable;
  if (typeof given === "string" && (CHOICES as readonly string[]).includes(given)) return given as ApiChoice;
  const source = flag !== undefined && flag !== false ? "--api" : "TIMEPLUS_API";
  throw new UsageError(`${source} must be rest, sql or auto, not "${String(given)}"`);
}

/** What the probes found; each is absent when it was not sent. */
export interface ProbeAnswers {
  /** `POST …/exec` of `SELECT version()`: 200 with the version, or the status that said "no". */
  readonly exec?: { readonly ok: true; readonly version: string } | { readonly ok: false; readonly status: number };
  /** `GET /info` of the appserver: its `product` and `version`, when it answered. */
  readonly info?: { readonly product?: string; readonly version?: string };
  /** The engine's `SELECT version()` at `/`: its version, or undefined when nothing engine-like answered. */
  readonly engine?: { readonly ok: true; readonly version: string } | { readonly ok: false };
}

export type Decision = { readonly transport: Transport; readonly product: string; readonly version?: string } | { readonly error: string };

/** The product name the built-in server gives in `/info`. */
export const BUILT_IN_PRODUCT = "tpctl built-in server";

/**
 * Which transport to use, from the probes' answers (docs/sql-driver.md, "Choosing"):
 * - `rest` never probes;
 * - an appserver with `/exec` is spoken to in SQL (`exec`, REST for the appserver's own kinds),
 *   except by `auto` on the built-in server when it serves everything (its engine interface answers
 *   at `/` too: profile `all`), where auto keeps today's REST behaviour;
 * - an appserver without `/exec` (the 2024 API), or a server that answered nothing SQL-like, is
 *   REST for `auto`; `sql` there is an error;
 * - no appserver but an engine: SQL through the engine (`engine`), for `auto` and `sql`.
 */
export function decide(choice: ApiChoice, answers: ProbeAnswers): Decision {
  if (choice === "rest") return { transport: "rest", ...product(answers, "rest") };
  const builtInServesAll = answers.info?.product === BUILT_IN_PRODUCT && answers.engine?.ok === true;
  if (choice === "auto" && builtInServesAll) return { transport: "rest", ...product(answers, "rest") };
  if (answers.exec?.ok || (choice === "sql" && builtInServesAll)) return { transport: "exec", ...product(answers, "exec") };
  if (answers.info === undefined && answers.engine?.ok) return { transport: "engine", ...product(answers, "engine") };
  if (choice === "auto") return { transport: "rest", ...product(answers, "rest") };
  if (answers.engine?.ok) return { transport: "engine", ...product(answers, "engine") };
  return {
    error:
      "--api sql needs a SQL path, but the deployment has neither the appserver's /exec (Timeplus Enterprise 2.x and later) nor the engine's HTTP interface; use --api rest for a deployment of the 2024 REST API",
  };
}

/**
 * What `decide` needs to know, asked as few times one after another as it can be: `GET /info` (an
 * appserver answers) and the engine's `SELECT version()` as a GET at `/` (a bare engine, or the
 * built-in server's profile `all`) go together, since each is a read and every probe took a round
 * trip before the first real request; only when they leave the choice open, `POST …/exec` of
 * `SELECT version()`. At most three requests; on the built-in server's default profile and on a
 * bare engine, two GETs in one round trip, so that a read-only command still sends only GETs
 * there. An appserver's answer at `/` (its web console) is not engine-like and is not used.
 * `/info` gets the REST client's credentials.
 */
export async function probe(input: {
  choice: ApiChoice;
  client: Pick<TimeplusClient, "request">;
  address: string;
  username?: string;
  password?: string;
  apiKey?: string;
  timeoutMs?: number;
}): Promise<ProbeAnswers> {
  if (input.choice === "rest") return {};
  const raw = rawHttp(input.address, input.username, input.password, input.apiKey, input.timeoutMs ?? 10_000);
  try {
    const [info, engineAnswer] = await Promise.all([
      raw.info(),
      raw.engineVersion().then(
        (answer) => ({ answer }),
        (error: unknown) => ({ error }),
      ),
    ]);
    const builtIn = info?.product === BUILT_IN_PRODUCT;
    // The engine's answer counts only where no appserver other than the built-in one answered.
    const engineCounts = info === undefined || builtIn;
    if (engineCounts && "error" in engineAnswer) throw engineAnswer.error;
    const engine = engineCounts && "answer" in engineAnswer ? engineAnswer.answer : undefined;
    const answers: ProbeAnswers = { ...(info ? { info } : {}), ...(engine ? { engine } : {}) };
    const settled = engine?.ok === true && (builtIn || info === undefined);
    if (settled) return answers;
    return { ...answers, exec: await probeExec(input.client) };
  } finally {
    await raw.close();
  }
}

function product(answers: ProbeAnswers, transport: Transport): { product: string; version?: string } {
  if (transport === "engine") {
    const version = answers.engine?.ok ? answers.engine.version : undefined;
    return { product: "Timeplus engine", ...(version ? { version } : {}) };
  }
  const name = answers.info?.product ?? (answers.exec?.ok ? "Timeplus Enterprise" : "Timeplus");
  const version = answers.exec?.ok ? answers.exec.version : answers.info?.version;
  return { product: name === BUILT_IN_PRODUCT ? "the tpctl built-in server" : name, ...(version ? { version } : {}) };
}

const PROBE_ATTEMPTS = 4;

/** A probe is a read: a failure in transit or a 5xx is asked again, a few times. */
function transient(error: unknown): boolean {
  return (
    error instanceof NetworkError ||
    error instanceof TimeoutError ||
    (error instanceof ApiError && error.status >= 500 && error.apiCode === undefined)
  );
}

async function probeExec(client: Pick<TimeplusClient, "request">): Promise<NonNullable<ProbeAnswers["exec"]>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await client.request<unknown>({
        method: "POST",
        path: "/exec",
        body: { sql: "SELECT version() AS version", type: "historical" },
      });
      const row = rowsFromExec(response.body)[0];
      return { ok: true, version: row ? text(row, "version") : "" };
    } catch (error) {
      if (error instanceof ApiError && [404, 405, 501].includes(error.status)) return { ok: false, status: error.status };
      if (!transient(error) || attempt >= PROBE_ATTEMPTS) throw error;
    }
  }
}

function rawHttp(
  address: string,
  username: string | undefined,
  password: string | undefined,
  apiKey: string | undefined,
  timeoutMs: number,
) {
  const url = new URL(address);
  const prefix = url.pathname.replace(/\/+$/, "");
  const agent = new Agent({ connections: 2 });
  const get = async (
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; headers: Record<string, unknown> } | undefined> => {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await getOnce(path, headers);
      if (
        attempt >= PROBE_ATTEMPTS ||
        (answer !== undefined && answer.status < 500) ||
        (answer !== undefined && answer.headers["x-timeplus-exception-code"] !== undefined)
      )
        return answer;
    }
  };
  const getOnce = async (
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; headers: Record<string, unknown> } | undefined> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await sendOn(agent, {
        origin: url.origin,
        path: `${prefix}${path}`,
        method: "GET",
        headers: { "user-agent": "tpctl", ...headers },
        signal: controller.signal,
      });
      return { status: response.statusCode, text: await response.body.text(), headers: response.headers };
    } catch {
      // Nothing answering there is an answer too: not this kind of server.
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  const user = username ?? (url.username === "" ? undefined : decodeURIComponent(url.username));
  const key = password ?? (url.password === "" ? undefined : decodeURIComponent(url.password));
  const appserverAuth: Record<string, string> = {
    ...(user !== undefined ? { authorization: `Basic ${Buffer.from(`${user}:${key ?? ""}`, "utf8").toString("base64")}` } : {}),
    ...(apiKey !== undefined ? { "x-api-key": apiKey } : {}),
  };
  return {
    async info(): Promise<ProbeAnswers["info"]> {
      // With the credentials the REST client sends: an appserver may guard /info too.
      const answer = await get("/info", { accept: "application/json", ...appserverAuth });
      if (answer?.status !== 200) return undefined;
      try {
        // The seed's Info names the product `product_name` and versions each component (`neutron`
        // is the appserver); earlier builds of the built-in server said `product` and `version`.
        const body = JSON.parse(answer.text) as {
          product_name?: unknown;
          product?: unknown;
          version?: unknown;
          neutron?: { version?: unknown };
        };
        const product = typeof body.product_name === "string" ? body.product_name : body.product;
        const version = typeof body.neutron?.version === "string" ? body.neutron.version : body.version;
        return {
          ...(typeof product === "string" ? { product } : {}),
          ...(typeof version === "string" ? { version } : {}),
        };
      } catch {
        return undefined;
      }
    },
    async engineVersion(): Promise<NonNullable<ProbeAnswers["engine"]>> {
      const headers: Record<string, string> = { "x-timeplus-format": "JSONCompact" };
      if (user !== undefined) {
        headers["x-timeplus-user"] = user;
        headers["x-timeplus-key"] = key ?? "";
      }
      const answer = await get(`/?query=${encodeURIComponent("SELECT version() AS version")}`, headers);
      const code = answer?.headers["x-timeplus-exception-code"];
      // The engine is there but refuses these credentials: say so rather than guess another API.
      if (answer !== undefined && String(code) === "516") {
        throw engineError({ status: answer.status, codeHeader: String(code), text: answer.text, path: "/", secrets: key ? [key] : [] });
      }
      if (answer?.status !== 200 || code !== undefined) return { ok: false };
      try {
        const row = rowsFromEngineJson(answer.text)[0];
        return row ? { ok: true, version: text(row, "version") } : { ok: false };
      } catch {
        return { ok: false };
      }
    },
    close: () => agent.close(),
  };
}
