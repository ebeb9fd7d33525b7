// An Environment: a compiled tool module plus a database state in one isolate, in this process.
//
// This is the in-process engine that sandbox processes run (see host/sandbox.ts for the supervised,
// multi-process API the rest of envscale uses). Every method is synchronous.
//
// Guarantees:
// - A call either succeeds and commits what it wrote, or fails and leaves the database, the random
//   stream and the clock exactly as they were (TOOL_ERROR, TIMEOUT, MEMORY_LIMIT, INVALID_STATE,
//   INVALID_RESULT, INTERNAL alike).
// - TIMEOUT and MEMORY_LIMIT destroy the isolate; the environment rebuilds it and replays the
//   episode's earlier calls (execution is deterministic), so the next call works on the state as it
//   was before the failed call.
// - Same module, state, seed, clock and calls: same results, same states, same hashes.

import type { ValidateFunction } from "ajv/dist/2020.js";
import ivm from "isolated-vm";
import { canonicalStringify, type JsonObject, sha256 } from "../../kernel/canonical-json.ts";
import type { IsolateKernel } from "../isolate/bootstrap.ts";
import { ModuleLoadError } from "../shared/call-errors.ts";
import { COLLECT_EVERY_RESETS } from "../shared/collector.ts";
import { DEFAULT_CLOCK, type EnvironmentOptions, type ResetOptions } from "../shared/environment-options.ts";
import type { CallError, CallOutcome, CompiledModule, ToolCall } from "../shared/tool-module.ts";
import { describeArgErrors, validatorsFor } from "./argument-validators.ts";
import { bootstrapSource } from "./bootstrap-script.ts";
import { compileCached } from "./code-cache.ts";
import { SourceLines } from "./source-lines.ts";
import { Watchdog } from "./watchdog.ts";

const defaults = { memoryMb: 64, timeoutMs: 1000, seed: 0, clock: DEFAULT_CLOCK, clockStepMs: 1000, maxResultBytes: 1 << 20 };
/** Loading or exporting a state is not a tool call; it gets a generous limit of its own. */
const STATE_LIMIT_MS = 30_000;
/** Distinct states kept loaded in one isolate (each reset to a known state then costs no transfer). */
const LOADED_STATES = 8;

/** One watchdog per process, shared by all its environments. */
let processWatchdog: Watchdog | null = null;
export function sharedWatchdog(): Watchdog {
  processWatchdog ??= new Watchdog();
  return processWatchdog;
}

function toClockMs(clock: string | number): number {
  const ms = typeof clock === "number" ? clock : Date.parse(clock);
  if (!Number.isFinite(ms)) throw new TypeError(`invalid clock ${JSON.stringify(clock)}: use ISO 8601 or ms since 1970`);
  return ms;
}

type Refs = {
  [K in
    | "install"
    | "loadState"
    | "dropState"
    | "reset"
    | "instantiate"
    | "call"
    | "callMany"
    | "exportState"
    | "lockdown"
    | "collect"
    | "pristine"]: ivm.Reference<IsolateKernel[K]>;
};

interface Episode {
  stateId: number;
  seed: number;
  clockMs: number;
}

export class Environment {
  readonly module: CompiledModule;
  readonly #options: Required<EnvironmentOptions>;
  readonly #watchdog: Watchdog;
  readonly #validators: (ValidateFunction | null)[];
  readonly #toolIndex = new Map<string, number>();
  #isolate!: ivm.Isolate;
  #context!: ivm.Context;
  #refs!: Refs;
  #target = 0;
  /** State texts by id, as loaded (kept to rebuild an isolate), most recently used last. */
  readonly #states = new Map<number, string>();
  /**
   * Loaded states' ids by their canonical text: a state comes back as a new object with every
   * request (it crossed a process boundary), so only its content can say it is already loaded.
   */
  readonly #stateIds = new Map<string, number>();
  /** Hashes of loaded states, by id (the hash of an episode no write has changed). */
  readonly #stateHashes = new Map<number, string>();
  /** The same, by object, for callers in this process that pass the same object again (no re-serialising). */
  readonly #objectIds = new WeakMap<object, number>();
  #nextStateId = 1;
  #episode: Episode;
  /** Calls of this episode that ran to an outcome: replayed after a rebuild. */
  #journal: Prepared[] = [];
  #broken: string | null = null;
  #closed = false;
  readonly #sourceLines: SourceLines;
  /** How many times the isolate was rebuilt (after timeouts, memory limits, internal errors). */
  rebuilds = 0;
  #resets = 0;

  private constructor(module: CompiledModule, options: Required<EnvironmentOptions>, watchdog: Watchdog) {
    this.module = module;
    this.#options = options;
    this.#watchdog = watchdog;
    this.#validators = validatorsFor(module);
    this.#sourceLines = new SourceLines(module);
    for (const [index, tool] of module.tools.entries()) this.#toolIndex.set(tool.name, index);
    this.#episode = { stateId: 0, seed: options.seed, clockMs: toClockMs(options.clock) };
  }

  /** Open an environment on a compiled module and an initial state. Throws on a state that is not JSON. */
  static open(
    module: CompiledModule,
    state: JsonObject,
    options: EnvironmentOptions = {},
    watchdog: Watchdog = sharedWatchdog(),
  ): Environment {
    const resolved = { ...defaults, ...options } as Required<EnvironmentOptions>;
    const env = new Environment(module, resolved, watchdog);
    env.#boot();
    env.reset(state);
    return env;
  }

  get toolNames(): string[] {
    return this.module.tools.map((tool) => tool.name);
  }

  /** Run one tool call. Never throws: every failure is an outcome. */
  call(tool: string, args: unknown): CallOutcome {
    return JSON.parse(this.callText(tool, args)) as CallOutcome;
  }

  /**
   * Run calls in order in one crossing into the isolate. Each call has its own outcome, time limit
   * and rollback: a failed call does not stop the ones after it.
   */
  callMany(calls: readonly ToolCall[]): CallOutcome[] {
    return JSON.parse(`[${this.callManyText(calls).join(",")}]`) as CallOutcome[];
  }

  /** `call`, with the outcome as JSON text (what a sandbox process sends on without parsing). */
  callText(tool: string, args: unknown): string {
    const prepared = this.#prepare(tool, args);
    return typeof prepared === "string" ? prepared : (this.#run([prepared])[0] as string);
  }

  /** `callMany`, with each outcome as JSON text. */
  callManyText(calls: readonly ToolCall[]): string[] {
    const outcomes = new Array<string>(calls.length);
    const batch: Prepared[] = [];
    const positions: number[] = [];
    calls.forEach((call, i) => {
      const prepared = this.#prepare(call.tool, call.arguments);
      if (typeof prepared === "string") outcomes[i] = prepared;
      else {
        batch.push(prepared);
        positions.push(i);
      }
    });
    const ran = batch.length > 0 ? this.#run(batch) : [];
    for (let i = 0; i < positions.length; i++) outcomes[positions[i] as number] = ran[i] as string;
    return outcomes;
  }

  /** The committed database (a fresh copy). */
  state(): JsonObject {
    this.#usable();
    const seq = this.#watchdog.reserve(1);
    const text = this.#watchdog.run(this.#target, seq, STATE_LIMIT_MS, () => this.#refs.exportState.applySync(undefined, []));
    return JSON.parse(text) as JsonObject;
  }

  /**
   * SHA-256 of the canonical JSON of the database (sorted keys): equal states, equal hashes. An
   * episode no write has changed has its initial state's hash, computed once per loaded state.
   */
  stateHash(): string {
    this.#usable();
    if (this.#refs.pristine.applySync(undefined, []) as boolean) {
      const id = this.#episode.stateId;
      let hash = this.#stateHashes.get(id);
      if (hash === undefined) {
        hash = sha256(this.#states.get(id) ?? canonicalStringify(this.state()));
        this.#stateHashes.set(id, hash);
      }
      return hash;
    }
    return sha256(canonicalStringify(this.state()));
  }

  /**
   * Start a new episode: the given state (or the current episode's initial state), a fresh module
   * instance, the seed and clock (options override the environment's). Never creates an isolate.
   */
  reset(state?: JsonObject, options: ResetOptions = {}): void {
    if (this.#closed) throw new Error("environment is closed");
    const stateId = state === undefined ? this.#episode.stateId : this.#load(state);
    this.#episode = {
      stateId,
      seed: options.seed ?? this.#episode.seed,
      clockMs: options.clock !== undefined ? toClockMs(options.clock) : this.#episode.clockMs,
    };
    this.#journal = [];
    this.#broken = null;
    this.#resetIsolate();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchdog.unregister(this.#target);
    if (!this.#isolate.isDisposed) {
      this.#context.release();
      this.#isolate.dispose();
    }
  }

  /** A full garbage collection in the isolate, when its process provides the collector; false otherwise. */
  collect(): boolean {
    if (this.#closed || this.#isolate.isDisposed) return false;
    const seq = this.#watchdog.reserve(1);
    return this.#watchdog.run(this.#target, seq, STATE_LIMIT_MS, () => this.#refs.collect.applySync(undefined, [])) as boolean;
  }

  /** Heap in use by the isolate, bytes. */
  heapBytes(): number {
    return this.#isolate.isDisposed ? 0 : this.#isolate.getHeapStatisticsSync().used_heap_size;
  }

  /** Memory the isolate holds: its committed heap and the memory outside it (malloc, external). */
  memoryBytes(): number {
    if (this.#isolate.isDisposed) return 0;
    const stats = this.#isolate.getHeapStatisticsSync();
    return stats.total_physical_size + stats.malloced_memory + stats.externally_allocated_size;
  }

  // ------------------------------------------------------------------ internals

  /** Validate a call on this side of the boundary: the tool's index and the arguments' JSON, or a failure outcome's text. */
  #prepare(tool: string, args: unknown): Prepared | string {
    const index = this.#toolIndex.get(tool);
    if (index === undefined) {
      return failure("UNKNOWN_TOOL", `no tool named "${tool}" in this module (tools: ${this.toolNames.join(", ")})`);
    }
    const given = args === undefined || args === null ? {} : args;
    if (typeof given !== "object" || Array.isArray(given)) return failure("INVALID_ARGS", "arguments must be a JSON object");
    const validate = this.#validators[index];
    if (validate && !validate(given)) return failure("INVALID_ARGS", describeArgErrors(validate));
    let json: string;
    try {
      json = JSON.stringify(given);
    } catch (error) {
      return failure("INVALID_ARGS", `arguments are not JSON: ${(error as Error).message}`);
    }
    return { index, json };
  }

  /** Run prepared calls as one crossing (outcomes as JSON text); on a fatal failure, rebuild and go on with the rest. */
  #run(batch: Prepared[]): string[] {
    if (this.#broken !== null || this.#closed) {
      const reason = this.#closed ? "environment is closed" : this.#broken;
      return batch.map(() => failure("INTERNAL", `${reason}; reset the environment`));
    }
    const first = this.#watchdog.reserve(batch.length);
    let outcomes: string[];
    try {
      const only = batch.length === 1 ? batch[0] : undefined;
      outcomes = only
        ? [
            this.#watchdog.run(this.#target, first, this.#options.timeoutMs, () =>
              this.#refs.call.applySync(undefined, [only.index, only.json]),
            ),
          ]
        : this.#watchdog
            .run(this.#target, first, this.#options.timeoutMs, () => this.#refs.callMany.applySync(undefined, [batchJson(batch), first]))
            .split("\n");
    } catch (error) {
      return this.#recover(batch, first, error);
    }
    for (let i = 0; i < outcomes.length; i++) {
      this.#journal.push(batch[i] as Prepared);
      // Only a TOOL_ERROR carries stack frames: turn them into lines of the tool's own source.
      const text = outcomes[i] as string;
      if (text.includes('"frames":[')) outcomes[i] = this.#sourceLines.locate(text);
    }
    return outcomes;
  }

  /**
   * The isolate died (timeout, memory) or the bootstrap threw: find the call at fault, rebuild,
   * replay the episode, then recover the outcomes of the batch's calls before it (deterministic)
   * and run the ones after it.
   */
  #recover(batch: Prepared[], first: number, error: unknown): string[] {
    const message = error instanceof Error ? error.message : String(error);
    const killed = this.#watchdog.killedSeq();
    const failedSeq = this.#watchdog.lastSeqAtFailure;
    const inBatch = (seq: number) => seq >= first && seq < first + batch.length;
    let code: CallError["code"];
    let at: number;
    if (inBatch(killed)) {
      code = "TIMEOUT";
      at = killed - first;
    } else {
      code = /memory limit/i.test(message) ? "MEMORY_LIMIT" : "INTERNAL";
      at = inBatch(failedSeq) ? failedSeq - first : 0;
    }
    const reason =
      code === "TIMEOUT"
        ? `the call ran past its limit of ${this.#options.timeoutMs} ms`
        : code === "MEMORY_LIMIT"
          ? `the call ran past the memory limit of ${this.#options.memoryMb} MB`
          : `the sandbox failed: ${message}`;
    try {
      this.#rebuild();
    } catch (rebuildError) {
      this.#broken = `the environment could not be restored after ${code} (${(rebuildError as Error).message})`;
      return batch.map((_, i) => (i === at ? failure(code, reason) : failure("INTERNAL", this.#broken as string)));
    }
    const before = at > 0 ? this.#run(batch.slice(0, at)) : [];
    const after = at + 1 < batch.length ? this.#run(batch.slice(at + 1)) : [];
    return [...before, failure(code, `${reason}; the state is as it was before the call`), ...after];
  }

  #usable(): void {
    if (this.#closed) throw new Error("environment is closed");
    if (this.#broken !== null) throw new Error(`${this.#broken}; reset the environment`);
  }

  /** Load a state into the isolate under a new id (once per distinct state, while it stays loaded). */
  #load(state: JsonObject): number {
    if (typeof state !== "object" || state === null || Array.isArray(state)) throw new TypeError("a state must be a JSON object");
    const same = this.#objectIds.get(state);
    const text = same !== undefined && this.#states.has(same) ? (this.#states.get(same) as string) : canonicalStringify(state);
    const known = this.#stateIds.get(text);
    if (known !== undefined && this.#states.has(known)) {
      this.#objectIds.set(state, known);
      // Most recently used last.
      this.#states.delete(known);
      this.#states.set(known, text);
      return known;
    }
    const id = this.#nextStateId++;
    this.#loadInto(id, text);
    this.#states.set(id, text);
    this.#stateIds.set(text, id);
    this.#objectIds.set(state, id);
    while (this.#states.size > LOADED_STATES) {
      const oldest = this.#states.keys().next().value as number;
      if (oldest === this.#episode.stateId) break;
      this.#stateIds.delete(this.#states.get(oldest) as string);
      this.#states.delete(oldest);
      this.#stateHashes.delete(oldest);
      this.#refs.dropState.applySync(undefined, [oldest]);
    }
    return id;
  }

  #loadInto(id: number, text: string): void {
    const seq = this.#watchdog.reserve(1);
    try {
      this.#watchdog.run(this.#target, seq, STATE_LIMIT_MS, () => this.#refs.loadState.applySync(undefined, [id, text]));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#isolate.isDisposed) this.#rebuild();
      throw new TypeError(`the state cannot be loaded: ${message}`);
    }
  }

  #resetIsolate(): void {
    // Between episodes, now and then, a full collection (shared/collector.ts): dead episodes pile up otherwise.
    if (++this.#resets % COLLECT_EVERY_RESETS === 0) this.collect();
    const seq = this.#watchdog.reserve(1);
    const { stateId, seed, clockMs } = this.#episode;
    this.#watchdog.run(this.#target, seq, STATE_LIMIT_MS, () =>
      this.#refs.reset.applySync(undefined, [stateId, seed, clockMs, this.#options.clockStepMs]),
    );
    // The module's top-level code runs for every episode: under the call's limits, failing as a
    // call does (a loop is a TIMEOUT, a memory bomb MEMORY_LIMIT), never pinning the process.
    const load = this.#watchdog.reserve(1);
    try {
      this.#watchdog.run(this.#target, load, this.#options.timeoutMs, () => this.#refs.instantiate.applySync(undefined, []));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const timedOut = this.#watchdog.killedSeq() === load;
      this.#broken = `the module cannot load: ${message}`;
      if (timedOut) throw new ModuleLoadError("TIMEOUT", `the module's top-level code ran past the limit of ${this.#options.timeoutMs} ms`);
      if (/memory limit/i.test(message) || this.#isolate.isDisposed)
        throw new ModuleLoadError("MEMORY_LIMIT", `the module's top-level code ran past the memory limit of ${this.#options.memoryMb} MB`);
      throw new ModuleLoadError("TOOL_ERROR", `the module threw while loading: ${message}`);
    }
  }

  /** A new isolate, with every kept state loaded, the episode reset and its journal replayed. */
  #rebuild(): void {
    this.rebuilds += 1;
    this.#watchdog.unregister(this.#target);
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
    this.#boot();
    for (const [id, text] of this.#states) this.#loadInto(id, text);
    this.#resetIsolate();
    const journal = this.#journal;
    this.#journal = [];
    if (journal.length === 0) return;
    const first = this.#watchdog.reserve(journal.length);
    this.#watchdog.run(this.#target, first, this.#options.timeoutMs, () =>
      this.#refs.callMany.applySync(undefined, [batchJson(journal), first]),
    );
    this.#journal = journal;
  }

  /** Isolate, context, bootstrap, module: ready for states. */
  #boot(): void {
    const isolate = new ivm.Isolate({ memoryLimit: this.#options.memoryMb });
    const context = isolate.createContextSync();
    const bootstrap = compileCached(isolate, bootstrapSource(), "envscale-bootstrap.js");
    const create = bootstrap.runSync(context, { reference: true }) as ivm.Reference<
      (buffer: SharedArrayBuffer, config: object) => IsolateKernel
    >;
    const kernel = create.applySync(
      undefined,
      [this.#watchdog.sharedBuffer, { maxResultBytes: this.#options.maxResultBytes, maxLogLines: 100, epoch: this.#watchdog.epoch }],
      { arguments: { copy: true }, result: { reference: true } },
    ) as unknown as ivm.Reference<IsolateKernel>;
    const refs = {} as Refs;
    for (const name of [
      "install",
      "loadState",
      "dropState",
      "reset",
      "instantiate",
      "call",
      "callMany",
      "exportState",
      "lockdown",
      "collect",
      "pristine",
    ] as const) {
      (refs as Record<string, unknown>)[name] = kernel.getSync(name, { reference: true });
    }
    const script = compileCached(isolate, this.module.script, "envscale-tools.js");
    const tools = JSON.stringify(this.module.tools.map((tool) => ({ name: tool.name, write: tool.access !== "read" })));
    // The module's top-level code runs under the call's limits: a loop or a memory bomb there is
    // the module's failure, reported as a call's would be, never a hung or dead process.
    const limit = this.#options.timeoutMs;
    try {
      const factory = script.runSync(context, { reference: true, timeout: limit }) as ivm.Reference<() => unknown>;
      refs.install.applySync(undefined, [tools, factory.derefInto()] as never, { timeout: limit });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const disposed = isolate.isDisposed;
      if (!disposed) isolate.dispose();
      if (/timed out/i.test(message)) throw new ModuleLoadError("TIMEOUT", `the module's top-level code ran past the limit of ${limit} ms`);
      if (/memory limit/i.test(message) || disposed)
        throw new ModuleLoadError("MEMORY_LIMIT", `the module's top-level code ran past the memory limit of ${this.#options.memoryMb} MB`);
      throw new ModuleLoadError("TOOL_ERROR", `the module threw while loading: ${message}`);
    }
    refs.lockdown.applySync(undefined, []);
    this.#isolate = isolate;
    this.#context = context;
    this.#refs = refs;
    this.#target = this.#watchdog.register(isolate);
  }
}

/** A call checked on the host side: the tool's index and its arguments as JSON text. */
interface Prepared {
  index: number;
  json: string;
}

function batchJson(batch: readonly Prepared[]): string {
  let out = "[";
  for (let i = 0; i < batch.length; i++) out += `${i > 0 ? "," : ""}[${(batch[i] as Prepared).index},${(batch[i] as Prepared).json}]`;
  return `${out}]`;
}

/** A failure outcome as JSON text. */
function failure(code: CallError["code"], message: string): string {
  return JSON.stringify({ ok: false, error: { code, message } });
}
