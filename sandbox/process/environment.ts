// An Environment: a compiled tool module plus a database state, in a slot of an isolate in this
// process (isolate-host.ts: environments of one module share warm isolates, each with its own
// episode; `Environment.open` gives one an isolate of its own).
//
// This is the in-process engine that sandbox processes run (see host/sandbox.ts for the supervised,
// multi-process API the rest of envscale uses). Every method is synchronous.
//
// Guarantees:
// - A call either succeeds and commits what it wrote, or fails and leaves the database, the random
//   stream and the clock exactly as they were (TOOL_ERROR, TIMEOUT, MEMORY_LIMIT, INVALID_STATE,
//   INVALID_RESULT, INTERNAL alike).
// - TIMEOUT and MEMORY_LIMIT destroy the isolate; the environment rebuilds it and every episode on
//   it replays its earlier calls (execution is deterministic), so the next call works on the state
//   as it was before the failed call.
// - Same module, state, seed, clock and calls: same results, same states, same hashes.

import { canonicalText, type JsonObject, sha256 } from "../shared/canonical-state.ts";
import { DEFAULT_CLOCK, type EnvironmentOptions, type ResetOptions } from "../shared/environment-options.ts";
import type { CallError, CallOutcome, CompiledModule, ToolCall } from "../shared/tool-module.ts";
import { describeArgErrors } from "./argument-validators.ts";
import { IsolateHost, type IsolateLimits, type SlotTenant, STATE_LIMIT_MS } from "./isolate-host.ts";
import { Watchdog } from "./watchdog.ts";

const defaults = { memoryMb: 64, timeoutMs: 1000, seed: 0, clock: DEFAULT_CLOCK, clockStepMs: 1000, maxResultBytes: 1 << 20 };

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

/** The limits an isolate is built with, from an environment's options (environments sharing an isolate share them). */
export function isolateLimits(options: EnvironmentOptions): IsolateLimits {
  return {
    memoryMb: options.memoryMb ?? defaults.memoryMb,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    maxResultBytes: options.maxResultBytes ?? defaults.maxResultBytes,
  };
}

interface Episode {
  stateId: number;
  seed: number;
  clockMs: number;
}

export class Environment implements SlotTenant {
  readonly module: CompiledModule;
  readonly slot: number;
  readonly #host: IsolateHost;
  /** An environment opened on its own (Environment.open) closes its isolate with it. */
  readonly #ownsHost: boolean;
  readonly #clockStepMs: number;
  #episode: Episode;
  /** Calls of this episode that ran to an outcome: replayed after a rebuild. */
  #journal: Prepared[] = [];
  #broken: string | null = null;
  #closed = false;

  private constructor(host: IsolateHost, slot: number, options: EnvironmentOptions, ownsHost: boolean) {
    this.#host = host;
    this.module = host.module;
    this.slot = slot;
    this.#ownsHost = ownsHost;
    this.#clockStepMs = options.clockStepMs ?? defaults.clockStepMs;
    this.#episode = { stateId: 0, seed: options.seed ?? defaults.seed, clockMs: toClockMs(options.clock ?? defaults.clock) };
  }

  /** Open an environment on a compiled module and an initial state, in an isolate of its own. Throws on a state that is not JSON. */
  static open(
    module: CompiledModule,
    state: JsonObject,
    options: EnvironmentOptions = {},
    watchdog: Watchdog = sharedWatchdog(),
  ): Environment {
    // An environment that fails to open closes, and with it the isolate it owns.
    return Environment.#attach(IsolateHost.boot(module, isolateLimits(options), watchdog), state, options, true);
  }

  /**
   * Open an environment in a slot of an isolate that already holds the module (a sandbox process
   * keeps them warm): no isolate is built; the options' limits must be the isolate's.
   */
  static openOn(host: IsolateHost, state: JsonObject, options: EnvironmentOptions = {}, stateKey?: number): Environment {
    return Environment.#attach(host, state, options, false, stateKey);
  }

  static #attach(host: IsolateHost, state: JsonObject, options: EnvironmentOptions, ownsHost: boolean, stateKey?: number): Environment {
    const env = host.attach((slot) => new Environment(host, slot, options, ownsHost)) as Environment;
    try {
      env.reset(state, {}, stateKey);
    } catch (error) {
      env.close();
      throw error;
    }
    return env;
  }

  get toolNames(): string[] {
    return this.module.tools.map((tool) => tool.name);
  }

  /** The isolate this environment's episodes run in (shared with other environments of its module). */
  get host(): IsolateHost {
    return this.#host;
  }

  /** How many times the isolate was rebuilt (after timeouts, memory limits, internal errors). */
  get rebuilds(): number {
    return this.#host.rebuilds;
  }

  /** The state id the current episode starts from. */
  get stateId(): number {
    return this.#episode.stateId;
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
    const host = this.#host;
    host.enter(this.slot);
    const seq = host.watchdog.reserve(1);
    const text = host.watchdog.run(host.target, seq, STATE_LIMIT_MS, () => host.refs.exportState.applySync(undefined, []));
    return JSON.parse(text) as JsonObject;
  }

  /**
   * SHA-256 of the canonical JSON of the database (sorted keys): equal states, equal hashes. An
   * episode no write has changed has its initial state's hash, computed once per loaded state.
   */
  stateHash(): string {
    this.#usable();
    const host = this.#host;
    host.enter(this.slot);
    if (host.refs.pristine.applySync(undefined, []) as boolean) {
      const id = this.#episode.stateId;
      let hash = host.stateHashes.get(id);
      if (hash === undefined) {
        hash = sha256(host.stateText(id) ?? canonicalText(this.state()));
        host.stateHashes.set(id, hash);
      }
      return hash;
    }
    return sha256(canonicalText(this.state()));
  }

  /**
   * Start a new episode: the given state (or the current episode's initial state), a fresh module
   * instance, the seed and clock (options override the environment's). Never creates an isolate.
   * `stateKey`: the sender's key for this state object (see IsolateHost.load).
   */
  reset(state?: JsonObject, options: ResetOptions = {}, stateKey?: number): void {
    if (this.#closed) throw new Error("environment is closed");
    const stateId = state === undefined ? this.#episode.stateId : this.#host.load(state, stateKey);
    this.#episode = {
      stateId,
      seed: options.seed ?? this.#episode.seed,
      clockMs: options.clock !== undefined ? toClockMs(options.clock) : this.#episode.clockMs,
    };
    this.#journal = [];
    this.#broken = null;
    this.#startEpisode();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#host.detach(this.slot);
    if (this.#ownsHost) this.#host.close();
  }

  /** A full garbage collection in the isolate, when its process provides the collector; false otherwise. */
  collect(): boolean {
    return this.#host.collect();
  }

  /** Heap in use by the isolate (shared by the environments on it), bytes. */
  heapBytes(): number {
    return this.#host.heapBytes();
  }

  /** Memory the isolate holds (shared by the environments on it): committed heap, malloc'd, external. */
  memoryBytes(): number {
    return this.#host.memoryBytes();
  }

  /** The isolate was rebuilt: reset this slot to its episode's start and replay its calls. */
  restoreAfterRebuild(): void {
    if (this.#closed) return;
    try {
      this.#startEpisode();
      const journal = this.#journal;
      if (journal.length === 0) return;
      const host = this.#host;
      const first = host.watchdog.reserve(journal.length);
      host.watchdog.run(host.target, first, host.limits.timeoutMs, () =>
        host.refs.callMany.applySync(undefined, [this.slot, batchJson(journal), first]),
      );
    } catch (error) {
      this.#broken = `the environment could not be restored after its isolate was rebuilt (${(error as Error).message})`;
    }
  }

  // ------------------------------------------------------------------ internals

  #startEpisode(): void {
    const { stateId, seed, clockMs } = this.#episode;
    try {
      this.#host.resetSlot(this.slot, stateId, seed, clockMs, this.#clockStepMs);
    } catch (error) {
      this.#broken = `the module cannot load: ${(error as Error).message}`;
      throw error;
    }
  }

  /** Validate a call on this side of the boundary: the tool's index and the arguments' JSON, or a failure outcome's text. */
  #prepare(tool: string, args: unknown): Prepared | string {
    const index = this.#host.toolIndex.get(tool);
    if (index === undefined) {
      return failure("UNKNOWN_TOOL", `no tool named "${tool}" in this module (tools: ${this.toolNames.join(", ")})`);
    }
    const given = args === undefined || args === null ? {} : args;
    if (typeof given !== "object" || Array.isArray(given)) return failure("INVALID_ARGS", "arguments must be a JSON object");
    const validate = this.#host.validators[index];
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
    const host = this.#host;
    const watchdog = host.watchdog;
    const first = watchdog.reserve(batch.length);
    let outcomes: string[];
    try {
      // The crossing selects this environment's slot itself.
      host.entered(this.slot);
      const slot = this.slot;
      const only = batch.length === 1 ? batch[0] : undefined;
      outcomes = only
        ? [
            watchdog.run(host.target, first, host.limits.timeoutMs, () =>
              host.refs.call.applySync(undefined, [slot, only.index, only.json]),
            ),
          ]
        : watchdog
            .run(host.target, first, host.limits.timeoutMs, () => host.refs.callMany.applySync(undefined, [slot, batchJson(batch), first]))
            .split("\n");
    } catch (error) {
      return this.#recover(batch, first, error);
    }
    for (let i = 0; i < outcomes.length; i++) {
      this.#journal.push(batch[i] as Prepared);
      // Only a TOOL_ERROR carries stack frames: turn them into lines of the tool's own source.
      const text = outcomes[i] as string;
      if (text.includes('"frames":[')) outcomes[i] = host.sourceLines.locate(text);
    }
    return outcomes;
  }

  /**
   * The isolate died (timeout, memory) or the bootstrap threw: find the call at fault, rebuild
   * the isolate (every slot on it replays its episode), then recover the outcomes of the batch's
   * calls before it (deterministic) and run the ones after it.
   */
  #recover(batch: Prepared[], first: number, error: unknown): string[] {
    const host = this.#host;
    const message = error instanceof Error ? error.message : String(error);
    const killed = host.watchdog.killedSeq();
    const failedSeq = host.watchdog.lastSeqAtFailure;
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
        ? `the call ran past its limit of ${host.limits.timeoutMs} ms`
        : code === "MEMORY_LIMIT"
          ? `the call ran past the memory limit of ${host.limits.memoryMb} MB`
          : `the sandbox failed: ${message}`;
    try {
      host.rebuild();
    } catch (rebuildError) {
      this.#broken = `the environment could not be restored after ${code} (${(rebuildError as Error).message})`;
    }
    if (this.#broken !== null) {
      const broken = this.#broken;
      return batch.map((_, i) => (i === at ? failure(code, reason) : failure("INTERNAL", broken)));
    }
    const before = at > 0 ? this.#run(batch.slice(0, at)) : [];
    const after = at + 1 < batch.length ? this.#run(batch.slice(at + 1)) : [];
    return [...before, failure(code, `${reason}; the state is as it was before the call`), ...after];
  }

  #usable(): void {
    if (this.#closed) throw new Error("environment is closed");
    if (this.#broken !== null) throw new Error(`${this.#broken}; reset the environment`);
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
