import type { JsonObject } from "../../model/index.js";
import * as catalogModule from "../catalog.js";
import { createTransaction, type Transaction } from "../catalog.js";
import { KIND_MODULES } from "../kinds/index.js";
import type { StateWriter } from "../store.js";
import { executeDdl, executeRead, isRead, type SqlEnv } from "./interpreter.js";
import { parseSql } from "./parser.js";
import type { Rows } from "./system.js";

/** An in-memory workspace for the interpreter's unit tests (the store's file persistence is tested apart). */
export function memoryWorkspace(): { tx: Transaction; run(sql: string): Rows | undefined; state: Map<string, Map<string, JsonObject>> } {
  const state = new Map<string, Map<string, JsonObject>>();
  // Where the store indexes dependencies (`dependencyIndexer` and `StateReader.referrers`), this
  // in-memory state answers the same questions by scanning, so the helper works with or without it.
  const indexer = (catalogModule as Record<string, unknown>)["dependencyIndexer"] as
    ((modules: typeof KIND_MODULES) => (kind: string, record: JsonObject) => readonly string[]) | undefined;
  const termsOf = indexer?.(KIND_MODULES);
  const writer = {
    get: (kind: string, key: string) => state.get(kind)?.get(key),
    list: (kind: string) => [...(state.get(kind)?.values() ?? [])],
    referrers(term: string) {
      const hits: { kind: string; key: string; record: JsonObject }[] = [];
      for (const [kind, records] of state) {
        for (const [key, record] of records) if (termsOf?.(kind, record).includes(term)) hits.push({ kind, key, record });
      }
      return hits;
    },
    put(kind: string, key: string, record: JsonObject) {
      let records = state.get(kind);
      if (!records) state.set(kind, (records = new Map()));
      records.set(key, structuredClone(record));
    },
    remove: (kind: string, key: string) => void state.get(kind)?.delete(key),
  } as StateWriter;
  const tx = createTransaction(KIND_MODULES, writer);
  const env: SqlEnv = { now: new Date("2026-01-02T03:04:05Z"), actor: { id: "tester", name: "tester" }, version: "3.0.0-test" };
  return {
    tx,
    state,
    run(sql) {
      const parsed = parseSql(sql);
      if (isRead(parsed.statement)) return executeRead(parsed, tx, env);
      // Like a real write: all or nothing.
      const snapshot = new Map([...state].map(([kind, records]) => [kind, new Map(records)]));
      try {
        executeDdl(parsed.statement, tx, env);
      } catch (error) {
        state.clear();
        for (const [kind, records] of snapshot) state.set(kind, records);
        throw error;
      }
      return undefined;
    },
  };
}
