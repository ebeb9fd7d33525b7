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
//   it replays its earlier calls (execution is deterministic) in bounded pieces, each outcome
//   checked against the one acknowledged, so the next call works on the state as it was before the
//   failed call. A replay that diverges or cannot complete ends that episode with a clear error.
// - An episode's limits are its own: a call that runs out of memory in an isolate it shares is run
//   again in an isolate of its own (journal-replay.ts), and fails only if it fails there too.
// - Same module, state, seed, clock and calls: same results, same states, same hashes.

import { canonicalStateText, canonicalText, type JsonObject, sha256 } from "../shared/canonical-state.ts";
import { DEFAULT_CLOCK, DEFAULT_MEMORY_MB, type EnvironmentOptions, type ResetOptions } from "../shared/environment-options.ts";
import { type OutcomeChecks, outcomeHash } from "../shared/outcome-check.ts";
import { maxStateChars } from "../shared/state-bounds.ts";
import { StateBoundsError, stateTextBound } from "../shared/state-checks.ts";
import type { CallError, CallOutcome, CompiledModule, ToolCall } from "../shared/tool-module.ts";
import { describeArgErrors } from "./argument-validators.ts";
import { IsolateHost, type IsolateLimits, type Prepared, type SlotTenant, STATE_LIMIT_MS, type StateInput } from "./isolate-host.ts";
import { checksOf, Journal, ReplayStopped } from "./journal-replay.ts";
import { TOOL_ERROR_TAG } from "./source-lines.ts";
import type { StateChanges } from "./state-parts.ts";
import { Watchdog } from "./watchdog.ts";

const defaults = {
  memoryMb: DEFAULT_MEMORY_MB,
  timeoutMs: 1000,
  seed: 0,
  clock: DEFAULT_CLOCK,
  clockStepMs: 1000,
  maxResultBytes: 1 << 20,
};

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
  #host: IsolateHost;
  #slot = 0;
  /** An environment with an isolate of its own (Environment.open, or moved out of a crowded one) closes it with it. */
  #ownsHost: boolean;
  readonly #clockStepMs: number;
  #episode: Episode;
  /** Calls of this episode that ran to an outcome, each with its outcome's check: replayed after a rebuild. */
  #journal = new Journal();
  /** The last state hash handed out, and after how many calls of the journal. */
  #acked: { calls: number; hash: string } | null = null;
  /** Why the episode ended (it answers INTERNAL until reset), or null. */
  #ended: string | null = null;
  #closed = false;

  private constructor(host: IsolateHost, options: EnvironmentOptions, ownsHost: boolean) {
    this.#host = host;
    this.module = host.module;
    this.#ownsHost = ownsHost;
    this.#clockStepMs = options.clockStepMs ?? defaults.clockStepMs;
    this.#episode = { stateId: 0, seed: options.seed ?? defaults.seed, clockMs: toClockMs(options.clock ?? defaults.clock) };
  }

  /** Open an environment on a compiled module and an initial state, in an isolate of its own. Throws on a state that is not JSON. */
  static open(
    module: CompiledModule,
    state: StateInput,
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
  static openOn(host: IsolateHost, state: StateInput, options: EnvironmentOptions = {}, stateKey?: number): Environment {
    return Environment.#attach(host, state, options, false, stateKey);
  }

  static #attach(host: IsolateHost, state: StateInput, options: EnvironmentOptions, ownsHost: boolean, stateKey?: number): Environment {
    const env = new Environment(host, options, ownsHost);
    env.#slot = host.attach(env);
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

  /** The isolate this environment's episodes run in (shared with other environments of its module, unless it owns one). */
  get host(): IsolateHost {
    return this.#host;
  }

  get slot(): number {
    return this.#slot;
  }

  /** How many times the isolate was rebuilt (after timeouts, memory limits, internal errors). */
  get rebuilds(): number {
    return this.#host.rebuilds;
  }

  /** The state id the current episode starts from. */
  get stateId(): number {
    return this.#episode.stateId;
  }

  get ended(): boolean {
    return this.#ended !== null;
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
    return typeof prepared === "string" ? prepared : (this.#run([prepared]).texts[0] as string);
  }

  /**
   * `callMany`, with each outcome as JSON text. `checks`, when given, receives each outcome's
   * check (shared/outcome-check.ts), in order: what the host keeps in its journal.
   */
  callManyText(calls: readonly ToolCall[], checks?: OutcomeChecks): string[] {
    const outcomes = new Array<string>(calls.length);
    const batch: Prepared[] = [];
    const positions: number[] = [];
    calls.forEach((call, i) => {
      const prepared = this.#prepare(call.tool, call.arguments);
      if (typeof prepared === "string") {
        outcomes[i] = prepared;
        if (checks) {
          checks.lengths[i] = prepared.length;
          checks.hashes[i] = outcomeHash(prepared);
        }
      } else {
        batch.push(prepared);
        positions.push(i);
      }
    });
    const ran = batch.length > 0 ? this.#run(batch) : NONE;
    for (let i = 0; i < positions.length; i++) {
      const at = positions[i] as number;
      outcomes[at] = ran.texts[i] as string;
      if (checks) {
        checks.lengths[at] = ran.lengths[i] as number;
        checks.hashes[at] = ran.hashes[i] as number;
      }
    }
    return outcomes;
  }

  /** The committed database (a fresh copy). */
  state(): JsonObject {
    return JSON.parse(this.stateText()) as JsonObject;
  }

  /**
   * The committed database as JSON text (in the episode's key order), checked against the bounds
   * of a state before it leaves: a state too deep or too large is refused (StateBoundsError).
   */
  /**
   * What the episode changed of the state it started from, as JSON text (state-changes.ts), held
   * to the bounds of a state like `stateText`: a service's whole data need not cross for a write.
   */
  changesText(): string {
    this.#usable();
    this.#host.enter(this.#slot);
    if (this.#host.refs.pristine.applySync(undefined, []) as boolean) return "{}";
    const text = this.#exportedChanges();
    const memoryMb = this.#host.limits.memoryMb;
    const bound = stateTextBound(text, memoryMb);
    if (bound === "size") throw StateBoundsError.size(maxStateChars(memoryMb));
    if (bound === "depth") throw StateBoundsError.depth("db");
    return text;
  }

  stateText(): string {
    this.#usable();
    const text = this.#exported();
    const memoryMb = this.#host.limits.memoryMb;
    const bound = stateTextBound(text, memoryMb);
    if (bound === "size") throw StateBoundsError.size(maxStateChars(memoryMb));
    if (bound === "depth") {
      // Names the place: JSON.parse does not recurse, and the bounded walk stops at the bound.
      canonicalStateText(JSON.parse(text), memoryMb);
      throw StateBoundsError.depth("db");
    }
    return text;
  }

  /**
   * SHA-256 of the canonical JSON of the database (sorted keys): equal states, equal hashes. An
   * episode no write has changed has its initial state's hash, computed once per loaded state.
   */
  stateHash(): string {
    this.#usable();
    const hash = this.#hash();
    this.#acked = { calls: this.#journal.length, hash };
    return hash;
  }

  /**
   * Start a new episode: the given state (or the current episode's initial state), a fresh module
   * instance, the seed and clock (options override the environment's). Never creates an isolate.
   * `stateKey`: the sender's key for this state object (see IsolateHost.load).
   */
  reset(state?: StateInput, options: ResetOptions = {}, stateKey?: number): void {
    if (this.#closed) throw new Error("environment is closed");
    const stateId = state === undefined ? this.#episode.stateId : this.#host.load(state, stateKey);
    this.#episode = {
      stateId,
      seed: options.seed ?? this.#episode.seed,
      clockMs: options.clock !== undefined ? toClockMs(options.clock) : this.#episode.clockMs,
    };
    this.#journal = new Journal();
    this.#acked = null;
    this.#ended = null;
    this.#startEpisode();
  }

  /**
   * Rebuild this episode from a journal kept elsewhere (the host's, after the sandbox process
   * that held it died): the calls, each outcome's check and, if one was acknowledged after the
   * last call, the state hash. Throws, ending the episode, when the replay diverges or cannot complete.
   */
  replay(calls: readonly ToolCall[], checks: OutcomeChecks, hash?: string): void {
    this.#usable();
    const journal = new Journal();
    for (const [i, call] of calls.entries()) {
      const prepared = this.#prepare(call.tool, call.arguments);
      const length = checks.lengths[i] ?? -1;
      const expected = checks.hashes[i] ?? -1;
      // A call refused before it reached the isolate is refused again: nothing to run, only to check.
      if (typeof prepared !== "string") journal.add(prepared, length, expected);
      else if (prepared.length !== length || outcomeHash(prepared) !== expected) {
        this.#end(
          `its replay diverged from the journal at call ${i + 1} of ${calls.length} (${call.tool}): the outcome differs from the one acknowledged`,
        );
        throw new Error(this.#endedMessage());
      }
    }
    this.#journal = journal;
    this.#acked = hash === undefined ? null : { calls: journal.length, hash };
    this.#restore();
    if (this.#ended !== null) throw new Error(this.#endedMessage());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#host.detach(this.#slot);
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
    if (this.#closed || this.#ended !== null) return;
    this.#restore();
  }

  end(reason: string): void {
    if (!this.#closed) this.#end(reason);
  }

  // ------------------------------------------------------------------ internals

  #startEpisode(): void {
    const { stateId, seed, clockMs } = this.#episode;
    try {
      this.#host.resetSlot(this.#slot, stateId, seed, clockMs, this.#clockStepMs);
    } catch (error) {
      this.#end(`the module cannot load: ${(error as Error).message}`);
      throw error;
    }
  }

  /**
   * Reset the slot and replay the journal, checked. A replay that runs out of memory in an isolate
   * shared with other episodes is tried again in an isolate of its own; a replay that cannot
   * complete there, or that diverges, ends the episode.
   */
  #restore(): void {
    try {
      this.#startEpisode();
      this.#journal.replayInto(this.#host, this.#slot);
      this.#checkAckedHash();
    } catch (error) {
      if (this.#ended !== null) return;
      if (error instanceof ReplayStopped && error.code === "MEMORY_LIMIT" && this.#shared() && this.#host.slots > 1) {
        this.#moveAlone();
        return;
      }
      this.#end(error instanceof ReplayStopped ? error.message : `its replay could not complete (${(error as Error).message})`);
    }
  }

  #checkAckedHash(): void {
    const acked = this.#acked;
    if (acked === null || acked.calls !== this.#journal.length) return;
    if (this.#hash() !== acked.hash) {
      const n = this.#journal.length;
      throw new ReplayStopped(
        "DIVERGED",
        `its replay diverged from the journal: after its ${n} call${n === 1 ? "" : "s"} the state hash differs from the one acknowledged`,
      );
    }
  }

  /** The committed database as the isolate writes it (JSON text, the episode's key order), unchecked. */
  #exported(): string {
    const host = this.#host;
    host.enter(this.#slot);
    const seq = host.watchdog.reserve(1);
    return host.watchdog.run(host.target, seq, STATE_LIMIT_MS, () => host.refs.exportState.applySync(undefined, []));
  }

  /**
   * The state hash. Hashing reads the state without the bounds scan `stateText` makes before a
   * state leaves the process: the hash leaves, not the state, and the isolate's commit holds a
   * state within its depth (a walk past the stack's depth would throw, caught, not crash).
   */
  #hash(): string {
    const host = this.#host;
    host.enter(this.#slot);
    if (host.refs.pristine.applySync(undefined, []) as boolean) {
      const id = this.#episode.stateId;
      let hash = host.stateHashes.get(id);
      if (hash === undefined) {
        hash = sha256(host.stateText(id) ?? canonicalText(JSON.parse(this.#exported())));
        host.stateHashes.set(id, hash);
      }
      return hash;
    }
    // From what the episode changed, on the loaded state's text by parts (the same text as the whole export's).
    const parts = host.stateParts(this.#episode.stateId);
    if (parts) return parts.hashWith(JSON.parse(this.#exportedChanges()) as StateChanges);
    return sha256(canonicalText(JSON.parse(this.#exported())));
  }

  #exportedChanges(): string {
    const host = this.#host;
    host.enter(this.#slot);
    const seq = host.watchdog.reserve(1);
    return host.watchdog.run(host.target, seq, STATE_LIMIT_MS, () => host.refs.exportChanges.applySync(undefined, []));
  }

  /** Whether other episodes share this one's isolate (whose memory they take too). */
  #shared(): boolean {
    return !this.#ownsHost;
  }

  /**
   * Leave a shared isolate for one of its own: this episode's state loaded there, its journal
   * replayed. The shared isolate is rebuilt for the others if this episode's failure destroyed it.
   * When no isolate of its own can be had, the episode ends where it is.
   */
  #moveAlone(): void {
    const shared = this.#host;
    let own: IsolateHost | null = null;
    let stateId: number;
    try {
      const text = shared.stateText(this.#episode.stateId);
      if (text === undefined) throw new Error("its state is no longer loaded");
      own = IsolateHost.boot(this.module, shared.limits, shared.watchdog);
      stateId = own.load(text);
    } catch (error) {
      own?.close();
      this.#end(`it could not be given an isolate of its own (${(error as Error).message})`);
      return;
    }
    shared.detach(this.#slot);
    // Inside a rebuild of the shared isolate (this episode's replay filled it), that rebuild goes on without this one.
    if (shared.slots > 0 && shared.isolate.isDisposed && !shared.rebuilding) shared.rebuild();
    this.#host = own;
    this.#ownsHost = true;
    this.#slot = own.attach(this);
    this.#episode = { ...this.#episode, stateId };
    this.#restore();
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

  /** Run prepared calls as one crossing (outcomes as JSON text, and their checks); on a fatal failure, rebuild and go on with the rest. */
  #run(batch: Prepared[]): Ran {
    if (this.#ended !== null || this.#closed) {
      const reason = this.#closed ? "environment is closed; reset the environment" : this.#endedMessage();
      return unjournalled(batch.map(() => failure("INTERNAL", reason)));
    }
    const host = this.#host;
    let first = 0;
    let outcomes: string[];
    try {
      host.ensureLive();
      first = host.watchdog.reserve(batch.length);
      outcomes = host.runCalls(this.#slot, batch, first);
    } catch (error) {
      return this.#recover(batch, first, error);
    }
    const lengths = new Array<number>(outcomes.length);
    const hashes = new Array<number>(outcomes.length);
    for (let i = 0; i < outcomes.length; i++) {
      const text = outcomes[i] as string;
      lengths[i] = text.length;
      hashes[i] = this.#journal.record(batch[i] as Prepared, text);
      // Told apart by the tag the bootstrap writes first, never by what a result holds: only a
      // TOOL_ERROR carries stack frames, turned here into lines of the tool's own source.
      if (text.startsWith(TOOL_ERROR_TAG)) outcomes[i] = host.sourceLines.locate(text);
    }
    return { texts: outcomes, lengths, hashes };
  }

  /**
   * The isolate died (timeout, memory) or the bootstrap threw: find the call at fault, rebuild
   * the isolate (every slot on it replays its episode), then recover the outcomes of the batch's
   * calls before it (deterministic) and run the ones after it. A call that ran out of memory in a
   * shared isolate is run again once this episode has an isolate of its own.
   */
  #recover(batch: Prepared[], first: number, error: unknown): Ran {
    const host = this.#host;
    const message = error instanceof Error ? error.message : String(error);
    const killed = host.watchdog.killedSeq();
    const failedSeq = host.watchdog.lastSeqAtFailure;
    const inBatch = (seq: number) => first > 0 && seq >= first && seq < first + batch.length;
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
    const crowded = code === "MEMORY_LIMIT" && this.#shared() && host.slots > 1;
    if (crowded) this.#moveAlone();
    else {
      try {
        host.rebuild();
      } catch (rebuildError) {
        this.#end(`its isolate could not be rebuilt after ${code} (${(rebuildError as Error).message})`);
      }
    }
    const failed = failure(code, `${reason}; the state is as it was before the call`);
    if (this.#ended !== null) {
      const ended = this.#endedMessage();
      return unjournalled(batch.map((_, i) => (i === at ? failed : failure("INTERNAL", ended))));
    }
    const before = at > 0 ? this.#run(batch.slice(0, at)) : NONE;
    // Alone now, the call runs again: it fails only if it fails without neighbours.
    const atFault = crowded ? this.#run([batch[at] as Prepared]) : unjournalled([failed]);
    const after = at + 1 < batch.length ? this.#run(batch.slice(at + 1)) : NONE;
    return {
      texts: [...before.texts, ...atFault.texts, ...after.texts],
      lengths: [...before.lengths, ...atFault.lengths, ...after.lengths],
      hashes: [...before.hashes, ...atFault.hashes, ...after.hashes],
    };
  }

  #end(reason: string): void {
    this.#ended = `the episode ended: ${reason}`;
  }

  #endedMessage(): string {
    return `${this.#ended}; reset the environment`;
  }

  #usable(): void {
    if (this.#closed) throw new Error("environment is closed");
    if (this.#ended !== null) throw new Error(this.#endedMessage());
  }
}

/** Outcomes of a crossing as JSON text, and each one's check (of the text as the isolate wrote it). */
interface Ran extends OutcomeChecks {
  texts: string[];
}

const NONE: Ran = { texts: [], lengths: [], hashes: [] };

/** Outcomes of calls that did not run (checked all the same: a caller keeps every outcome's check, and journals only what happened). */
function unjournalled(texts: string[]): Ran {
  return { texts, ...checksOf(texts) };
}

/** A failure outcome as JSON text. */
function failure(code: CallError["code"], message: string): string {
  return JSON.stringify({ ok: false, error: { code, message } });
}
