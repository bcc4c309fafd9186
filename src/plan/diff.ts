import type { DesiredResource, FieldChange, InPlace, JsonObject, JsonValue, LiveResource } from "../model/index.js";
import { deepEqual, isJsonObject, isJsonArray } from "../model/index.js";
import { columnsVerdict, queryVerdict, type InPlaceVerdict } from "../sql/ddl/in-place.js";
import { canonicalizeSql, canonicalType, unwrapCodec } from "../sql/index.js";
import { KIND_MODULES, type FieldRule } from "../kinds/index.js";
import { changedSecrets, isSecretName, withoutSecrets } from "../model/secrets.js";

/**
 * The fields where a manifest and the live resource really differ. Differences that only the
 * server introduces (defaults, formatting, implicit columns) are not differences. `inPlace` is
 * what the connected driver can change without a replace (REST by default).
 */
export function diffResource(desired: DesiredResource, live: LiveResource, inPlace: InPlace = "rest"): FieldChange[] {
  const rules = KIND_MODULES[desired.kind].fields;
  const ignored = desired.lifecycle.ignoreChanges;
  const changed = changedSecretLabels(desired, live);
  const changes: FieldChange[] = [];
  // What SQL cannot store is never a difference over SQL; the plan says so once (plan.ts).
  const noDescription = inPlace === "sql" && KIND_MODULES[desired.kind].sqlHoldsNoMarker?.(desired.spec) !== undefined;
  for (const field of fieldsToCompare(desired)) {
    if (ignored.includes(field) || (noDescription && field === "description")) continue;
    const rule: FieldRule = rules[field] ?? { compare: "value", updatable: false };
    const declared = Object.hasOwn(desired.spec, field);
    if (rule.writeOnly) continue;
    if (!declared && (rule.computed || rule.default === undefined)) continue;
    const rawAfter = declared ? desired.spec[field] : rule.default;
    const rawBefore = Object.hasOwn(live.spec, field) ? live.spec[field] : rule.default;
    if (rawAfter === undefined) continue;
    // Secret values are never compared or carried: the API does not return them (docs/timeplus-api.md §4).
    const after = withoutSecrets(rawAfter, field, desired.secretPaths);
    let before =
      rawBefore === undefined
        ? undefined
        : rule.compare === "settings"
          ? withoutSecretSettings(rawBefore, secretSettingKeys(rawAfter, field, desired.secretPaths))
          : withoutSecrets(rawBefore, field, desired.secretPaths);
    if (rule.compare === "columns" && before !== undefined) before = withoutImplicitColumns(rawAfter, before);
    const changedHere =
      changed.length === 0
        ? changed
        : changed.filter((label) => label.startsWith(`${field}.`)).map((label) => label.slice(field.length + 1));
    if (changedHere.length === 0 && valuesEqual(rule, after, before)) continue;
    const verdict = inPlace === "sql" ? sqlVerdict(rule, desired, after, before) : undefined;
    changes.push({
      field,
      ...(before !== undefined ? { before } : {}),
      after,
      isSql: rule.compare === "sql",
      secret: changedHere.length > 0,
      ...(changedHere.length > 0 ? { changedSecrets: changedHere } : {}),
      forcesReplace: verdict ? !verdict.inPlace : !rule.updatable,
      ...(verdict && explain(verdict) !== "" ? { explanation: explain(verdict) } : {}),
    });
  }
  return changes;
}

/** Each kind's fields but `name`, sorted: the fields of nearly every resource, worked out once per kind. */
const KIND_FIELDS = new Map<string, readonly string[]>();

/** The kind's fields and any other the manifest declares, but `name`, in sorted order. */
function fieldsToCompare(desired: DesiredResource): readonly string[] {
  const rules = KIND_MODULES[desired.kind].fields;
  let known = KIND_FIELDS.get(desired.kind);
  if (known === undefined) {
    known = Object.keys(rules)
      .filter((field) => field !== "name")
      .sort();
    KIND_FIELDS.set(desired.kind, known);
  }
  const extra = Object.keys(desired.spec).filter((field) => field !== "name" && !Object.hasOwn(rules, field));
  return extra.length === 0 ? known : [...known, ...extra].sort();
}

function explain(verdict: InPlaceVerdict): string {
  return verdict.inPlace ? verdict.how : verdict.why;
}

/** Over SQL, for the fields whose rule says so (src/kinds/, `sql`): whether the engine changes this in place. */
function sqlVerdict(
  rule: FieldRule,
  desired: DesiredResource,
  after: JsonValue,
  before: JsonValue | undefined,
): InPlaceVerdict | undefined {
  if (rule.sql === undefined) return undefined;
  if (typeof rule.sql === "boolean") return rule.sql ? { inPlace: true, how: "" } : { inPlace: false, why: "" };
  if (rule.sql === "columns_appended") {
    if (!isJsonArray(after) || !isJsonArray(before)) return undefined;
    const [old, next] = [before.map(normalizeColumn), after.map(normalizeColumn)];
    if (!old.every(isJsonObject) || !next.every(isJsonObject)) return undefined;
    return columnsVerdict(old, next);
  }
  if (typeof after !== "string" || typeof before !== "string") return undefined;
  const target = desired.spec["target_stream"];
  return queryVerdict(before, after, { hasTarget: typeof target === "string" && target !== "" });
}

/**
 * Secrets are compared by the fingerprints tpctl wrote into the ownership marker. A resource tpctl
 * did not create has none, and its secrets cannot be known: they count as unchanged.
 */
function changedSecretLabels(desired: DesiredResource, live: LiveResource): string[] {
  if (live.owner === undefined || desired.secretPaths.length === 0) return [];
  return changedSecrets(desired.kind, desired.spec, desired.secretPaths, live.secretsFingerprint);
}

function valuesEqual(rule: FieldRule, desired: JsonValue, live: JsonValue | undefined): boolean {
  if (live === undefined) return false;
  switch (rule.compare) {
    case "sql":
      return typeof desired === "string" && typeof live === "string" ? sqlEqual(desired, live) : deepEqual(desired, live);
    case "text":
      return typeof desired === "string" && typeof live === "string" ? desired.trim() === live.trim() : deepEqual(desired, live);
    case "columns":
      return columnsEqual(desired, live);
    // Values equal as they are stay equal once normalized: the usual case needs no copies.
    case "sparse":
      return deepEqual(desired, live) || deepEqual(sparse(desired), sparse(live));
    case "settings":
      return deepEqual(desired, live) || deepEqual(normalizeSettings(desired), normalizeSettings(live));
    case "value":
      return deepEqual(desired, live);
  }
}

export function sqlEqual(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return canonicalizeSql(a) === canonicalizeSql(b);
  } catch {
    // Unparseable SQL (the server will say why) compares as text.
    return a.trim() === b.trim();
  }
}

/**
 * Columns as the server reads them back differ from what was sent: an implicit `_tp_time`
 * (and other `_tp_*` internals) is added, codecs come back wrapped as `CODEC(...)`, and
 * `nullable` is derived from the type (docs/timeplus-api.md §3.1, §4).
 */
function columnsEqual(desired: JsonValue, live: JsonValue): boolean {
  if (!isJsonArray(desired) || !isJsonArray(live)) return deepEqual(desired, live);
  const liveColumns = withoutImplicitColumns(desired, live);
  if (!isJsonArray(liveColumns)) return false;
  // Equal as written is equal once normalized, and the usual case of an unchanged stream: the
  // normalizing (types, codecs, default expressions) is then not needed.
  if (deepEqual(desired, liveColumns)) return true;
  return deepEqual(desired.map(normalizeColumn), liveColumns.map(normalizeColumn));
}

/** Live columns less the `_tp_*` ones the server adds, unless the manifest declares them. */
function withoutImplicitColumns(desired: JsonValue, live: JsonValue): JsonValue {
  if (!isJsonArray(desired) || !isJsonArray(live)) return live;
  // Nothing to leave out, nothing to copy: asked twice for every stream a plan compares.
  if (!live.some((column) => isJsonObject(column) && typeof column["name"] === "string" && column["name"].startsWith("_tp_"))) return live;
  const declaredNames = new Set(desired.map((column) => (isJsonObject(column) ? column["name"] : undefined)));
  return live.filter((column) => {
    const name = isJsonObject(column) ? column["name"] : undefined;
    return !(typeof name === "string" && name.startsWith("_tp_") && !declaredNames.has(name));
  });
}

function normalizeColumn(column: JsonValue): JsonValue {
  if (!isJsonObject(column)) return column;
  const text = (key: string): string => {
    const value = column[key];
    return typeof value === "string" ? value : "";
  };
  return {
    name: text("name"),
    // The engine reads types back in its own spelling (`int` as `int32`).
    type: squeeze(canonicalType(text("type"))),
    default: squeezeSql(text("default")),
    codec: squeeze(unwrapCodec(text("codec"))),
    ttl_expression: squeezeSql(text("ttl_expression")),
    skipping_index_expression: squeezeSql(text("skipping_index_expression")),
    comment: text("comment"),
  };
}

/**
 * Read-back fills absent optional fields with empty values (a dashboard panel's description "",
 * viz_config {}): empty and absent mean the same.
 */
function sparse(value: JsonValue): JsonValue {
  if (isJsonArray(value)) return value.map(sparse);
  if (!isJsonObject(value)) return value;
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    const reduced = sparse(item);
    if (reduced === null || reduced === "" || (isJsonArray(reduced) && reduced.length === 0)) continue;
    if (isJsonObject(reduced) && Object.keys(reduced).length === 0) continue;
    result[key] = reduced;
  }
  return result;
}

/**
 * The keys of the manifest's settings whose values are secret. Secret pointers index the
 * manifest's `settings` array, but the server leaves hidden settings out of its answer, which
 * shifts the positions of the rest: live settings must be matched by key, not by position.
 */
function secretSettingKeys(desired: JsonValue, field: string, secretPaths: readonly string[]): Set<string> {
  const keys = new Set<string>();
  if (!isJsonArray(desired)) return keys;
  for (const path of secretPaths) {
    const match = /^\/([^/]+)\/(\d+)\//.exec(path);
    if (!match || match[1] !== field) continue;
    const setting = desired[Number(match[2])];
    if (isJsonObject(setting) && typeof setting["key"] === "string") keys.add(setting["key"]);
  }
  return keys;
}

/** Live settings without the values of the given keys, as `withoutSecrets` leaves the manifest's. */
function withoutSecretSettings(live: JsonValue, secretKeys: ReadonlySet<string>): JsonValue {
  if (!isJsonArray(live) || secretKeys.size === 0) return live;
  return live.map((setting: JsonValue) => {
    if (!isJsonObject(setting) || typeof setting["key"] !== "string" || !secretKeys.has(setting["key"])) return setting;
    const { value: _secret, ...rest } = setting;
    return rest;
  });
}

/**
 * External stream and table settings are `{key, value}` pairs whose order means nothing; the
 * server does not return credential settings at all, so those are compared by fingerprint only.
 */
function normalizeSettings(value: JsonValue): JsonValue {
  if (!isJsonArray(value)) return value;
  return value
    .filter((setting: JsonValue) => !(isJsonObject(setting) && typeof setting["key"] === "string" && isSecretName(setting["key"])))
    .map((setting: JsonValue) => (isJsonObject(setting) ? { key: setting["key"] ?? "", value: String(setting["value"] ?? "") } : setting))
    .sort((a: JsonValue, b: JsonValue) => String((a as JsonObject)["key"]).localeCompare(String((b as JsonObject)["key"])));
}

function squeeze(text: string): string {
  return text.replace(/\s+/g, "");
}

function squeezeSql(text: string): string {
  if (text.trim() === "") return "";
  try {
    return canonicalizeSql(text);
  } catch {
    return text.trim();
  }
}
