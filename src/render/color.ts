/** A colour function: identity when colour is off. */
export type Paint = (text: string) => string;

export interface Colors {
  readonly enabled: boolean;
  readonly bold: Paint;
  readonly dim: Paint;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;
}

// Each style closes with its own reset code, so nested styles keep the outer one.
const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    text === "" ? "" : `\u001b[${open}m${text}\u001b[${close}m`;
const plain: Paint = (text) => text;

const ON: Colors = Object.freeze({
  enabled: true,
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
});
const OFF: Colors = Object.freeze({ enabled: false, bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain });

/** The palette for a rendering; the caller decides whether colour is on. */
export function createColors(enabled: boolean): Colors {
  return enabled ? ON : OFF;
}

/**
 * Whether to colour output written to a stream: `NO_COLOR` (any non-empty value, no-color.org)
 * always wins; then `FORCE_COLOR` (on unless "0" or "false", as Node reads it); then a dumb
 * terminal or a non-TTY stream turns colour off.
 *
 * @example shouldUseColor({ isTTY: stdout.isTTY === true, env })
 */
export function shouldUseColor(input: { readonly isTTY: boolean; readonly env: Readonly<Record<string, string | undefined>> }): boolean {
  const { env } = input;
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env["TERM"] === "dumb") return false;
  return input.isTTY;
}
