/**
 * The credentials a contract suite sends to a real deployment, from the same variables tpctl reads:
 * an API key (Cloud) or else Basic (Enterprise). `apiKey: false` for a transport that takes Basic only.
 */
export function credentialHeaders(env: NodeJS.ProcessEnv, options: { apiKey?: boolean } = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  if ((options.apiKey ?? true) && env["TIMEPLUS_API_KEY"]) headers["X-Api-Key"] = env["TIMEPLUS_API_KEY"];
  else if (env["TIMEPLUS_USERNAME"]) {
    headers["Authorization"] = `Basic ${Buffer.from(`${env["TIMEPLUS_USERNAME"]}:${env["TIMEPLUS_PASSWORD"] ?? ""}`).toString("base64")}`;
  }
  return headers;
}
