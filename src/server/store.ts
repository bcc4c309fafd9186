import { closeSync, fdatasync, ftruncateSync, openSync, writeSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { JsonObject, JsonValue } from "../model/index.js";
import { isJsonObject } from "../model/index.js";

/** An object found through the index: its kind, its key and the record. */
export interface Referrer {
  readonly kind: string;
  readonly key: string;
  readonly record: JsonObject;
}

/** Read access to one workspace's objects, by kind and key (name or id). */
export interface StateReader {
  get(kind: string, key: string): JsonObject | undefined;
  /** In insertion order. */
  list(kind: string): JsonObject[];
  /** Objects whose index terms include `term`, in insertion order. */
  referrers(term: string): Referrer[];
}

export interface StateWriter extends StateReader {
  put(kind: string, key: string, record: JsonObject): void;
  remove(kind: string, key: string): void;
}

/**
 * The terms under which a record is found by `referrers` (for the catalog: the names it reads,
 * writes and uses). Called when a record is written, never when one is looked up, so that a
 * question like "who depends on s?" costs the number of answers, not the size of the workspace.
 */
export type Indexer = (kind: string, record: JsonObject) => readonly string[];

export interface StoreOptions {
  readonly indexer?: Indexer;
  /** Compact a workspace once its log holds this many writes and at least as many as it has objects (default 1,000). */
  readonly compactAfter?: number;
}

type Op = readonly ["put", string, string, JsonObject] | readonly ["remove", string, string];

const FORMAT_VERSION = 1;
const SNAPSHOT_SUFFIX = ".json";
const LOG_SUFFIX = ".log";
const TEMPORARY_SUFFIX = ".tmp";
const DEFAULT_COMPACT_AFTER = 1000;
/** How long an acknowledged write may stay in the operating system's cache before the log is synced to the disk. */
const SYNC_INTERVAL_MS = 100;

/** Workspace segments that can safely name a file (Enterprise uses `default`, Cloud an 8-character id). */
export const WORKSPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The server's state, in memory, persisted per workspace as a snapshot plus an append-only log:
 *
 * - `<workspace>.log` gets one JSON line per acknowledged write (its sequence number and the
 *   puts and removes it made). The writes accepted in one turn of the event loop are appended
 *   together, by one write into the operating system's file, before any of them is acknowledged
 *   (group commit), so a write costs one small append whatever the workspace holds, and `kill -9`
 *   never loses an acknowledged write: the process dies, the file in the OS keeps the line. The
 *   log is synced to the disk (`fdatasync`, in the thread pool) at most SYNC_INTERVAL_MS later, so
 *   a power cut or a crash of the OS may lose the writes of that last moment, as Redis's default
 *   (`appendfsync everysec`) may lose a second. Syncing before every answer cost 1.3 ms a write,
 *   more than every other part of handling it together (docs/fidelity.md, Persistence).
 * - `<workspace>.json` is the snapshot, rewritten atomically (temporary file, fsync, rename, fsync
 *   of the folder) when the log has grown as long as the workspace is large (so the cost per write
 *   stays constant on average), at start and at close. It records the last sequence number it
 *   holds; lines at or below it are skipped, so a crash between the rename and the removal of the
 *   log replays nothing twice.
 *
 * A change runs at once, synchronously, against every change accepted before it (so two requests
 * never interleave a read-modify-write); readers see only what the log holds.
 */
export class Store {
  private readonly workspaces = new Map<string, Workspace>();
  private readonly indexer: Indexer;
  private readonly compactAfter: number;
  private temporaryFiles = 0;

  private constructor(
    private readonly dataDir: string,
    options: StoreOptions,
  ) {
    this.indexer = options.indexer ?? (() => []);
    this.compactAfter = options.compactAfter ?? DEFAULT_COMPACT_AFTER;
  }

  /**
   * Opens (creating if needed) the data folder, removes temporary files a crash left behind,
   * loads every workspace (snapshot, then the log past it) and compacts those that had a log.
   */
  static async open(dataDir: string, options: StoreOptions = {}): Promise<Store> {
    await mkdir(dataDir, { recursive: true });
    const store = new Store(dataDir, options);
    const names = new Set<string>();
    for (const entry of await readdir(dataDir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      if (entry.name.endsWith(TEMPORARY_SUFFIX)) {
        // Only a snapshot being written is ever a temporary file: one left here was never renamed
        // into place, so nothing refers to it.
        if (WORKSPACE_PATTERN.test(entry.name.split(".")[0] ?? "")) await rm(join(dataDir, entry.name), { force: true });
        continue;
      }
      for (const suffix of [SNAPSHOT_SUFFIX, LOG_SUFFIX]) {
        const workspace = entry.name.slice(0, -suffix.length);
        if (entry.name.endsWith(suffix) && WORKSPACE_PATTERN.test(workspace)) names.add(workspace);
      }
    }
    for (const name of [...names].sort()) {
      const workspace = await store.load(name);
      store.workspaces.set(name, workspace);
      if (workspace.logLines > 0) await store.compact(workspace);
    }
    return store;
  }

  read(workspace: string): StateReader {
    return this.workspaces.get(workspace)?.durable ?? EMPTY;
  }

  /**
   * Runs `change` against every change accepted so far and resolves once what it changed is in
   * the log file; `change` throwing leaves the workspace untouched. A change that changes nothing
   * resolves once everything it saw is in the log.
   */
  write<T>(workspace: string, change: (state: StateWriter) => T): Promise<T> {
    if (!WORKSPACE_PATTERN.test(workspace)) return Promise.reject(new Error(`invalid workspace name "${workspace}"`));
    let state = this.workspaces.get(workspace);
    if (!state) {
      state = new Workspace(workspace, new State(this.indexer));
      this.workspaces.set(workspace, state);
    }
    if (state.broken) return Promise.reject(state.broken);
    const draft = new Draft(state.head, this.indexer);
    let result: T;
    try {
      result = change(draft);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const target = state;
    if (draft.ops.length === 0) return target.settled().then(() => result);
    target.headSequence += 1;
    for (const op of draft.ops) target.head.apply(op);
    const line = `${JSON.stringify({ seq: target.headSequence, ops: draft.ops })}\n`;
    return new Promise<T>((resolve, reject) => {
      const write: PendingWrite = { line, ops: draft.ops, done: false, resolve: () => resolve(result), reject };
      target.pending.push(write);
      target.lastAccepted = write;
      this.schedule(target);
    });
  }

  /** Resolves once every write started so far has finished. */
  async idle(): Promise<void> {
    for (;;) {
      const flushing = [...this.workspaces.values()].flatMap((workspace) => (workspace.flushing ? [workspace.flushing] : []));
      if (flushing.length === 0) return;
      await Promise.all(flushing);
    }
  }

  /** Waits for pending writes, folds every log into its snapshot and closes the files. */
  async close(): Promise<void> {
    await this.idle();
    for (const workspace of this.workspaces.values()) {
      if (workspace.logLines > 0 && !workspace.broken) await this.compact(workspace);
      await this.stopSyncing(workspace);
      if (workspace.log !== undefined) closeSync(workspace.log);
      workspace.log = undefined;
    }
  }

  private schedule(workspace: Workspace): void {
    if (workspace.flushing) return;
    // After the current turn of the event loop: every write accepted in it shares one append.
    workspace.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush(workspace))
      .finally(() => {
        workspace.flushing = undefined;
        // A write that arrived after the loop's last look but before this callback.
        if (workspace.pending.length > 0) this.schedule(workspace);
      });
  }

  /** Appends the waiting writes, batch after batch, until none is left (the sync follows in the background). */
  private async flush(workspace: Workspace): Promise<void> {
    while (workspace.pending.length > 0) {
      const batch = workspace.pending.splice(0);
      try {
        await this.append(workspace, batch.map((write) => write.line).join(""), batch.length);
      } catch (error) {
        // Nothing in the batch is known to be in the log, and every write accepted since was
        // computed over it: refuse them all and start again from what the log holds.
        const later = workspace.pending.splice(0);
        workspace.head = workspace.durable.clone();
        workspace.headSequence = workspace.sequence;
        for (const write of [...batch, ...later]) {
          write.done = true;
          write.reject(error);
        }
        continue;
      }
      for (const write of batch) {
        for (const op of write.ops) workspace.durable.apply(op);
        workspace.sequence += 1;
        write.done = true;
        write.resolve();
      }
      if (workspace.logLines >= Math.max(this.compactAfter, workspace.durable.size)) {
        // A failed compaction loses nothing (the log still holds every write); try again later.
        await this.compact(workspace).catch(() => undefined);
      }
    }
  }

  private async append(workspace: Workspace, text: string, lines: number): Promise<void> {
    if (workspace.log === undefined) {
      const path = join(this.dataDir, `${workspace.name}${LOG_SUFFIX}`);
      workspace.log = openSync(path, "a", 0o600);
      // The new file's folder entry must be durable before any line in it counts as written.
      await syncFolder(this.dataDir);
    }
    const bytes = Buffer.from(text, "utf8");
    try {
      for (let written = 0; written < bytes.length;) written += writeSync(workspace.log, bytes, written);
    } catch (error) {
      // Cut off whatever part of the batch reached the file, so that the next line starts clean.
      try {
        ftruncateSync(workspace.log, workspace.logBytes);
      } catch {
        workspace.broken = error instanceof Error ? error : new Error(String(error));
      }
      throw error;
    }
    workspace.logBytes += bytes.length;
    workspace.logLines += lines;
    this.syncSoon(workspace);
  }

  /** Syncs the log to the disk within SYNC_INTERVAL_MS, in the thread pool, once for every write since the last sync. */
  private syncSoon(workspace: Workspace): void {
    if (workspace.syncTimer !== undefined) return;
    workspace.syncTimer = setTimeout(() => {
      workspace.syncTimer = undefined;
      const log = workspace.log;
      if (log === undefined) return;
      workspace.syncing = datasync(log)
        .catch((error: unknown) => {
          // The disk did not take what the OS holds: take no more writes than can be kept.
          workspace.broken ??= error instanceof Error ? error : new Error(String(error));
        })
        .finally(() => {
          workspace.syncing = undefined;
        });
    }, SYNC_INTERVAL_MS);
    workspace.syncTimer.unref();
  }

  /** Before the log is closed: the background sync is cancelled or waited for (the snapshot written next is synced itself). */
  private async stopSyncing(workspace: Workspace): Promise<void> {
    if (workspace.syncTimer !== undefined) clearTimeout(workspace.syncTimer);
    workspace.syncTimer = undefined;
    await workspace.syncing;
  }

  private async compact(workspace: Workspace): Promise<void> {
    const objects: Record<string, Record<string, JsonObject>> = {};
    for (const [kind, records] of workspace.durable.kinds) {
      if (records.size === 0) continue;
      const byKey: Record<string, JsonObject> = {};
      for (const [key, entry] of records) byKey[key] = entry.record;
      objects[kind] = byKey;
    }
    const text = `${JSON.stringify({ format_version: FORMAT_VERSION, workspace: workspace.name, sequence: workspace.sequence, objects })}\n`;
    this.temporaryFiles += 1;
    const path = join(this.dataDir, `${workspace.name}${SNAPSHOT_SUFFIX}`);
    await writeFileAtomically(path, text, `${process.pid}.${this.temporaryFiles}`, this.dataDir);
    // Every line of the log is now in the snapshot (and would be skipped by its sequence number).
    await this.stopSyncing(workspace);
    if (workspace.log !== undefined) closeSync(workspace.log);
    workspace.log = undefined;
    await rm(join(this.dataDir, `${workspace.name}${LOG_SUFFIX}`), { force: true });
    workspace.logLines = 0;
    workspace.logBytes = 0;
  }

  private async load(name: string): Promise<Workspace> {
    const snapshotPath = join(this.dataDir, `${name}${SNAPSHOT_SUFFIX}`);
    const snapshot = await readIfExists(snapshotPath);
    const { state, sequence } =
      snapshot === undefined ? { state: new State(this.indexer), sequence: 0 } : parseStateFile(snapshot, snapshotPath, this.indexer);
    const workspace = new Workspace(name, state);
    workspace.sequence = sequence;
    const replayFrom = sequence;
    const logPath = join(this.dataDir, `${name}${LOG_SUFFIX}`);
    const log = await readIfExists(logPath);
    if (log !== undefined && log !== "") {
      const lines = log.split("\n");
      // A last line without its newline was being written when the process died: it was never
      // acknowledged, so it is dropped (compaction at start then removes it from the disk).
      lines.pop();
      for (const [index, line] of lines.entries()) {
        const entry = parseLogLine(line, `${logPath}:${index + 1}`);
        if (entry.seq <= replayFrom) continue;
        for (const op of entry.ops) state.apply(op);
        workspace.sequence = entry.seq;
      }
      // Any log at all (even one torn line) is folded into the snapshot at start.
      workspace.logLines = Math.max(1, lines.length);
    }
    workspace.head = state.clone();
    workspace.headSequence = workspace.sequence;
    return workspace;
  }
}

interface PendingWrite {
  readonly line: string;
  done: boolean;
  readonly ops: readonly Op[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One workspace: what its log holds (`durable`, read by GETs), what is accepted (seen by changes), its log. */
class Workspace {
  head: State;
  headSequence = 0;
  sequence = 0;
  readonly pending: PendingWrite[] = [];
  flushing: Promise<void> | undefined;
  /** The log's file descriptor, open for appending once the workspace has been written. */
  log: number | undefined;
  /** The background sync of the log: due, or running. */
  syncTimer: ReturnType<typeof setTimeout> | undefined;
  syncing: Promise<void> | undefined;
  logLines = 0;
  logBytes = 0;
  broken: Error | undefined;
  /** The last change accepted, which is in the log once `done`. */
  lastAccepted: PendingWrite | undefined;

  constructor(
    readonly name: string,
    readonly durable: State,
  ) {
    this.head = durable.clone();
  }

  /** Resolves once every change accepted so far is in the log, rejects if one of them failed. */
  settled(): Promise<void> {
    const last = this.lastAccepted;
    if (last === undefined || last.done) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const { resolve: done, reject: failed } = last;
      last.resolve = () => {
        done();
        resolve();
      };
      last.reject = (error) => {
        failed(error);
        reject(error instanceof Error ? error : new Error(String(error)));
      };
    });
  }
}

interface Entry {
  readonly record: JsonObject;
  /** When the key was first stored, so that index answers come back in insertion order. */
  readonly order: number;
}

const SEPARATOR = "\u0000";

/** The objects of one workspace by kind and key, with the index of their terms. */
class State implements StateReader {
  readonly kinds = new Map<string, Map<string, Entry>>();
  /** term -> the records indexed under it, by `kind SEPARATOR key`, as [kind, key]. */
  private readonly index = new Map<string, Map<string, readonly [string, string]>>();
  private nextOrder = 0;

  constructor(private readonly indexer: Indexer) {}

  get size(): number {
    let size = 0;
    for (const records of this.kinds.values()) size += records.size;
    return size;
  }

  get(kind: string, key: string): JsonObject | undefined {
    return this.kinds.get(kind)?.get(key)?.record;
  }

  has(kind: string, key: string): boolean {
    return this.kinds.get(kind)?.has(key) ?? false;
  }

  list(kind: string): JsonObject[] {
    const records = this.kinds.get(kind);
    if (!records) return [];
    const list: JsonObject[] = [];
    for (const entry of records.values()) list.push(entry.record);
    return list;
  }

  referrers(term: string): Referrer[] {
    const refs = this.index.get(term);
    if (!refs) return [];
    const found: (Referrer & { order: number })[] = [];
    for (const [kind, key] of refs.values()) {
      const entry = this.kinds.get(kind)?.get(key);
      if (entry) found.push({ kind, key, record: entry.record, order: entry.order });
    }
    if (found.length > 1) found.sort((a, b) => a.order - b.order);
    return found.map(({ kind, key, record }) => ({ kind, key, record }));
  }

  apply(op: Op): void {
    const [action, kind, key] = op;
    let records = this.kinds.get(kind);
    const existing = records?.get(key);
    if (existing) this.unindex(kind, key, existing.record);
    if (action === "remove") {
      records?.delete(key);
      return;
    }
    if (!records) {
      records = new Map();
      this.kinds.set(kind, records);
    }
    records.set(key, { record: op[3], order: existing?.order ?? this.nextOrder++ });
    const ref = `${kind}${SEPARATOR}${key}`;
    for (const term of this.indexer(kind, op[3])) {
      let refs = this.index.get(term);
      if (!refs) {
        refs = new Map();
        this.index.set(term, refs);
      }
      refs.set(ref, [kind, key]);
    }
  }

  clone(): State {
    const copy = new State(this.indexer);
    for (const [kind, records] of this.kinds) copy.kinds.set(kind, new Map(records));
    for (const [term, refs] of this.index) copy.index.set(term, new Map(refs));
    copy.nextOrder = this.nextOrder;
    return copy;
  }

  private unindex(kind: string, key: string, record: JsonObject): void {
    const ref = `${kind}${SEPARATOR}${key}`;
    for (const term of this.indexer(kind, record)) {
      const refs = this.index.get(term);
      refs?.delete(ref);
      if (refs?.size === 0) this.index.delete(term);
    }
  }
}

const EMPTY: StateReader = new State(() => []);

/** One change's view: its own puts and removes over the accepted state, which it never touches. */
class Draft implements StateWriter {
  readonly ops: Op[] = [];
  private readonly overlay = new Map<string, Map<string, JsonObject | null>>();

  constructor(
    private readonly base: State,
    private readonly indexer: Indexer,
  ) {}

  get(kind: string, key: string): JsonObject | undefined {
    const changed = this.overlay.get(kind);
    if (changed?.has(key)) return changed.get(key) ?? undefined;
    return this.base.get(kind, key);
  }

  list(kind: string): JsonObject[] {
    const changed = this.overlay.get(kind);
    if (!changed) return this.base.list(kind);
    const list: JsonObject[] = [];
    for (const [key, entry] of this.base.kinds.get(kind) ?? []) {
      const record = changed.has(key) ? changed.get(key) : entry.record;
      if (record) list.push(record);
    }
    for (const [key, record] of changed) if (record && !this.base.has(kind, key)) list.push(record);
    return list;
  }

  referrers(term: string): Referrer[] {
    const found = this.base.referrers(term).filter(({ kind, key }) => !this.overlay.get(kind)?.has(key));
    for (const [kind, changed] of this.overlay) {
      for (const [key, record] of changed) {
        if (record && this.indexer(kind, record).includes(term)) found.push({ kind, key, record });
      }
    }
    return found;
  }

  put(kind: string, key: string, record: JsonObject): void {
    const frozen = deepFreeze(structuredClone(record));
    this.changes(kind).set(key, frozen);
    this.ops.push(["put", kind, key, frozen]);
  }

  remove(kind: string, key: string): void {
    if (this.get(kind, key) === undefined) return;
    this.changes(kind).set(key, null);
    this.ops.push(["remove", kind, key]);
  }

  private changes(kind: string): Map<string, JsonObject | null> {
    let changed = this.overlay.get(kind);
    if (!changed) {
      changed = new Map();
      this.overlay.set(kind, changed);
    }
    return changed;
  }
}

/** Parses a workspace snapshot; anything unexpected is an error rather than a silently emptied workspace. */
export function parseStateFile(text: string, path: string, indexer: Indexer = () => []): { state: State; sequence: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isJsonObject(parsed) || parsed["format_version"] !== FORMAT_VERSION || !isJsonObject(parsed["objects"])) {
    throw new Error(`${path} is not a tpctl server workspace file (format_version ${FORMAT_VERSION})`);
  }
  const sequence = parsed["sequence"] ?? 0;
  if (typeof sequence !== "number" || !Number.isSafeInteger(sequence) || sequence < 0) {
    throw new Error(`${path}: sequence must be a non-negative integer`);
  }
  const state = new State(indexer);
  for (const [kind, records] of Object.entries(parsed["objects"])) {
    if (!isJsonObject(records)) throw new Error(`${path}: objects.${kind} must be an object`);
    for (const [key, record] of Object.entries(records)) {
      if (!isJsonObject(record)) throw new Error(`${path}: objects.${kind}.${key} must be an object`);
      state.apply(["put", kind, key, deepFreeze(record)]);
    }
  }
  return { state, sequence };
}

/** One complete log line; a damaged one is an error, since lines after it were acknowledged. */
function parseLogLine(line: string, where: string): { seq: number; ops: Op[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new Error(`${where} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const seq = isJsonObject(parsed) ? parsed["seq"] : undefined;
  const ops = isJsonObject(parsed) ? parsed["ops"] : undefined;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || !Array.isArray(ops)) {
    throw new Error(`${where} is not a tpctl server log entry`);
  }
  return {
    seq,
    ops: ops.map((op): Op => {
      if (Array.isArray(op) && op[0] === "put" && typeof op[1] === "string" && typeof op[2] === "string" && isJsonObject(op[3])) {
        return ["put", op[1], op[2], deepFreeze(op[3])];
      }
      if (Array.isArray(op) && op[0] === "remove" && typeof op[1] === "string" && typeof op[2] === "string") {
        return ["remove", op[1], op[2]];
      }
      throw new Error(`${where} holds an operation that is neither a put nor a remove`);
    }),
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function writeFileAtomically(path: string, text: string, unique: string, folder: string): Promise<void> {
  const temporary = `${path}.${unique}${TEMPORARY_SUFFIX}`;
  try {
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

/**
 * A new or renamed file is durable only once its folder is synced (POSIX); Windows cannot open a
 * folder for this, and losing only the last rename on a power cut there is acceptable.
 */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

const datasync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
