import type { JsonObject, JsonValue } from "../../model/index.js";
import { isJsonObject } from "../../model/index.js";

/** Parts of a property or setting key that mark its value as a credential. */
const SECRET_PARTS = ["password", "passwd", "secret", "token", "sasl", "credential"];
/** Key-words that name a credential; `message_key` or `partition_key` name data, not secrets. */
const SECRET_KEY_WORDS = new Set(["apikey", "accesskey", "privatekey", "clientkey", "secretkey", "sslkey"]);

/**
 * Whether the real service would keep the value of `key` to itself: GET never returns credentials
 * (docs/timeplus-api.md §4, "Sensitive properties … are not returned"). The key is split into words at
 * anything but letters and digits; a word containing password, secret, token, sasl or credential,
 * or a credential key (`api_key`, `apikey`, `access_key`, `private_key`, `client_key`, `key_value`)
 * marks a secret (docs/fidelity.md).
 */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  const words = lower.split(/[^a-z0-9]+/).filter((word) => word !== "");
  const joined = lower.replace(/[^a-z0-9]+/g, "");
  return (
    words.some((word) => SECRET_PARTS.some((part) => word.includes(part)) || SECRET_KEY_WORDS.has(word)) ||
    [...SECRET_KEY_WORDS].some((credential) => joined.endsWith(credential)) ||
    lower === "key_value"
  );
}

/**
 * `properties` as GET shows them: secret keys dropped at any depth (inside nested objects and
 * arrays), plus the top-level keys in `alsoHidden` (a Slack webhook `url` holds its token).
 */
export function visibleProperties(properties: JsonValue | undefined, alsoHidden: readonly string[] = []): JsonObject {
  if (!isJsonObject(properties)) return {};
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (isSecretKey(key) || alsoHidden.includes(key)) continue;
    out[key] = withoutSecrets(value);
  }
  return out;
}

function withoutSecrets(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(withoutSecrets);
  return isJsonObject(value) ? visibleProperties(value) : value;
}

/** `settings[] {key, value}` as GET shows them: entries with a secret key left out. */
export function visibleSettings(settings: JsonValue | undefined): JsonValue[] {
  if (!Array.isArray(settings)) return [];
  return (settings as readonly JsonValue[]).filter((setting) => !(isJsonObject(setting) && isSecretKey(String(setting["key"]))));
}
