import type { ManifestIssue } from "../errors.js";
import type { JsonValue } from "../model/index.js";
import { isJsonArray, isJsonObject } from "../model/index.js";
import type { JsonPath, Locator, ParsedDocument } from "./parse.js";
import { closest, pointerOf } from "../model/index.js";
import type { ResolvedDocument } from "./validate.js";

/** What `${var.NAME}`, `${env:NAME}` and `${secret:NAME}` read. */
export interface InterpolationContext {
  readonly variables: Readonly<Record<string, JsonValue>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The variables that hold tpctl's own credentials (TIMEPLUS_PASSWORD, TIMEPLUS_API_KEY and those
   * tpctl.yaml names): a manifest may not read them, or the password would land in a plan.
   */
  readonly credentialVariables?: readonly string[];
  /** The credentials' values: any string that contains one is treated as a secret. */
  readonly credentialValues?: readonly string[];
}

/** Always tpctl's own, whatever tpctl.yaml says. */
export const CREDENTIAL_VARIABLES: readonly string[] = ["TIMEPLUS_PASSWORD", "TIMEPLUS_API_KEY"];

export interface ResolvedValue {
  readonly value: JsonValue;
  /** JSON pointers (relative to the value resolved) of strings that hold a secret. */
  readonly secretPaths: readonly string[];
  readonly issues: readonly ManifestIssue[];
}

const REFERENCE = /^(?:var\.([A-Za-z_][A-Za-z0-9_]*)|(env|secret):([A-Za-z_][A-Za-z0-9_]*))$/;

type Part = { readonly text: string } | { readonly variable: string } | { readonly env: string; readonly secret: boolean };

/**
 * Interpolates every string of a document. A string that is exactly one reference takes the
 * referenced value's type (a number variable stays a number); references inside longer strings
 * are spliced in as text. `$${` writes a literal `${`. A string that takes in a `${secret:…}`
 * is recorded as secret by its JSON pointer, and no message ever quotes a resolved value.
 *
 * @example resolveDocument(doc, { variables: { retention: 3600000 }, env: process.env })
 */
export function resolveDocument(
  document: ParsedDocument,
  context: InterpolationContext,
): { readonly document: ResolvedDocument; readonly issues: readonly ManifestIssue[] } {
  const resolved = resolveValue(document.value, [], document.locate, context);
  const value = isJsonObject(resolved.value) ? resolved.value : document.value;
  // Built field by field: spreading the document was a sizeable share of resolving a large workspace.
  const out: ResolvedDocument = {
    file: document.file,
    location: document.location,
    value,
    locate: document.locate,
    secretPaths: resolved.secretPaths,
  };
  return { document: out, issues: resolved.issues };
}

/** Interpolates `value`, which sits at `path` of the document `locate` belongs to; pointers are relative to `value`. */
export function resolveValue(value: JsonValue, path: JsonPath, locate: Locator, context: InterpolationContext): ResolvedValue {
  const secretPaths: string[] = [];
  const issues: ManifestIssue[] = [];
  // Where the walk is, one array pushed and popped: copying a path for every node of every
  // manifest was most of the time of a workspace that interpolates nothing.
  const at: (string | number)[] = [];
  const below = (key: string | number, node: JsonValue): JsonValue => {
    at.push(key);
    const result = walk(node);
    at.pop();
    return result;
  };
  const walk = (node: JsonValue): JsonValue => {
    if (typeof node === "string") {
      const result = node.includes("${") ? interpolate(node, [...path, ...at], locate, context, issues) : { value: node, secret: false };
      if (result.secret || holdsCredential(result.value, context)) secretPaths.push(pointerOf(at));
      return result.value;
    }
    // A node whose strings interpolate nothing is kept as it is, not copied: most are.
    if (isJsonArray(node)) {
      let out: JsonValue[] | undefined;
      for (let index = 0; index < node.length; index++) {
        const item = node[index] as JsonValue;
        const result = below(index, item);
        if (out !== undefined) out.push(result);
        else if (result !== item) out = [...node.slice(0, index), result];
      }
      return out ?? node;
    }
    if (isJsonObject(node)) {
      let out: Record<string, JsonValue> | undefined;
      const keys = Object.keys(node);
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index] as string;
        const item = node[key] as JsonValue;
        const result = below(key, item);
        if (out !== undefined) out[key] = result;
        else if (result !== item) {
          out = {};
          for (let before = 0; before < index; before++) out[keys[before] as string] = node[keys[before] as string] as JsonValue;
          out[key] = result;
        }
      }
      return out ?? node;
    }
    return node;
  };
  return { value: walk(value), secretPaths, issues };
}

function holdsCredential(value: JsonValue, context: InterpolationContext): boolean {
  if (typeof value !== "string" || !context.credentialValues) return false;
  return context.credentialValues.some((credential) => credential.length > 0 && value.includes(credential));
}

function interpolate(
  text: string,
  path: JsonPath,
  locate: Locator,
  context: InterpolationContext,
  issues: ManifestIssue[],
): { value: JsonValue; secret: boolean } {
  if (!text.includes("${")) return { value: text, secret: false };
  const report = (message: string): void => {
    issues.push({ ...locate(path), message });
  };
  const parts = split(text, report);
  if (parts === undefined) return { value: text, secret: false };

  let secret = false;
  const values: JsonValue[] = [];
  let failed = false;
  for (const part of parts) {
    if ("text" in part) {
      values.push(part.text);
    } else if ("variable" in part) {
      // Own properties only: `${var.constructor}` is undefined, not Object's constructor.
      const value = Object.hasOwn(context.variables, part.variable) ? context.variables[part.variable] : undefined;
      if (value === undefined) {
        const known = Object.keys(context.variables);
        const suggestion = closest(part.variable, known);
        report(
          `\${var.${part.variable}} has no value: declare "${part.variable}" under variables in tpctl.yaml with a default, or set it in the chosen environment${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
        );
        failed = true;
      } else {
        values.push(value);
      }
    } else if ([...CREDENTIAL_VARIABLES, ...(context.credentialVariables ?? [])].includes(part.env)) {
      report(
        `\${${part.secret ? "secret" : "env"}:${part.env}} reads tpctl's own credential; a manifest may not use it (it would reach the plan and the workspace): give the resource its own variable`,
      );
      failed = true;
    } else {
      const value = Object.hasOwn(context.env, part.env) ? context.env[part.env] : undefined;
      if (value === undefined) {
        report(`environment variable ${part.env} is not set; \${${part.secret ? "secret" : "env"}:${part.env}} needs it`);
        failed = true;
      } else {
        values.push(value);
        secret ||= part.secret;
      }
    }
  }
  if (failed) return { value: text, secret };
  // A string that is only a reference takes the referenced value as it is, type and all.
  if (parts.length === 1 && !("text" in (parts[0] as Part))) return { value: values[0] as JsonValue, secret };

  let out = "";
  for (const [index, value] of values.entries()) {
    if (typeof value === "object" && value !== null) {
      const part = parts[index] as { variable: string };
      report(
        `\${var.${part.variable}} holds a ${Array.isArray(value) ? "list" : "mapping"}, so it can only be used as a whole value, not inside a longer string`,
      );
      return { value: text, secret };
    }
    out += String(value);
  }
  return { value: out, secret };
}

/** Splits a string into text and references; undefined (with an issue) when a `${` is malformed. */
function split(text: string, report: (message: string) => void): Part[] | undefined {
  const parts: Part[] = [];
  let literal = "";
  let index = 0;
  while (index < text.length) {
    if (text.startsWith("$${", index)) {
      literal += "${";
      index += 3;
      continue;
    }
    if (!text.startsWith("${", index)) {
      literal += text[index];
      index += 1;
      continue;
    }
    const end = text.indexOf("}", index + 2);
    if (end === -1) {
      report(`"\${" is not closed by "}"; write $\${ for a literal \${`);
      return undefined;
    }
    const reference = text.slice(index + 2, end);
    const match = REFERENCE.exec(reference.trim());
    if (!match) {
      report(
        `"\${${reference}}" is not a reference tpctl knows; use \${var.NAME}, \${env:NAME} or \${secret:NAME}, or write $\${ for a literal \${`,
      );
      return undefined;
    }
    if (literal !== "") parts.push({ text: literal });
    literal = "";
    if (match[1] !== undefined) parts.push({ variable: match[1] });
    else parts.push({ env: match[3] as string, secret: match[2] === "secret" });
    index = end + 1;
  }
  if (literal !== "" || parts.length === 0) parts.push({ text: literal });
  return parts;
}
