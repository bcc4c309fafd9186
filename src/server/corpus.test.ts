import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NAME_PATTERN } from "../model/index.js";
import { extractReferences } from "../sql/index.js";
import { startTestServer, type TestServer } from "./test-utils.js";

interface CorpusQuery {
  readonly query: string;
  readonly source: string;
}

export const CORPUS: readonly CorpusQuery[] = (
  JSON.parse(readFileSync(new URL("../../test/corpus/timeplus-queries.json", import.meta.url), "utf8")) as { queries: CorpusQuery[] }
).queries;

let t: TestServer;
let dir: string;
beforeAll(async () => {
  // Memory-backed when the machine has it: every accepted view is a durable (fsync'd) write.
  dir = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "tpctl-corpus-"));
  t = await startTestServer({}, dir);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});
const BATCHES = 40;

describe("the SQL corpus against the built-in server", () => {
  it("accepts every query as a view", async () => {
    const refused: string[] = [];
    const batches = new Map<string, { index: number; query: string; source: string }[]>();
    for (const [index, entry] of CORPUS.entries()) {
      // One workspace per batch keeps each workspace's file small; batches run side by side.
      const workspace = `corpus${index % BATCHES}`;
      batches.set(workspace, [...(batches.get(workspace) ?? []), { index, ...entry }]);
    }
    await Promise.all(
      [...batches].map(async ([workspace, entries]) => {
        for (const { index, query, source } of entries) {
          let relations: readonly string[] = [];
          try {
            relations = extractReferences(query).relations;
          } catch {
            // The server will say why.
          }
          for (const relation of relations) {
            if (!NAME_PATTERN.test(relation)) continue;
            await t.call("POST", "/streams", { name: relation, columns: [{ name: "x", type: "string" }] }, { workspace });
          }
          const response = await t.call("POST", "/views", { name: `corpus_view_${index}`, query }, { workspace });
          if (response.status !== 201) refused.push(`${source}: ${JSON.stringify(response.body)}\n  ${query}`);
        }
      }),
    );
    console.log(`corpus: ${CORPUS.length - refused.length}/${CORPUS.length} accepted as views`);
    expect(refused).toEqual([]);
  }, 120_000);
});
