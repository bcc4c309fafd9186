import type { Change, FieldChange, JsonValue, Plan } from "../model/index.js";
import { isJsonObject, isJsonArray, pointerSegments } from "../model/index.js";

/** What a secret value is replaced with wherever a renderer would otherwise show it. */
export const SECRET_PLACEHOLDER = "(secret)";

/**
 * Secrets below this length are not scrubbed from free text: replacing every "ab" in a plan would
 * garble it, and the structural masking below is the real guard; scrubbing is the safety net for
 * a secret that leaks into an error message or an ordinary field.
 */
const MIN_SCRUB_LENGTH = 4;

function secretPathsOf(change: Change): readonly string[] {
  return "desired" in change ? change.desired.secretPaths : [];
}

/** A field is secret when its change says so or any secret pointer of the manifest lies in it. */
export function isSecretField(change: Change, fieldChange: Pick<FieldChange, "field" | "secret">): boolean {
  if (fieldChange.secret) return true;
  return secretPathsOf(change).some((pointer) => {
    const [first] = pointerSegments(pointer);
    return first === undefined || first === fieldChange.field;
  });
}

/** A copy of `value` with every value a secret pointer names replaced by SECRET_PLACEHOLDER. */
export function maskSecrets(value: JsonValue, secretPaths: readonly string[]): JsonValue {
  let result = value;
  for (const pointer of secretPaths) result = maskAt(result, pointerSegments(pointer));
  return result;
}

function maskAt(value: JsonValue, segments: readonly string[]): JsonValue {
  const [head, ...rest] = segments;
  if (head === undefined) return SECRET_PLACEHOLDER;
  if (isJsonArray(value)) {
    const index = Number(head);
    if (!Number.isInteger(index) || index < 0 || index >= value.length) return value;
    return value.map((item: JsonValue, at: number) => (at === index ? maskAt(item, rest) : item));
  }
  if (isJsonObject(value) && Object.hasOwn(value, head)) {
    return { ...value, [head]: maskAt(value[head] as JsonValue, rest) };
  }
  return value;
}

function valueAt(value: JsonValue | undefined, segments: readonly string[]): JsonValue | undefined {
  let current = value;
  for (const segment of segments) {
    if (isJsonArray(current)) current = current[Number(segment)];
    else if (isJsonObject(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

function collectLeaves(value: JsonValue | undefined, into: Set<string>): void {
  if (value === undefined || value === null) return;
  if (isJsonArray(value)) for (const item of value) collectLeaves(item, into);
  else if (isJsonObject(value)) for (const item of Object.values(value)) collectLeaves(item, into);
  else if (typeof value !== "boolean") into.add(String(value));
}

/**
 * A function that blanks every secret value the plan holds (manifest secrets, and the live values
 * at the same places) out of a piece of free text: reasons, warnings, error messages.
 */
export function createRedactor(plan: Plan): (text: string) => string {
  const secrets = new Set<string>();
  for (const change of plan.changes) {
    for (const pointer of secretPathsOf(change)) {
      const segments = pointerSegments(pointer);
      if ("desired" in change) collectLeaves(valueAt(change.desired.spec, segments), secrets);
      if ("live" in change) collectLeaves(valueAt(change.live.spec, segments), secrets);
    }
    for (const fieldChange of change.fieldChanges) {
      if (!fieldChange.secret) continue;
      collectLeaves(fieldChange.before, secrets);
      collectLeaves(fieldChange.after, secrets);
    }
  }
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SCRUB_LENGTH) continue;
    needles.add(secret);
    // The same secret as it appears inside a JSON string.
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is blanked whole.
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => ordered.reduce((result, needle) => result.split(needle).join(SECRET_PLACEHOLDER), text);
}
