// The database of an episode, as tools see it and as calls change it.
//
// - Committed data is JSON, deep-frozen and branded (brands.ts). A loaded state maps table names to
//   tables (objects or arrays) whose values are committed records.
// - An episode starts from a frozen state: reset is a shallow copy of its root. A table is copied
//   on the episode's first write to it (copy-on-write): read-only episodes copy nothing.
// - A read tool gets frozen data as it is; tables the episode copied sit behind a guard proxy.
// - A write tool gets proxies (one set per episode, live only during a write call). A record is
//   copied into a draft on its first change, shallowly; nested data is copied when reached. Writes
//   into tables and the root are logged for undo. At the end of the call only what it wrote is
//   validated and frozen (commit), or everything is undone (rollback).
//
// Why one long closure (over the ~400 lines a module should keep to): this runs inside the isolate,
// next to hostile code. Its state (the loaded states, the episode's root, the undo log, the
// proxies' handlers) must be reachable by no tool, and a closure's variables are the one place
// nothing in the realm can reach by reflection; splitting it into modules would put that state on
// objects that pass between them. The hot path (proxy traps) also gains from direct variable access.
import { attachState, heightOf, isCommitted, isOwned, markCommitted, markOwned, stateOf } from "./brands.ts";
import {
  freeze,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  hasOwn,
  isArray,
  type Json,
  jsonParse,
  jsonStringify,
  type Obj,
  ObjectProto,
  ownKeys,
  ProxyCtor,
  reflectDelete,
  StringCtor,
  setOwn,
  TypeErrorCtor,
} from "./intrinsics.ts";
import { checkPrimitive, commitParsed, createJsonValues, deepEqual, NotJson, type Path, thaw } from "./json-values.ts";

// Every handle is bound to the call it was made for (`call`, numbered across all the isolate's
// slots): used in another call, of its episode or of another slot's, it refuses.
interface RootState {
  kind: "root";
  call: number;
}
interface TableState {
  kind: "table";
  call: number;
  key: string;
  /** Record proxies by key, for the episode. */
  records: Map<PropertyKey, object>;
}
interface RecordState {
  kind: "record";
  table: TableState;
  key: PropertyKey;
  call: number;
  base: Obj;
  /** Shallow copy of `base`, made on the first change or the first reach into nested data. */
  draft: Obj | null;
  /** Written through the proxy (else only nested data was reached, and may be unchanged). */
  changed: boolean;
  /** Keys whose nested data was copied into the draft. */
  nested: PropertyKey[] | null;
  /** The committed record, once committed (or the base, when nothing changed). */
  final: Obj | null;
}
type HandleState = RootState | TableState | RecordState;

const isIndex = (key: string) => StringCtor(+key >>> 0) === key;
/** The level of a record in the state (db 1, table 2, record 3), for the depth bound (shared/state-bounds.ts). */
const RECORD_DEPTH = 3;

export function createDatabase() {
  const states = new Map<number, Obj>();
  let root: Obj = {};
  /** The loaded state the episode started from (frozen, shared): what `exportChanges` compares with. */
  let origin: Obj = {};
  /** The read view while it holds no handle (no table the episode owns): it can then serve many calls. */
  let readView: Obj | null = null;
  let writing = false;
  /** The read call open, or 0. */
  let reading = 0;
  /** No write call has committed in this episode: the state is the one it started from. */
  let pristine = true;
  let call = 0;
  let tableProxies = new Map<string, object>();
  const undoLog: unknown[] = []; // flat: target, key, hadOwn, oldValue
  const tableWrites: unknown[] = []; // flat: tableKey, key
  const rootWrites: string[] = [];
  const drafts: RecordState[] = [];

  /** The data one of our proxies stands for (undefined for anything else). */
  const behind = (value: object): unknown => {
    const state = stateOf(value) as HandleState | undefined;
    if (state === undefined) return undefined;
    if (!writing || state.call !== call) inert();
    if (state.kind === "record") return state.final ?? state.draft ?? state.base;
    if (state.kind === "table") return root[state.key];
    return root;
  };
  const json = createJsonValues(behind);

  // ------------------------------------------------------------ bookkeeping of a write call
  const logUndo = (target: object, key: PropertyKey) => {
    const had = hasOwn(target, key);
    undoLog.push(target, key, had, had ? (target as Obj)[key] : undefined);
  };
  const clearCall = () => {
    undoLog.length = 0;
    tableWrites.length = 0;
    rootWrites.length = 0;
    drafts.length = 0;
  };
  // A handle serves only the call (and so the episode) that received it.
  const inert = (): never => {
    throw new TypeErrorCtor("a database handle was used outside the write call it was given to");
  };
  const inertView = (): never => {
    throw new TypeErrorCtor("a database handle was used outside the read call it was given to");
  };
  const liveTable = (target: object): TableState => {
    const state = stateOf(target) as TableState;
    if (!writing || state.call !== call) inert();
    return state;
  };
  const liveRecord = (target: object): RecordState => {
    const state = stateOf(target) as RecordState;
    if (!writing || state.call !== call) inert();
    return state;
  };
  const handle = (state: HandleState, array: boolean, traps: ProxyHandler<object>): object => {
    // An empty target of the right kind: Array.isArray(proxy) must tell the truth, and an empty
    // extensible target lets the traps report the data's properties as configurable.
    const target = array ? [] : {};
    const proxy = new ProxyCtor(target, traps);
    attachState(target, state);
    attachState(proxy, state);
    return proxy;
  };

  /** The table `key`, copied into an episode-owned one on the episode's first write to it. */
  const ownTable = (key: string): Obj => {
    const current = root[key] as Obj;
    if (isOwned(current)) return current;
    let copy: Obj;
    if (isArray(current)) copy = (current as unknown[]).slice() as unknown as Obj;
    else {
      copy = {};
      for (const k in current) copy[k] = current[k];
    }
    markOwned(copy);
    logUndo(root, key);
    root[key] = copy;
    readView = null;
    return copy;
  };
  /** Keys a write may use: no symbols, no `__proto__`, and on arrays only indices and `length`. */
  const writableKey = (container: unknown, key: PropertyKey): key is string =>
    typeof key === "string" && key !== "__proto__" && (!isArray(container) || key === "length" || isIndex(key));
  /** JSON arrays have no holes: refuse writes past the end and growing `length`. */
  const leavesHole = (container: unknown, key: string, value: unknown): boolean => {
    if (!isArray(container)) return false;
    if (key === "length") return typeof value !== "number" || value > container.length;
    return +key > container.length;
  };

  // ------------------------------------------------------------ record proxies (copy on write)
  const draftOf = (state: RecordState): Obj => {
    if (state.draft === null) {
      const base = state.base;
      let copy: Obj;
      if (isArray(base)) copy = (base as unknown[]).slice() as unknown as Obj;
      else {
        copy = {};
        for (const key in base) copy[key] = base[key];
      }
      state.draft = copy;
      drafts.push(state);
    }
    return state.draft;
  };
  /** The value at `key` for the tool: committed nested data is first copied into the draft. */
  const reach = (state: RecordState, key: PropertyKey): unknown => {
    const value = (state.draft ?? state.base)[key];
    if (typeof value !== "object" || value === null || !isCommitted(value)) return value;
    const copy = thaw(value as Json);
    setOwn(draftOf(state), key, copy);
    (state.nested ??= []).push(key);
    return copy;
  };
  const recordTraps: ProxyHandler<object> = {
    get: (target, key) => reach(liveRecord(target), key),
    set(target, key, value) {
      const state = liveRecord(target);
      if (!writableKey(state.base, key)) return false;
      state.changed = true;
      return setOwn(draftOf(state), key, value);
    },
    deleteProperty(target, key) {
      const state = liveRecord(target);
      if (!hasOwn(state.draft ?? state.base, key)) return true;
      if (!writableKey(state.base, key)) return false;
      state.changed = true;
      return reflectDelete(draftOf(state), key);
    },
    defineProperty(target, key, desc) {
      if (!("value" in desc) || desc.get || desc.set) return false;
      const state = liveRecord(target);
      if (!writableKey(state.base, key)) return false;
      state.changed = true;
      return setOwn(draftOf(state), key, desc.value);
    },
    has(target, key) {
      const state = liveRecord(target);
      return key in (state.draft ?? state.base);
    },
    ownKeys(target) {
      const state = liveRecord(target);
      return ownKeys(state.draft ?? state.base);
    },
    getOwnPropertyDescriptor(target, key) {
      const state = liveRecord(target);
      const desc = getOwnPropertyDescriptor(state.draft ?? state.base, key);
      if (!desc) return undefined;
      // An array target has its own non-configurable `length`: report it as such.
      if (key === "length" && isArray(target)) return { value: desc.value, writable: true, enumerable: false, configurable: false };
      return { value: reach(state, key), writable: true, enumerable: desc.enumerable ?? true, configurable: true };
    },
    getPrototypeOf: (target) => getPrototypeOf(liveRecord(target).base),
    preventExtensions: () => false,
    setPrototypeOf: () => false,
  };

  // ------------------------------------------------------------ table proxies (logged writes)
  const tableTraps: ProxyHandler<object> = {
    get(target, key) {
      const state = liveTable(target);
      const value = (root[state.key] as Obj)[key];
      // Committed records go out as copy-on-write proxies; what this call put there is its own.
      if (typeof value !== "object" || value === null || !isCommitted(value)) return value;
      let proxy = state.records.get(key);
      if (!proxy) {
        const record: RecordState = {
          kind: "record",
          table: state,
          key,
          call,
          base: value as Obj,
          draft: null,
          changed: false,
          nested: null,
          final: null,
        };
        proxy = handle(record, isArray(value), recordTraps);
        state.records.set(key, proxy);
      }
      return proxy;
    },
    set(target, key, value) {
      const state = liveTable(target);
      const table = root[state.key];
      if (!writableKey(table, key) || leavesHole(table, key, value)) return false;
      const owned = ownTable(state.key);
      logUndo(owned, key);
      if (!setOwn(owned, key, value)) return false;
      if (key !== "length") tableWrites.push(state.key, key);
      state.records.delete(key);
      return true;
    },
    deleteProperty(target, key) {
      const state = liveTable(target);
      if (!hasOwn(root[state.key] as object, key)) return true;
      if (isArray(root[state.key])) return false; // `delete arr[i]` would leave a hole; use splice
      const owned = ownTable(state.key);
      logUndo(owned, key);
      state.records.delete(key);
      return reflectDelete(owned, key);
    },
    defineProperty(target, key, desc) {
      if (!("value" in desc) || desc.get || desc.set) return false;
      return (tableTraps.set as (t: object, k: PropertyKey, v: unknown, r: unknown) => boolean)(target, key, desc.value, target);
    },
    has: (target, key) => key in (root[liveTable(target).key] as object),
    ownKeys: (target) => ownKeys(root[liveTable(target).key] as object),
    getOwnPropertyDescriptor(target, key) {
      const state = liveTable(target);
      const desc = getOwnPropertyDescriptor(root[state.key] as object, key);
      if (!desc) return undefined;
      if (key === "length" && isArray(target)) return { value: desc.value, writable: true, enumerable: false, configurable: false };
      const value = (tableTraps.get as (t: object, k: PropertyKey) => unknown)(target, key);
      return { value, writable: true, enumerable: desc.enumerable ?? true, configurable: true };
    },
    getPrototypeOf: (target) => getPrototypeOf(root[liveTable(target).key]),
    preventExtensions: () => false,
    setPrototypeOf: () => false,
  };

  // ------------------------------------------------------------ the root proxy
  const liveRoot = (target: object) => {
    if (!writing || (stateOf(target) as RootState).call !== call) inert();
  };
  const rootTraps: ProxyHandler<object> = {
    get(target, key) {
      liveRoot(target);
      if (typeof key !== "string") return undefined;
      const value = root[key];
      if (typeof value !== "object" || value === null) return value;
      let proxy = tableProxies.get(key);
      if (!proxy) {
        proxy = handle({ kind: "table", call, key, records: new Map() }, isArray(value), tableTraps);
        tableProxies.set(key, proxy);
      }
      return proxy;
    },
    set(target, key, value) {
      liveRoot(target);
      if (!writableKey(root, key)) return false;
      logUndo(root, key);
      setOwn(root, key, value);
      rootWrites.push(key);
      tableProxies.delete(key);
      readView = null;
      return true;
    },
    deleteProperty(target, key) {
      liveRoot(target);
      if (typeof key !== "string" || !hasOwn(root, key)) return true;
      logUndo(root, key);
      reflectDelete(root, key);
      tableProxies.delete(key);
      readView = null;
      return true;
    },
    defineProperty(target, key, desc) {
      if (!("value" in desc) || desc.get || desc.set) return false;
      return (rootTraps.set as (t: object, k: PropertyKey, v: unknown, r: unknown) => boolean)(target, key, desc.value, target);
    },
    has(target, key) {
      liveRoot(target);
      return key in root;
    },
    ownKeys(target) {
      liveRoot(target);
      return ownKeys(root);
    },
    getOwnPropertyDescriptor(target, key) {
      liveRoot(target);
      if (!hasOwn(root, key)) return undefined;
      return {
        value: (rootTraps.get as (t: object, k: PropertyKey) => unknown)(target, key),
        writable: true,
        enumerable: true,
        configurable: true,
      };
    },
    getPrototypeOf: () => ObjectProto,
    preventExtensions: () => false,
    setPrototypeOf: () => false,
  };

  // ------------------------------------------------------------ read view
  const readOnly = (): never => {
    throw new TypeErrorCtor("this tool is declared read-only and cannot change the database");
  };
  /** A table the episode owns (mutable: it changes with the episode's later writes), seen by read call `bound` only. */
  const makeGuard = (table: object, bound: number) => {
    const live = () => {
      if (reading !== bound) inertView();
    };
    return new ProxyCtor(table, {
      get(target, key) {
        live();
        return (target as Obj)[key];
      },
      has(target, key) {
        live();
        return key in target;
      },
      ownKeys(target) {
        live();
        return ownKeys(target);
      },
      getOwnPropertyDescriptor(target, key) {
        live();
        return getOwnPropertyDescriptor(target, key);
      },
      getPrototypeOf(target) {
        live();
        return getPrototypeOf(target);
      },
      set: readOnly,
      deleteProperty: readOnly,
      defineProperty: readOnly,
      preventExtensions: readOnly,
      setPrototypeOf: readOnly,
    });
  };

  // ------------------------------------------------------------ commit
  /** The committed form of a record's draft, or null when the call left it as it was. */
  const commitDraft = (state: RecordState, path: Path): Obj | null => {
    const draft = state.draft as Obj;
    const base = state.base;
    if (!state.changed) {
      let same = true;
      for (const key of state.nested ?? []) if (!deepEqual(draft[key as string], base[key as string])) same = false;
      if (same) return null;
    }
    // The draft itself only ever got data properties with string keys through our traps: its values
    // are all that needs checking. Nested data the call copied but left equal keeps its committed form.
    const nested = state.nested;
    let tallest = 0;
    if (isArray(draft)) {
      for (let i = 0; i < draft.length; i++) {
        if (!hasOwn(draft, i)) throw new NotJson({ up: path, key: i }, "a hole in an array is not JSON");
        const committed = commitField(draft[i], base[i], nested?.includes(StringCtor(i)) === true, { up: path, key: i });
        draft[i] = committed;
        if (typeof committed === "object" && committed !== null && heightOf(committed) > tallest) tallest = heightOf(committed);
      }
    } else {
      for (const key in draft) {
        const value = draft[key];
        if (value === undefined) {
          reflectDelete(draft, key);
          continue;
        }
        const committed = commitField(value, base[key], nested?.includes(key) === true, { up: path, key });
        if (committed !== value) draft[key] = committed;
        if (typeof committed === "object" && committed !== null && heightOf(committed) > tallest) tallest = heightOf(committed);
      }
    }
    freeze(draft);
    return markCommitted(draft, tallest + 1);
  };
  /** A record's field (level 4: db › table › record › field), committed. */
  const commitField = (value: unknown, base: unknown, copied: boolean, path: Path): unknown => {
    if (typeof value !== "object" || value === null) return checkPrimitive(value, path);
    if (copied && !isCommitted(value) && deepEqual(value, base)) return base;
    return json.commit(value, path, RECORD_DEPTH + 1);
  };

  /** Validate and freeze what the call wrote; throws NotJson (the caller then rolls back). */
  const commit = () => {
    // Records changed in place through their drafts (unless the call replaced or removed them).
    for (const state of drafts) {
      const tableKey = state.table.key;
      const table = root[tableKey] as Obj;
      if (typeof table !== "object" || table === null || table[state.key as string] !== state.base) continue;
      const final = commitDraft(state, {
        up: { up: "db", key: tableKey },
        key: isArray(table) ? Number(state.key) : (state.key as string),
      });
      state.final = final ?? state.base;
      if (final === null) continue;
      const owned = ownTable(tableKey);
      logUndo(owned, state.key);
      setOwn(owned, state.key, final);
    }
    // Values written into tables: new records, replaced ones, records moved between keys.
    for (let i = 0; i < tableWrites.length; i += 2) {
      const tableKey = tableWrites[i] as string;
      const key = tableWrites[i + 1] as string;
      const table = root[tableKey] as Obj;
      if (typeof table !== "object" || table === null || !hasOwn(table, key)) continue;
      const value = table[key];
      const committed = json.commit(value, { up: { up: "db", key: tableKey }, key: isArray(table) ? Number(key) : key }, RECORD_DEPTH);
      if (committed !== value) setOwn(table, key, committed);
    }
    // Tables added or replaced at the root; a table assigned from another is copied (two keys
    // must never share one mutable table).
    for (const key of rootWrites) {
      if (!hasOwn(root, key)) continue;
      const value = root[key];
      if (typeof value !== "object" || value === null) {
        checkPrimitive(value, { up: "db", key });
        continue;
      }
      const data = behind(value as object);
      const source = data ?? value;
      if (data === undefined && (isOwned(source as object) || isCommitted(source as object))) continue;
      root[key] = commitTable(source, { up: "db", key });
    }
  };
  /** A new episode-owned table holding committed copies of `value`'s entries. */
  const commitTable = (value: unknown, path: Path): Obj => {
    if (typeof value !== "object" || value === null) throw new NotJson(path, "a table must be an object or an array");
    const committed = json.commit(value, path, RECORD_DEPTH - 1) as Obj;
    const copy = (isArray(committed) ? (committed as unknown[]).slice() : { ...committed }) as Obj;
    return markOwned(copy);
  };
  const rollback = () => {
    for (let i = undoLog.length - 4; i >= 0; i -= 4) {
      const target = undoLog[i] as Obj;
      const key = undoLog[i + 1] as PropertyKey;
      if (undoLog[i + 2]) setOwn(target, key, undoLog[i + 3]);
      else reflectDelete(target, key);
    }
    // Cached proxies may stand for tables the call created or replaced: start afresh.
    tableProxies = new Map();
    readView = null;
    clearCall();
  };

  return {
    /** The value validation (results use it too). */
    json,
    /** Parse, freeze and keep a state under `id`. */
    loadState(id: number, text: string) {
      const state = jsonParse(text) as unknown;
      if (typeof state !== "object" || state === null || isArray(state)) throw new TypeErrorCtor("a state must be a JSON object");
      commitParsed(state, "db");
      states.set(id, state as Obj);
    },
    dropState(id: number) {
      states.delete(id);
    },
    /** Start an episode on state `id`. */
    startEpisode(id: number) {
      const state = states.get(id);
      if (!state) throw new TypeErrorCtor(`state ${id} is not loaded`);
      root = {};
      origin = state;
      for (const key in state) root[key] = state[key];
      readView = null;
      tableProxies = new Map();
      writing = false;
      pristine = true;
      clearCall();
    },
    /**
     * Park the episode (between calls): its root and whether it is pristine. Only the root is the
     * episode's own (tables it copied hang off it); the loaded states stay shared and frozen.
     */
    suspend(): { root: Obj; origin: Obj; pristine: boolean } {
      return { root, origin, pristine };
    },
    /** Take a parked episode back (or, with none, an empty one that a `startEpisode` follows). */
    resume(parked: { root: Obj; origin: Obj; pristine: boolean } | undefined) {
      root = parked ? parked.root : {};
      origin = parked ? parked.origin : {};
      pristine = parked ? parked.pristine : true;
      readView = null;
      tableProxies = new Map();
      writing = false;
      clearCall();
    },
    /** Whether the episode's state is still the one it started from (no write has committed). */
    pristine(): boolean {
      return pristine;
    },
    /**
     * Open a read call; returns what the read tool receives: frozen committed tables as they are
     * (data, not handles), tables the episode owns behind a guard bound to this call.
     */
    beginRead(): Obj {
      reading = ++call;
      if (readView) return readView;
      const view: Obj = {};
      let plain = true;
      for (const key in root) {
        const value = root[key];
        if (typeof value === "object" && value !== null && isOwned(value)) {
          plain = false;
          view[key] = makeGuard(value, reading);
        } else view[key] = value;
      }
      freeze(view);
      if (plain) readView = view;
      return view;
    },
    endRead() {
      reading = 0;
    },
    /** Open a write call; returns what the write tool receives (handles bound to this call). */
    beginWrite(): object {
      writing = true;
      call++;
      tableProxies = new Map();
      return handle({ kind: "root", call }, false, rootTraps);
    },
    /** Commit the write call's changes (throws NotJson; then call `rollbackWrite`). */
    commitWrite() {
      commit();
    },
    endWrite(committed: boolean) {
      if (committed) {
        clearCall();
        pristine = false;
      } else rollback();
      writing = false;
    },
    /** The committed state as JSON text, in the episode's key order (the host canonicalises). */
    exportState(): string {
      return jsonStringify(root);
    },
    /**
     * What the episode changed of the state it started from, as JSON text: per table changed, its
     * records changed (`{"records": {key: record or null when removed}}`) or, for an array or a
     * value that is no table, the whole of it (`{"whole": value}`); null for a table removed.
     * Copy-on-write keeps an untouched table, and an untouched record of a copied table, the very
     * object it was, so a state of any size costs what the episode wrote.
     */
    exportChanges(): string {
      const tables: Obj = {};
      for (const key in root) {
        const now = root[key];
        const was = origin[key];
        if (now === was) continue;
        if (typeof now !== "object" || now === null || isArray(now) || typeof was !== "object" || was === null || isArray(was)) {
          tables[key] = { whole: now === undefined ? null : now };
          continue;
        }
        const records: Obj = {};
        for (const k in now) if ((now as Obj)[k] !== (was as Obj)[k]) records[k] = (now as Obj)[k];
        for (const k in was) if (!hasOwn(now, k)) records[k] = null;
        tables[key] = { records };
      }
      for (const key in origin) if (!hasOwn(root, key)) tables[key] = null;
      return jsonStringify(tables);
    },
  };
}

export type Database = ReturnType<typeof createDatabase>;
