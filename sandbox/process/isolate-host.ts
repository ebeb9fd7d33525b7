// One isolate with one tool module, shared by many episodes (environment.ts), each in a slot of
// its own (the bootstrap's `select`). An episode's state is its database root over a frozen loaded
// state, with the tables it wrote copied on write: parking it and taking another costs a few
// assignments, so opening an episode on a warm isolate costs a reset, never an isolate (~4 MB and
// ~18 ms). What is shared is what is frozen: loaded states and the realm. Each slot has its own
// module instance, random stream, clock and journal.
//
// Limits are the isolate's: a call that runs past its time or memory limit destroys the isolate of
// every slot on it, so the host rebuilds it and every slot replays its own journal (execution is
// deterministic; each replay is checked against what was acknowledged) — the other episodes go on
// as if nothing happened. An isolate found disposed at any later use (a module's top-level code
// that ran past its limit while an episode opened) is rebuilt first, so no slot ever meets a
// disposed isolate.

import type { ValidateFunction } from "ajv/dist/2020.js";
import ivm from "isolated-vm";
import type { IsolateKernel } from "../isolate/bootstrap.ts";
import { ModuleLoadError } from "../shared/call-errors.ts";
import { canonicalStateText, type JsonObject } from "../shared/canonical-state.ts";
import { COLLECT_EVERY_RESETS } from "../shared/collector.ts";
import { maxStateChars } from "../shared/state-bounds.ts";
import { StateBoundsError, stateTextBound } from "../shared/state-checks.ts";
import type { CompiledModule } from "../shared/tool-module.ts";
import { validatorsFor } from "./argument-validators.ts";
import { bootstrapSource } from "./bootstrap-script.ts";
import { compileCached } from "./code-cache.ts";
import { SourceLines } from "./source-lines.ts";
import { StateParts } from "./state-parts.ts";
import type { Watchdog } from "./watchdog.ts";

/** Loading or exporting a state is not a tool call; it gets a generous limit of its own. */
export const STATE_LIMIT_MS = 30_000;
/** Distinct states kept loaded beyond those live episodes start from (a reset to one then costs no transfer). */
const SPARE_STATES = 8;

export interface IsolateLimits {
  memoryMb: number;
  timeoutMs: number;
  maxResultBytes: number;
}

type Refs = {
  [K in
    | "install"
    | "select"
    | "dropSlot"
    | "loadState"
    | "dropState"
    | "reset"
    | "instantiate"
    | "call"
    | "settle"
    | "lastSettled"
    | "exportState"
    | "exportChanges"
    | "lockdown"
    | "collect"
    | "pristine"]: ivm.Reference<IsolateKernel[K]>;
};
const REF_NAMES = [
  "install",
  "select",
  "dropSlot",
  "loadState",
  "dropState",
  "reset",
  "instantiate",
  "call",
  "settle",
  "lastSettled",
  "exportState",
  "exportChanges",
  "lockdown",
  "collect",
  "pristine",
] as const;

/** What the host asks of an episode when its isolate is rebuilt: take its slot back as it was. */
export interface SlotTenant {
  /** The state id its episode starts from. */
  readonly stateId: number;
  /** Whether its episode ended (nothing to restore until it is reset). */
  readonly ended: boolean;
  /** End its episode: it answers with `reason` until it is reset. */
  end(reason: string): void;
  /**
   * Reset the slot to the episode's start and replay its journal on the new isolate. A replay that
   * cannot complete or diverges ends the episode (the tenant says so at its next use); one that
   * kills the isolate leaves it disposed, and the host rebuilds again without that tenant.
   */
  restoreAfterRebuild(): void;
}

/** A call checked on this side of the boundary: the tool's index and its arguments as JSON text. */
export interface Prepared {
  index: number;
  json: string;
}

/**
 * A state as the sandbox receives it: a JSON object (callers in this process), or its canonical
 * text (shared/canonical-state.ts), which is how a state crosses from the host.
 */
export type StateInput = JsonObject | string;

export class IsolateHost {
  readonly module: CompiledModule;
  readonly limits: IsolateLimits;
  readonly watchdog: Watchdog;
  readonly validators: (ValidateFunction | null)[];
  readonly toolIndex = new Map<string, number>();
  readonly sourceLines: SourceLines;
  isolate!: ivm.Isolate;
  refs!: Refs;
  target = 0;
  #context!: ivm.Context;
  /** State texts by id, as loaded (kept to rebuild the isolate), most recently used last. */
  readonly #states = new Map<number, string>();
  /** Loaded states' ids by canonical text: a state crossing a process boundary is a new object each time. */
  readonly #stateIds = new Map<string, number>();
  /** Hashes of loaded states, by id (the hash of an episode no write has changed). */
  readonly stateHashes = new Map<number, string>();
  /** Loaded states' canonical text by parts, by id, made when an episode on one first hashes a changed state. */
  readonly #parts = new Map<number, StateParts>();
  /** The same ids by object, for callers in this process that pass the same object again. */
  readonly #objectIds = new WeakMap<object, number>();
  /** The same ids by the host's key for the object it sent (dropped with their state). */
  readonly #keyIds = new Map<number, number>();
  #nextStateId = 1;
  readonly #tenants = new Map<number, SlotTenant>();
  #nextSlot = 1;
  #live = 0;
  #resets = 0;
  #closed = false;
  #rebuilding = false;
  /** How many times the isolate was rebuilt (after timeouts, memory limits, internal errors). */
  rebuilds = 0;

  private constructor(module: CompiledModule, limits: IsolateLimits, watchdog: Watchdog) {
    this.module = module;
    this.limits = limits;
    this.watchdog = watchdog;
    this.validators = validatorsFor(module);
    this.sourceLines = new SourceLines(module);
    for (const [index, tool] of module.tools.entries()) this.toolIndex.set(tool.name, index);
  }

  /** A new isolate with the module installed. Throws ModuleLoadError when the module's script fails. */
  static boot(module: CompiledModule, limits: IsolateLimits, watchdog: Watchdog): IsolateHost {
    const host = new IsolateHost(module, limits, watchdog);
    host.#boot();
    return host;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Episodes open on this isolate. */
  get slots(): number {
    return this.#tenants.size;
  }

  /** Called when the last episode leaves (a sandbox process keeps the isolate warm, or closes it). */
  onEmptied: ((host: IsolateHost) => void) | null = null;

  /** Take a slot for an episode (its reset follows); returns the slot. */
  attach(tenant: SlotTenant): number {
    const slot = this.#nextSlot++;
    this.#tenants.set(slot, tenant);
    return slot;
  }

  detach(slot: number): void {
    if (!this.#tenants.delete(slot)) return;
    if (!this.isolate.isDisposed) this.refs.dropSlot.applySync(undefined, [slot]);
    if (this.#live === slot) this.#live = 0;
    this.#trimStates();
    if (this.#tenants.size === 0) this.onEmptied?.(this);
  }

  /**
   * Ready for a crossing: an isolate found disposed (its watchdog killed it outside any call of a
   * tenant's, or a rebuild failed) is rebuilt first, every tenant replaying its episode.
   */
  ensureLive(): void {
    if (!this.isolate.isDisposed || this.#closed) return;
    this.rebuild();
    if (this.isolate.isDisposed) throw new Error("the isolate could not be rebuilt");
  }

  /** Make `slot` the live one in the isolate (a crossing only when another slot was live). */
  enter(slot: number): void {
    this.ensureLive();
    if (this.#live === slot) return;
    this.refs.select.applySync(undefined, [slot]);
    this.#live = slot;
  }

  /**
   * Run prepared calls of slot `slot`, call i as watchdog sequence `first + i` under the call time
   * limit: their outcomes' JSON texts. A call ends in the crossing after the one that ran it (the
   * bootstrap's `call` settles the call before it, `settle` the last): the jobs a call queued run
   * as its own crossing ends, inside the call and under its limit, never in the next call. n calls
   * are n + 1 crossings. Throws when the isolate dies or the bootstrap fails; the caller finds the
   * call at fault by its sequence (and runs the calls before it again, once the isolate is rebuilt).
   */
  runCalls(slot: number, batch: readonly Prepared[], first: number): string[] {
    this.entered(slot);
    const outcomes = new Array<string>(batch.length);
    const limit = this.limits.timeoutMs;
    const refs = this.refs;
    for (let i = 0; i < batch.length; i++) {
      const prepared = batch[i] as Prepared;
      const before = this.watchdog.run(this.target, first + i, limit, () =>
        this.#cross(() => refs.call.applySync(undefined, [slot, prepared.index, prepared.json])),
      );
      if (i > 0) outcomes[i - 1] = settledText(before);
    }
    const last = batch.length - 1;
    if (last >= 0)
      outcomes[last] = settledText(
        this.watchdog.run(this.target, first + last, limit, () => this.#cross(() => refs.settle.applySync(undefined, []))),
      );
    return outcomes;
  }

  /**
   * A crossing that settles a call. isolated-vm ends a crossing by throwing a promise rejection
   * nobody handled: the call's outcome stands all the same (the bootstrap keeps it). A dead isolate
   * is the call's failure.
   */
  #cross(fn: () => string): string {
    try {
      return fn();
    } catch (error) {
      if (this.isolate.isDisposed) throw error;
      return this.refs.lastSettled.applySync(undefined, []);
    }
  }

  /** A call crossing selects its slot itself (no crossing of its own): the host records it as live. */
  entered(slot: number): void {
    this.#live = slot;
  }

  /** Start `slot`'s episode on state `stateId`: a fresh module instance under the call's limits. */
  resetSlot(slot: number, stateId: number, seed: number, clockMs: number, stepMs: number): void {
    this.enter(slot);
    if (!this.#states.has(stateId)) throw new Error(`state ${stateId} is not loaded in this isolate`);
    // Between episodes, now and then, a full collection (shared/collector.ts): dead episodes pile up otherwise.
    if (++this.#resets % COLLECT_EVERY_RESETS === 0) this.collect();
    const seq = this.watchdog.reserve(1);
    this.watchdog.run(this.target, seq, STATE_LIMIT_MS, () => this.refs.reset.applySync(undefined, [stateId, seed, clockMs, stepMs]));
    // The module's top-level code runs for every episode: under the call's limits, failing as a
    // call does (a loop is a TIMEOUT, a memory bomb MEMORY_LIMIT), never pinning the process.
    const load = this.watchdog.reserve(1);
    try {
      this.watchdog.run(this.target, load, this.limits.timeoutMs, () => this.refs.instantiate.applySync(undefined, []));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A disposed isolate is rebuilt at its next use (ensureLive), once this episode is marked
      // as not loaded: its slot-mates then replay, and this one does not.
      if (this.watchdog.killedSeq() === load)
        throw new ModuleLoadError("TIMEOUT", `the module's top-level code ran past the limit of ${this.limits.timeoutMs} ms`);
      if (/memory limit/i.test(message) || this.isolate.isDisposed)
        throw new ModuleLoadError("MEMORY_LIMIT", `the module's top-level code ran past the memory limit of ${this.limits.memoryMb} MB`);
      throw new ModuleLoadError("TOOL_ERROR", `the module threw while loading: ${message}`);
    }
  }

  /**
   * The id of a state, loading it into the isolate the first time (once per distinct state while
   * it stays loaded). `key`: the host's key for the object it sent (host/state-keys.ts), which
   * finds a loaded state without canonicalising it again.
   */
  load(state: StateInput, key?: number): number {
    if (typeof state !== "string" && (typeof state !== "object" || state === null || Array.isArray(state)))
      throw new TypeError("a state must be a JSON object");
    const keyed = key === undefined ? undefined : this.#keyIds.get(key);
    if (keyed !== undefined && this.#states.has(keyed)) {
      const text = this.#states.get(keyed) as string;
      this.#states.delete(keyed);
      this.#states.set(keyed, text);
      return keyed;
    }
    const id = this.#loadOrFind(state);
    if (key !== undefined) {
      // Keys of objects sent once each would pile up: past a bound, start over (a miss canonicalises).
      if (this.#keyIds.size >= 4096) this.#keyIds.clear();
      this.#keyIds.set(key, id);
    }
    return id;
  }

  #loadOrFind(state: StateInput): number {
    const same = typeof state === "string" ? undefined : this.#objectIds.get(state);
    const text =
      same !== undefined && this.#states.has(same) ? (this.#states.get(same) as string) : boundedText(state, this.limits.memoryMb);
    const known = this.#stateIds.get(text);
    if (known !== undefined && this.#states.has(known)) {
      if (typeof state !== "string") this.#objectIds.set(state, known);
      // Most recently used last.
      this.#states.delete(known);
      this.#states.set(known, text);
      return known;
    }
    const id = this.#nextStateId++;
    this.#loadInto(id, text);
    this.#states.set(id, text);
    this.#stateIds.set(text, id);
    if (typeof state !== "string") this.#objectIds.set(state, id);
    this.#trimStates();
    return id;
  }

  /** The canonical text of a loaded state. */
  stateText(id: number): string | undefined {
    return this.#states.get(id);
  }

  /** A loaded state's canonical text by parts (undefined when it is no longer kept). */
  stateParts(id: number): StateParts | undefined {
    let parts = this.#parts.get(id);
    if (parts === undefined) {
      const text = this.#states.get(id);
      if (text === undefined) return undefined;
      parts = new StateParts(text);
      this.#parts.set(id, parts);
    }
    return parts;
  }

  /**
   * A new isolate after the old one died: every kept state loaded again, every slot's episode
   * reset and replayed. A slot whose replay fails ends its own episode (it says so at its next
   * use); one whose replay kills the new isolate too ends, and the isolate is built again for the
   * others, so each pass leaves out at least one more and the rebuild ends. When no isolate can be
   * built, every episode on it ends; the next use tries again.
   */
  rebuild(): void {
    this.rebuilds += 1;
    this.#rebuilding = true;
    try {
      this.#rebuildUntilIntact();
    } finally {
      this.#rebuilding = false;
    }
  }

  /** Whether a rebuild is under way (a tenant moving out during it leaves the rest to it). */
  get rebuilding(): boolean {
    return this.#rebuilding;
  }

  #rebuildUntilIntact(): void {
    for (;;) {
      this.watchdog.unregister(this.target);
      if (!this.isolate.isDisposed) this.isolate.dispose();
      this.#live = 0;
      try {
        this.#boot();
        for (const [id, text] of this.#states) this.#loadInto(id, text, false);
      } catch (error) {
        if (!this.isolate.isDisposed) this.isolate.dispose();
        const reason = `its isolate could not be rebuilt (${error instanceof Error ? error.message : String(error)})`;
        for (const tenant of this.#tenants.values()) tenant.end(reason);
        return;
      }
      let intact = true;
      for (const [slot, tenant] of [...this.#tenants]) {
        if (tenant.ended || !this.#tenants.has(slot)) continue;
        tenant.restoreAfterRebuild();
        if (this.isolate.isDisposed) {
          intact = false;
          break;
        }
      }
      if (intact) return;
    }
  }

  /** A full garbage collection in the isolate, when its process provides the collector; false otherwise. */
  collect(): boolean {
    if (this.#closed || this.isolate.isDisposed) return false;
    const seq = this.watchdog.reserve(1);
    return this.watchdog.run(this.target, seq, STATE_LIMIT_MS, () => this.refs.collect.applySync(undefined, [])) as boolean;
  }

  heapBytes(): number {
    return this.isolate.isDisposed ? 0 : this.isolate.getHeapStatisticsSync().used_heap_size;
  }

  /** Memory the isolate holds: its committed heap and the memory outside it (malloc, external). */
  memoryBytes(): number {
    if (this.isolate.isDisposed) return 0;
    const stats = this.isolate.getHeapStatisticsSync();
    return stats.total_physical_size + stats.malloced_memory + stats.externally_allocated_size;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.watchdog.unregister(this.target);
    if (!this.isolate.isDisposed) {
      this.#context.release();
      this.isolate.dispose();
    }
  }

  // ------------------------------------------------------------------ internals

  #loadInto(id: number, text: string, revive = true): void {
    if (revive) this.ensureLive();
    const seq = this.watchdog.reserve(1);
    try {
      this.watchdog.run(this.target, seq, STATE_LIMIT_MS, () => this.refs.loadState.applySync(undefined, [id, text]));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!revive) throw error;
      if (this.isolate.isDisposed) this.rebuild();
      throw new TypeError(`the state cannot be loaded: ${message}`);
    }
  }

  /** Drop the least recently used states no episode starts from, beyond the spares. */
  #trimStates(): void {
    const inUse = new Set<number>();
    for (const tenant of this.#tenants.values()) inUse.add(tenant.stateId);
    let spare = this.#states.size - inUse.size;
    let dropped = false;
    for (const id of this.#states.keys()) {
      if (spare <= SPARE_STATES) break;
      if (inUse.has(id)) continue;
      this.#stateIds.delete(this.#states.get(id) as string);
      this.#states.delete(id);
      this.stateHashes.delete(id);
      this.#parts.delete(id);
      if (!this.isolate.isDisposed) this.refs.dropState.applySync(undefined, [id]);
      spare -= 1;
      dropped = true;
    }
    if (dropped) for (const [key, id] of this.#keyIds) if (!this.#states.has(id)) this.#keyIds.delete(key);
  }

  /** Isolate, context, bootstrap, module: ready for states and slots. */
  #boot(): void {
    const isolate = new ivm.Isolate({ memoryLimit: this.limits.memoryMb });
    const context = isolate.createContextSync();
    const bootstrap = compileCached(isolate, bootstrapSource(), "envscale-bootstrap.js");
    const create = bootstrap.runSync(context, { reference: true }) as ivm.Reference<(config: object) => IsolateKernel>;
    const kernel = create.applySync(undefined, [{ maxResultBytes: this.limits.maxResultBytes, maxLogLines: 100 }], {
      arguments: { copy: true },
      result: { reference: true },
    }) as unknown as ivm.Reference<IsolateKernel>;
    const refs = {} as Refs;
    for (const name of REF_NAMES) (refs as Record<string, unknown>)[name] = kernel.getSync(name, { reference: true });
    const script = compileCached(isolate, this.module.script, "envscale-tools.js");
    const tools = JSON.stringify(this.module.tools.map((tool) => ({ name: tool.name, write: tool.access !== "read" })));
    // The module's script runs under the call's limits: a loop or a memory bomb there is the
    // module's failure, reported as a call's would be, never a hung or dead process.
    const limit = this.limits.timeoutMs;
    try {
      const factory = script.runSync(context, { reference: true, timeout: limit }) as ivm.Reference<() => unknown>;
      refs.install.applySync(undefined, [tools, factory.derefInto()] as never, { timeout: limit });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const disposed = isolate.isDisposed;
      if (!disposed) isolate.dispose();
      if (/timed out/i.test(message)) throw new ModuleLoadError("TIMEOUT", `the module's top-level code ran past the limit of ${limit} ms`);
      if (/memory limit/i.test(message) || disposed)
        throw new ModuleLoadError("MEMORY_LIMIT", `the module's top-level code ran past the memory limit of ${this.limits.memoryMb} MB`);
      throw new ModuleLoadError("TOOL_ERROR", `the module threw while loading: ${message}`);
    }
    refs.lockdown.applySync(undefined, []);
    // The lockdown's walk leaves throwaway instances of every built-in: collected now, before
    // the isolate idles (when the process provides the collector), they take ~0.5 MB less.
    refs.collect.applySync(undefined, []);
    this.isolate = isolate;
    this.#context = context;
    this.refs = refs;
    this.target = this.watchdog.register(isolate);
  }
}

/** A settled outcome: the bootstrap answers "" only when no call ran (it failed before reaching the tool). */
function settledText(text: string): string {
  if (text === "") throw new Error("the call did not run in the isolate");
  return text;
}

/**
 * The canonical text of a state, within the bounds. A text is the host's (host/state-keys.ts
 * wrote it canonical, within the bounds): scanned again before the isolate parses it.
 */
function boundedText(state: StateInput, memoryMb: number): string {
  if (typeof state !== "string") return canonicalStateText(state, memoryMb);
  const bound = stateTextBound(state, memoryMb);
  if (bound === "size") throw StateBoundsError.size(maxStateChars(memoryMb));
  if (bound === "depth") {
    // Parsed only to name the place (JSON.parse does not recurse); the bounded walk stops at the bound.
    canonicalStateText(JSON.parse(state), memoryMb);
    throw StateBoundsError.depth("db");
  }
  return state;
}
