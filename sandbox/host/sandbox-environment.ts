// A handle on an environment in a sandbox process: the Environment API, asynchronous, with the
// journal that rebuilds its episode on another process when its own dies (episode-journal.ts).
// The rebuild replays the journal there in bounded pieces, each outcome and the last acknowledged
// state hash checked; a replay that diverges or cannot complete ends that episode with a clear
// error (its calls answer INTERNAL, its state is refused) until it is reset.
import { hitLimit, ModuleLoadError } from "../shared/call-errors.ts";
import type { JsonObject } from "../shared/canonical-state.ts";
import { DEFAULT_MEMORY_MB, type EnvironmentOptions, type ResetOptions } from "../shared/environment-options.ts";
import type { EpisodeReply, OutcomesReply } from "../shared/protocol.ts";
import { SandboxError } from "../shared/sandbox-error.ts";
import type { StateChanges } from "../shared/state-changes.ts";
import type { CallOutcome, CompiledModule, ToolCall } from "../shared/tool-module.ts";
import { EpisodeJournal, encodeCall } from "./episode-journal.ts";
import { crashOutcome, type Message, ProcessDied, type SandboxProcess } from "./sandbox-process.ts";
import { stateToSend } from "./state-keys.ts";

export interface SandboxMetrics {
  calls: number;
  episodes: number;
  process_crashes: number;
  restores: number;
}

export interface EpisodeResult {
  outcomes: CallOutcome[];
  stateHash: string;
  state?: JsonObject;
  /** With `exportChanges`: what the episode changed of its initial state (apply with `applyStateChanges`). */
  changes?: StateChanges;
}

/** What an environment needs of its sandbox: a live process to be placed on, and the counters. */
export interface EnvironmentHome {
  readonly counters: SandboxMetrics;
  place(id: number, moduleHash?: string): Promise<SandboxProcess>;
}

/**
 * A handle on an environment in a sandbox process: the Environment API, asynchronous. Operations on
 * one environment run in order; different environments run concurrently.
 */
export class SandboxEnvironment {
  readonly id: number;
  readonly module: CompiledModule;
  readonly ready: Promise<void>;
  readonly #home: EnvironmentHome;
  readonly #options: EnvironmentOptions;
  /** The memory limit of its isolate, which bounds the size of its states. */
  readonly #memoryMb: number;
  #process: SandboxProcess | null = null;
  /** The episode's initial state and reset options, and the calls since: enough to rebuild it anywhere. */
  readonly #journal: EpisodeJournal;
  /** Why the episode ended (its replay diverged or could not complete), or null. */
  #ended: string | null = null;
  #queue: Promise<unknown>;
  #closed = false;

  /** Throws a SandboxError, before anything is sent, for a state past the bounds of a state. */
  constructor(home: EnvironmentHome, id: number, module: CompiledModule, options: EnvironmentOptions, state: JsonObject) {
    this.#memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
    stateToSend(state, this.#memoryMb);
    this.#home = home;
    this.id = id;
    this.module = module;
    this.#options = options;
    this.#journal = new EpisodeJournal(state);
    this.ready = this.#restore();
    this.#queue = this.ready.catch(() => {});
  }

  /** Run one call. Resolves to its outcome whatever the tool does (a dead process included). */
  call(tool: string, args: unknown): Promise<CallOutcome> {
    return this.#enqueue(() => this.#calls([{ tool, arguments: args }]).then((outcomes) => outcomes[0] as CallOutcome));
  }

  /** Run calls in order in one message (and one crossing into the isolate). */
  callMany(calls: readonly ToolCall[]): Promise<CallOutcome[]> {
    return this.#enqueue(() => this.#calls(calls));
  }

  state(): Promise<JsonObject> {
    return this.#enqueue(async () => {
      this.#refuseIfEnded();
      return JSON.parse(await this.#request<string>({ op: "state", env: this.id })) as JsonObject;
    });
  }

  stateHash(): Promise<string> {
    return this.#enqueue(async () => {
      this.#refuseIfEnded();
      const hash = await this.#request<string>({ op: "hash", env: this.id });
      this.#journal.acknowledge(hash);
      return hash;
    });
  }

  /** Start a new episode (state omitted: the current episode's initial state). */
  reset(state?: JsonObject, options: ResetOptions = {}): Promise<void> {
    return this.#enqueue(async () => {
      const sent = this.#stateToSend(state);
      this.#begin(state ?? this.#journal.state, options);
      await this.#request({ op: "reset", env: this.id, ...sent, options });
    });
  }

  /**
   * Reset, run the calls and hash the final state, in one message: the fast path for replays and
   * tests. A state is taken as given once: passing the same object again (the same task's state)
   * is known by identity and not sent again, so a state must not be changed after it is given.
   */
  runEpisode(episode: {
    state?: JsonObject;
    options?: ResetOptions;
    calls: readonly ToolCall[];
    exportState?: boolean;
    /** Return what the episode changed (`changes`) rather than the whole state; absent when the episode ran step by step. */
    exportChanges?: boolean;
  }): Promise<EpisodeResult> {
    return this.#enqueue(async () => {
      this.#home.counters.episodes += 1;
      const state = episode.state ?? this.#journal.state;
      const options = episode.options ?? {};
      const sent = this.#stateToSend(state);
      const encoded = episode.calls.map(encodeCall);
      if (encoded.some((call) => "refused" in call)) return this.#episodeStepByStep(state, options, episode);
      const texts = encoded.map((call) => (call as { text: string }).text);
      const joined = texts.join(",");
      this.#begin(state, options);
      try {
        const process = await this.#live();
        // An episode on the state the environment already holds (the same task again) sends none.
        const reply = await process.request<EpisodeReply>({
          op: "episode",
          env: this.id,
          ...sent,
          options,
          calls: `[${joined}]`,
          ...(episode.exportState ? { export: true } : {}),
          ...(episode.exportChanges ? { changes: true } : {}),
        });
        const outcomes = JSON.parse(reply.outcomes) as CallOutcome[];
        this.#journal.record(texts, joined, outcomes, reply);
        this.#journal.acknowledge(reply.stateHash);
        this.#home.counters.calls += episode.calls.length;
        return {
          outcomes,
          stateHash: reply.stateHash,
          ...(reply.state !== undefined ? { state: JSON.parse(reply.state) as JsonObject } : {}),
          ...(reply.changes !== undefined ? { changes: JSON.parse(reply.changes) as StateChanges } : {}),
        };
      } catch (error) {
        if (!(error instanceof ProcessDied)) throw this.#endWith(error);
        // Step by step on a fresh process, so the call at fault is found and reported.
        return this.#episodeStepByStep(state, options, episode);
      }
    });
  }

  /**
   * Episodes one after another from one state, in one message (a tool's test cases): each is a
   * reset to `state`, its calls and its state hash (and the state, with `exportState`). With
   * `stopAfterFatal`, the run stops after that many episodes whose last call hit a time or
   * memory limit, so fewer results than episodes may come back. A process that dies mid-run: the
   * episodes run one message each, so the one at fault is found and reported.
   */
  runEpisodes(run: {
    state: JsonObject;
    options?: ResetOptions;
    episodes: readonly { calls: readonly ToolCall[]; exportState?: boolean }[];
    stopAfterFatal?: number;
  }): Promise<EpisodeResult[]> {
    if (run.episodes.length === 0) return Promise.resolve([]);
    const oneByOne = async () => {
      const results: EpisodeResult[] = [];
      let fatal = 0;
      for (const episode of run.episodes) {
        const result = await this.runEpisode({ state: run.state, ...(run.options ? { options: run.options } : {}), ...episode });
        results.push(result);
        if (hitLimit(result.outcomes.at(-1)) && ++fatal >= (run.stopAfterFatal ?? Number.POSITIVE_INFINITY)) break;
      }
      return results;
    };
    const batched = this.#enqueue(async () => {
      const options = run.options ?? {};
      const sent = this.#stateToSend(run.state);
      const encoded = run.episodes.map((episode) => episode.calls.map(encodeCall));
      if (encoded.some((calls) => calls.some((call) => "refused" in call))) return null;
      this.#begin(run.state, options);
      const texts = encoded.map((calls) => calls.map((call) => (call as { text: string }).text));
      const joined = texts.map((calls) => calls.join(","));
      try {
        const process = await this.#live();
        const replies = await process.request<EpisodeReply[]>({
          op: "episodes",
          env: this.id,
          ...sent,
          options,
          episodes: `[${run.episodes.map((e, i) => `{"calls":[${joined[i]}]${e.exportState ? ',"export":true' : ""}}`).join(",")}]`,
          ...(run.stopAfterFatal !== undefined ? { stopAfterFatal: run.stopAfterFatal } : {}),
        });
        const results = replies.map((reply) => ({
          outcomes: JSON.parse(reply.outcomes) as CallOutcome[],
          stateHash: reply.stateHash,
          ...(reply.state !== undefined ? { state: JSON.parse(reply.state) as JsonObject } : {}),
        }));
        this.#home.counters.episodes += results.length;
        const last = results.length - 1;
        if (last >= 0) {
          this.#journal.record(texts[last] ?? [], joined[last] ?? "", results[last]?.outcomes ?? [], replies[last] as EpisodeReply);
          this.#journal.acknowledge(results[last]?.stateHash as string);
        }
        for (const [i, result] of results.entries()) this.#home.counters.calls += run.episodes[i]?.calls.length ?? result.outcomes.length;
        return results;
      } catch (error) {
        if (!(error instanceof ProcessDied)) throw this.#endWith(error);
        return null;
      }
    });
    return batched.then((results) => results ?? oneByOne());
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return this.#queue.then(async () => {
      const process = this.#process;
      this.#process = null;
      if (process?.alive) {
        process.environments.delete(this.id);
        await process.request({ op: "close", env: this.id }).catch(() => {});
      }
    });
  }

  // ------------------------------------------------------------------ internals

  #enqueue<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new SandboxError("the environment is closed"));
    const next = this.#queue.then(operation);
    this.#queue = next.catch(() => {});
    return next;
  }

  /** The state fields of a request: none for the state the environment already holds (not sent, nor re-read by the process). */
  #stateToSend(state: JsonObject | undefined): { state: string; stateKey: number } | Record<string, never> {
    if (state === undefined || state === this.#journal.state) return {};
    const { text, key } = stateToSend(state, this.#memoryMb);
    return { state: text, stateKey: key };
  }

  /**
   * A new episode begins (before its request is sent: a process that died meanwhile is then
   * rebuilt at the new episode's start, with nothing of the old one replayed). One that ended is over.
   */
  #begin(state: JsonObject, options: ResetOptions): void {
    this.#ended = null;
    this.#journal.begin(state, options);
  }

  /**
   * An episode whose request failed after its calls may have run (its state refused on the way
   * out, its module failing to load for it): what it holds is unknown, so it ends until a reset.
   */
  #endWith(error: unknown): unknown {
    this.#ended = `the episode ended: ${error instanceof Error ? error.message : String(error)}; reset the environment`;
    return error;
  }

  #refuseIfEnded(): void {
    if (this.#ended !== null) throw new SandboxError(this.#ended);
  }

  async #episodeStepByStep(
    state: JsonObject,
    options: ResetOptions,
    episode: { calls: readonly ToolCall[]; exportState?: boolean },
  ): Promise<EpisodeResult> {
    const sent = this.#stateToSend(state);
    this.#begin(state, options);
    await this.#request({ op: "reset", env: this.id, ...sent, options });
    const outcomes = await this.#calls(episode.calls);
    const stateHash = await this.#request<string>({ op: "hash", env: this.id });
    this.#journal.acknowledge(stateHash);
    return {
      outcomes,
      stateHash,
      ...(episode.exportState ? { state: JSON.parse(await this.#request<string>({ op: "state", env: this.id })) as JsonObject } : {}),
    };
  }

  async #calls(calls: readonly ToolCall[]): Promise<CallOutcome[]> {
    this.#home.counters.calls += calls.length;
    const encoded = calls.map(encodeCall);
    if (encoded.some((call) => "refused" in call)) {
      // Calls that cannot be written as JSON are refused here; the others run in order.
      const outcomes: CallOutcome[] = [];
      for (const call of encoded) outcomes.push("refused" in call ? call.refused : ((await this.#send([call]))[0] as CallOutcome));
      return outcomes;
    }
    return this.#send(encoded as { text: string }[]);
  }

  async #send(calls: readonly { text: string }[]): Promise<CallOutcome[]> {
    const texts = calls.map((call) => call.text);
    const ended = () => texts.map((): CallOutcome => ({ ok: false, error: { code: "INTERNAL", message: this.#ended as string } }));
    if (this.#ended !== null) return ended();
    try {
      const process = await this.#live();
      if (this.#ended !== null) return ended();
      const joined = texts.join(",");
      const reply = await process.request<OutcomesReply>({ op: "callMany", env: this.id, calls: `[${joined}]` });
      const outcomes = JSON.parse(reply.outcomes) as CallOutcome[];
      this.#journal.record(texts, joined, outcomes, reply);
      return outcomes;
    } catch (error) {
      if (!(error instanceof ProcessDied)) throw error;
      // A lone call killed its process: report it; the environment is rebuilt at its next use.
      if (texts.length === 1) return [crashOutcome(error)];
      // A batch: rebuild, then run its calls one at a time. Execution is deterministic, so the call
      // that killed the process does it again and is the one reported.
      const outcomes: CallOutcome[] = [];
      for (const call of calls) outcomes.push((await this.#send([call]))[0] as CallOutcome);
      return outcomes;
    }
  }

  async #request<T>(message: Message): Promise<T> {
    try {
      return await (await this.#live()).request<T>(message);
    } catch (error) {
      if (!(error instanceof ProcessDied)) throw error;
      return (await this.#live()).request<T>(message);
    }
  }

  /** The process holding this environment, rebuilding it on a live one if its process died. */
  async #live(): Promise<SandboxProcess> {
    if (this.#process?.alive) return this.#process;
    await this.#restore();
    return this.#process as unknown as SandboxProcess;
  }

  /**
   * Open this environment on a live process at the current episode's start, then replay its
   * journal there, checked. A replay that diverges or cannot complete (or that kills the new
   * process: it would kill the next one too) ends the episode; the environment stays open for a reset.
   */
  async #restore(): Promise<void> {
    const hadProcess = this.#process !== null;
    const journal = this.#journal;
    for (let attempt = 0; ; attempt++) {
      const process = await this.#home.place(this.id, this.module.hash);
      const { text, key } = stateToSend(journal.state, this.#memoryMb);
      try {
        await process.sendModule(this.module);
        await process.request({
          op: "open",
          env: this.id,
          module: this.module.hash,
          state: text,
          stateKey: key,
          options: { ...this.#options, ...journal.reset },
        });
        if (journal.length > 0 && this.#ended === null) {
          try {
            await process.request({ op: "replay", env: this.id, ...journal.replay() });
          } catch (error) {
            if (error instanceof ProcessDied && !error.memory) throw error;
            this.#ended =
              error instanceof ProcessDied
                ? `the episode ended: its replay could not complete (${error.message}); reset the environment`
                : (error as Error).message;
          }
        }
        this.#process = process;
        if (hadProcess) this.#home.counters.restores += 1;
        return;
      } catch (error) {
        process.environments.delete(this.id);
        // A process that ran out of memory while the module loaded was killed by the module's own
        // top-level code: that is the module's failure, not one to retry on another process.
        if (error instanceof ProcessDied && error.memory && journal.length === 0)
          throw new ModuleLoadError(
            "MEMORY_LIMIT",
            `the module's top-level code exhausted memory and killed its sandbox process (${error.message})`,
          );
        if (!(error instanceof ProcessDied) || attempt >= 3) {
          throw error instanceof ProcessDied ? new SandboxError(`environment ${this.id} could not be restored: ${error.message}`) : error;
        }
      }
    }
  }
}
