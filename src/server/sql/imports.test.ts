import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The server's SQL shares only the tokenizer (and model types) with the client, so that the client's
 * DDL rendering and reading can never agree with the server by sharing a bug.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const SRC = resolve(HERE, "../..");

describe("src/server/sql imports", () => {
  it("reach client code only through src/sql/tokenize.ts", async () => {
    const problems: string[] = [];
    for (const file of (await readdir(HERE)).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))) {
      const text = await readFile(join(HERE, file), "utf8");
      for (const [, specifier] of text.matchAll(/from\s+"([^"]+)"/g)) {
        if (!specifier?.startsWith(".")) continue;
        const target = relative(SRC, resolve(HERE, specifier)).replace(/\\/g, "/");
        if (target.startsWith("server/") || target.startsWith("model/") || target === "sql/tokenize.js") continue;
        problems.push(`${file} imports ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
