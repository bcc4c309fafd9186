import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { JsonObject, JsonValue } from "../model/index.js";
import { isJsonObject } from "../model/index.js";

/** Read access to one workspace's objects, by kind and key (name or id). */
export interface StateReader {
  get(kind: string, key: string): JsonObject | undefined;
  /** In insertion order. */
  list(kind: string): JsonObject[];
}

export interface StateWriter extends StateReader {
  put(kind: string, key: string, record: JsonObject): void;
  remove(kind: string, key: string): void;
}

type State = ReadonlyMap<string, ReadonlyMap<string, JsonObject>>;

const FORMAT_VERSION = 1;
const FILE_SUFFIX = ".json";

/** Workspace segments that can safely name a file (Enterprise uses `default`, Cloud an 8-character id). */
export const WORKSPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The server's state: one JSON file per workspace in the data folder, loaded at start and
 * rewritten atomically (temporary file in the same folder, fsync, rename) after every change.
 * Changes run one at a time, so two requests can never interleave a read-modify-write.
 */
export class Store {
  private readonly workspaces = new Map<string, State>();
  private queue: Promise<unknown> = Promise.resolve();
  private temporaryFiles = 0;

  private constructor(private readonly dataDir: string) {}

  /** Opens (creating if needed) the data folder and loads every workspace file in it. */
  static async open(dataDir: string): Promise<Store> {
    await mkdir(dataDir, { recursive: true });
    const store = new Store(dataDir);
    for (const entry of await readdir(dataDir, { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(FILE_SUFFIX)) continue;
      const workspace = entry.name.slice(0, -FILE_SUFFIX.length);
      if (!WORKSPACE_PATTERN.test(workspace)) continue;
      const path = join(dataDir, entry.name);
      store.workspaces.set(workspace, parseStateFile(await readFile(path, "utf8"), path));
    }
    return store;
  }

  read(workspace: string): StateReader {
    return reader(this.workspaces.get(workspace) ?? new Map());
  }

  /** Serialised with every other write; `change` throwing leaves the workspace untouched. */
  write<T>(workspace: string, change: (state: StateWriter) => T): Promise<T> {
    const run = async (): Promise<T> => {
      if (!WORKSPACE_PATTERN.test(workspace)) throw new Error(`invalid workspace name "${workspace}"`);
      const draft = new Draft(this.workspaces.get(workspace) ?? new Map());
      const result = change(draft);
      if (draft.changed) {
        await this.persist(workspace, draft.state);
        this.workspaces.set(workspace, draft.state);
      }
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every write started so far has finished. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private async persist(workspace: string, state: State): Promise<void> {
    const objects: Record<string, Record<string, JsonObject>> = {};
    for (const [kind, records] of state) {
      if (records.size > 0) objects[kind] = Object.fromEntries(records);
    }
    const text = `${JSON.stringify({ format_version: FORMAT_VERSION, workspace, objects }, null, 2)}\n`;
    this.temporaryFiles += 1;
    await writeFileAtomically(join(this.dataDir, `${workspace}${FILE_SUFFIX}`), text, `${process.pid}.${this.temporaryFiles}`);
  }
}

class Draft implements StateWriter {
  readonly state = new Map<string, Map<string, JsonObject>>();
  changed = false;

  constructor(base: State) {
    for (const [kind, records] of base) this.state.set(kind, new Map(records));
  }

  get(kind: string, key: string): JsonObject | undefined {
    return this.state.get(kind)?.get(key);
  }

  list(kind: string): JsonObject[] {
    return [...(this.state.get(kind)?.values() ?? [])];
  }

  put(kind: string, key: string, record: JsonObject): void {
    let records = this.state.get(kind);
    if (!records) {
      records = new Map();
      this.state.set(kind, records);
    }
    records.set(key, deepFreeze(structuredClone(record)));
    this.changed = true;
  }

  remove(kind: string, key: string): void {
    if (this.state.get(kind)?.delete(key)) this.changed = true;
  }
}

function reader(state: State): StateReader {
  return {
    get: (kind, key) => state.get(kind)?.get(key),
    list: (kind) => [...(state.get(kind)?.values() ?? [])],
  };
}

/** Parses a workspace file; anything unexpected is an error rather than a silently emptied workspace. */
export function parseStateFile(text: string, path: string): State {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(parsed) || parsed["format_version"] !== FORMAT_VERSION || !isJsonObject(parsed["objects"])) {
    throw new Error(`${path} is not a tpctl server workspace file (format_version ${FORMAT_VERSION})`);
  }
  const state = new Map<string, Map<string, JsonObject>>();
  for (const [kind, records] of Object.entries(parsed["objects"])) {
    if (!isJsonObject(records)) throw new Error(`${path}: objects.${kind} must be an object`);
    const map = new Map<string, JsonObject>();
    for (const [key, record] of Object.entries(records)) {
      if (!isJsonObject(record)) throw new Error(`${path}: objects.${kind}.${key} must be an object`);
      map.set(key, deepFreeze(record));
    }
    state.set(kind, map);
  }
  return state;
}

async function writeFileAtomically(path: string, text: string, unique: string): Promise<void> {
  const temporary = `${path}.${unique}.tmp`;
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
  // The rename is durable only once the folder itself is synced (POSIX); Windows cannot open a
  // folder for this, and losing only the last rename on a power cut there is acceptable.
  try {
    const folder = await open(dirname(path), "r");
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // best effort
  }
}

function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child as JsonValue);
    Object.freeze(value);
  }
  return value;
}
