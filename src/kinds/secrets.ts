import type { JsonObject, JsonValue } from "../model/index.js";
import { escapePointer, isJsonArray, isJsonObject } from "../model/index.js";
import { isSecretName } from "../model/secrets.js";

type Spec = Readonly<Record<string, JsonValue>>;

/**
 * Credentials among a sink's, source's or alert's `properties`, at any depth, and a Slack webhook
 * URL (which embeds its token) when `typeField` says `slack`.
 */
export function propertySecrets(spec: Spec, typeField: "type" | "action"): string[] {
  const properties = spec["properties"];
  if (!isJsonObject(properties)) return [];
  const paths: string[] = [];
  collect(properties, "/properties", paths);
  if (spec[typeField] === "slack" && typeof properties["url"] === "string") paths.push("/properties/url");
  return paths;
}

function collect(object: JsonObject, prefix: string, paths: string[]): void {
  for (const [key, value] of Object.entries(object)) {
    const path = `${prefix}/${escapePointer(key)}`;
    if (isSecretName(key)) paths.push(path);
    else if (isJsonObject(value)) collect(value, path, paths);
  }
}

/** The values of credential settings of an external stream or table (`sasl_password`, …). */
export function settingSecrets(spec: Spec): string[] {
  const settings = spec["settings"];
  if (!isJsonArray(settings)) return [];
  const paths: string[] = [];
  settings.forEach((setting: JsonValue, index: number) => {
    if (isJsonObject(setting) && typeof setting["key"] === "string" && isSecretName(setting["key"])) paths.push(`/settings/${index}/value`);
  });
  return paths;
}

/** A Slack webhook URL, which the API hides (docs/timeplus-api.md §3.4), when `typeField` says `slack`. */
export function slackUrl(spec: Spec, typeField: "type" | "action"): string[] {
  return spec[typeField] === "slack" ? ["/properties/url"] : [];
}

/** A user name implies the password the API hides: leaving it out of an export would wipe the live one. */
export function impliedPasswords(spec: Spec): string[] {
  const properties = isJsonObject(spec["properties"]) ? spec["properties"] : {};
  const hasKey = (pattern: RegExp): boolean => Object.keys(properties).some((key) => pattern.test(key));
  const paths: string[] = [];
  if (hasKey(/^(username|user)$/i) && !hasKey(/^password$/i)) paths.push("/properties/password");
  if (hasKey(/^sasl_(username|user)$/i) && !hasKey(/^sasl_password$/i)) paths.push("/properties/sasl_password");
  return paths;
}

/** A named collection usually holds credentials: every value is secret, none is read back. */
export function everySettingValue(spec: Spec): string[] {
  const settings = spec["settings"];
  return isJsonArray(settings) ? settings.map((_setting: JsonValue, index: number) => `/settings/${index}/value`) : [];
}

/** Credentials among a dictionary's SOURCE parameters (`password`, …). */
export function sourceSecrets(spec: Spec): string[] {
  const source = spec["source"];
  if (!isJsonObject(source)) return [];
  const paths: string[] = [];
  collect(source, "/source", paths);
  return paths;
}
