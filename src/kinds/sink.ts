import type { KindModule } from "./kind.js";
import { textsOf } from "./kind.js";
import { isJsonObject } from "../model/index.js";
import { impliedPasswords, propertySecrets, slackUrl } from "./secrets.js";
import { description, fixed, properties, sqlReplace } from "./rules.js";

export const sink: KindModule = {
  kind: "sink",
  label: "sink",
  identity: "id",
  naming: "identifier",
  relation: false,
  home: "appserver",
  destructiveToLose: true,
  readsLoosely: false,
  fields: { description, type: fixed, query: sqlReplace, properties },
  references: (spec) => ({ sql: textsOf(spec, "query"), relations: [], schemas: [] }),
  sqlAt: () => [["query"]],
  secrets: (spec) => propertySecrets(spec, "type"),
  rest: { collection: "sinks", update: "patch-changed" },
  export: {
    folder: "sinks",
    hiddenSecrets: (spec) => {
      const paths = [...slackUrl(spec, "type"), ...impliedPasswords(spec)];
      // An HTTP sink's OAuth2 client (docs/timeplus-api.md §3.4).
      const properties = isJsonObject(spec["properties"]) ? spec["properties"] : {};
      const oauth2 = properties["oauth2"];
      if (spec["type"] === "http" && isJsonObject(oauth2) && oauth2["enabled"] === true) {
        paths.push("/properties/oauth2/client_key", "/properties/oauth2/client_secret");
      }
      return paths;
    },
  },
};
