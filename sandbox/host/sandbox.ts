// The sandbox as the rest of envscale uses it: environments live in supervised sandbox processes.
//
// isolated-vm's README warns that V8 cannot recover from every out-of-memory and that a hostile
// script can crash its whole process. So tool isolates never live in the host: each sandbox process
// holds many of them, the processes are spread over the cores, and a process that dies is replaced.
// The host keeps, per environment, its module, its episode's initial state and the calls made since
// (the journal). After a crash the environment is rebuilt on a live process by replaying the
// journal (execution is deterministic), the call that was running is reported as MEMORY_LIMIT or
// INTERNAL, and every other environment goes on as if nothing happened.
//
// The IPC hop costs tens of microseconds, so hot paths use batches (`callMany`) or whole episodes
// (`runEpisode`: reset, calls, state hash in one message).
import { availableParallelism, totalmem } from "node:os";
import { hitLimit, ModuleLoadError } from "../shared/call-errors.ts";
import type { JsonObject } from "../shared/canonical-state.ts";
import type { EnvironmentOptions, ResetOptions } from "../shared/environment-options.ts";
import type { EpisodeResult, ProcessStats } from "../shared/protocol.ts";
import { SandboxError } from "../shared/sandbox-error.ts";
import type { CallOutcome, CompiledModule, ToolCall } from "../shared/tool-module.ts";
import { type CompileOptions, type CompileResult, compileToolModule } from "./compile.ts";
import { crashOutcome, type Message, ProcessDied, SandboxProcess } from "./sandbox-process.ts";
import { stateKey } from "./state-keys.ts";

export interface SandboxOptions {
  /** Sandbox processes (default: one per CPU core). */
  processes?: number;
  /** Defaults for every environment opened (memory and time limits, seed, clock…). */
  environment?: EnvironmentOptions;
  /**
   * Closed environments each process keeps warm for reuse (least recently used out). Default: what
   * a quarter of the machine's memory holds at about 4 MB an isolate, split over the processes,
   * between 64 and 1,024 — enough for every domain of a large run to stay warm from one stage to
   * the next.
   */
  idleEnvironments?: number;
}

/** Warm environments per process by default, bounded by the machine's memory. */
export function defaultIdleEnvironments(processes: number): number {
  const perIsolate = 4 * 1024 * 1024;
  return Math.max(64, Math.min(1024, Math.floor((totalmem() * 0.25) / perIsolate / Math.max(1, processes))));
}

export interface SandboxMetrics {
  calls: number;
  episodes: number;
  process_crashes: number;
  restores: number;
}

export class Sandbox {
  readonly #options: Required<Pick<SandboxOptions, "processes">> & SandboxOptions;
  readonly #processes: SandboxProcess[] = [];
  #nextEnvironment = 1;
  #closed = false;
  readonly counters: SandboxMetrics = { calls: 0, episodes: 0, process_crashes: 0, restores: 0 };

  private constructor(options: SandboxOptions) {
    this.#options = { ...options, processes: Math.max(1, options.processes ?? availableParallelism()) };
  }

  /** Start the sandbox processes and wait until they are ready. */
  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    for (let i = 0; i < sandbox.#options.processes; i++) sandbox.#processes.push(sandbox.#spawn());
    // A process that dies while starting is replaced (#spawn's exit handler); wait for each slot's
    // current process, giving up only when processes keep dying (node itself cannot start them).
    let deaths = 0;
    const limit = 3 * sandbox.#options.processes;
    try {
      await Promise.all(
        sandbox.#processes.map(async (_, slot) => {
          for (;;) {
            try {
              return await (sandbox.#processes[slot] as SandboxProcess).ready;
            } catch (error) {
              deaths += 1;
              if (deaths > limit || sandbox.#closed) throw error;
            }
          }
        }),
      );
    } catch (error) {
      await sandbox.close();
      throw new SandboxError(`sandbox processes could not start (${deaths} died while starting): ${(error as Error).message}`);
    }
    return sandbox;
  }

  get processCount(): number {
    return this.#processes.length;
  }

  /** Process ids of the live sandbox processes (diagnostics, and tests that kill one). */
  pids(): number[] {
    return this.#processes.filter((p) => p.alive && p.child.pid !== undefined).map((p) => p.child.pid as number);
  }

  /** Compile and check a tool module (esbuild + ts-morph, in this process; cached by content). */
  compile(source: string, options?: CompileOptions): Promise<CompileResult> {
    return compileToolModule(source, options);
  }

  /** Open an environment on the least loaded process. Rejects if the state cannot be loaded. */
  async open(module: CompiledModule, state: JsonObject, options: EnvironmentOptions = {}): Promise<SandboxEnvironment> {
    if (this.#closed) throw new SandboxError("the sandbox is closed");
    const env = new SandboxEnvironment(this, this.#nextEnvironment++, module, { ...this.#options.environment, ...options }, state);
    await env.ready;
    return env;
  }

  metrics(): Record<string, number> {
    return { ...this.counters };
  }

  /** Per-process statistics (environments, calls, memory); `collect` garbage-collects first, for live sizes. */
  async stats(options: { collect?: boolean } = {}): Promise<ProcessStats[]> {
    const message = options.collect ? { op: "stats" as const, collect: true } : { op: "stats" as const };
    return Promise.all(this.#processes.filter((p) => p.alive).map((p) => p.request<ProcessStats>(message)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const exits = this.#processes.map((p) => new Promise<void>((resolve) => (p.alive ? p.child.once("exit", () => resolve()) : resolve())));
    for (const p of this.#processes) p.close();
    const timer = setTimeout(() => {
      for (const p of this.#processes) if (p.alive) p.child.kill("SIGKILL");
    }, 3000);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  /**
   * The live process with the fewest environments, claimed for environment `id` at once (so that
   * environments opened concurrently spread over the processes); then wait for it to be ready.
   */
  async place(id: number, moduleHash?: string): Promise<SandboxProcess> {
    if (this.#closed) throw new SandboxError("the sandbox is closed");
    const live = this.#processes.filter((p) => p.alive);
    const least = live.sort((a, b) => a.environments.size - b.environments.size)[0];
    // A process that has the module already (warm isolates of its domain: the environment opens
    // in a slot, no isolate built) wins unless it is far busier than the least loaded one: a cold
    // isolate costs ~15 ms and ~4 MB, and a domain kept on one process stays warm there.
    const fewest = least?.environments.size ?? 0;
    const warm = moduleHash
      ? live
          .filter((p) => p.modules.has(moduleHash) && p.environments.size <= fewest * 1.5 + 16)
          .sort((a, b) => a.environments.size - b.environments.size)[0]
      : undefined;
    const chosen = warm ?? least;
    if (!chosen) throw new SandboxError("no sandbox process is alive");
    chosen.environments.add(id);
    await chosen.ready;
    return chosen;
  }

  #spawn(): SandboxProcess {
    return new SandboxProcess(this.#options.idleEnvironments ?? defaultIdleEnvironments(this.#options.processes), (dead) => {
      if (this.#closed) return;
      this.counters.process_crashes += 1;
      const index = this.#processes.indexOf(dead);
      if (index >= 0) this.#processes[index] = this.#spawn();
    });
  }
}

/**
 * A handle on an environment in a sandbox process: the Environment API, asynchronous. Operations on
 * one environment run in order; different environments run concurrently.
 */
export class SandboxEnvironment {
  readonly id: number;
  readonly module: CompiledModule;
  readonly ready: Promise<void>;
  readonly #sandbox: Sandbox;
  readonly #options: EnvironmentOptions;
  #process: SandboxProcess | null = null;
  /** The episode's initial state and reset options, and the calls since: enough to rebuild it anywhere. */
  #state: JsonObject;
  #reset: ResetOptions = {};
  #journal: ToolCall[] = [];
  #queue: Promise<unknown>;
  #closed = false;

  constructor(sandbox: Sandbox, id: number, module: CompiledModule, options: EnvironmentOptions, state: JsonObject) {
    this.#sandbox = sandbox;
    this.id = id;
    this.module = module;
    this.#options = options;
    this.#state = state;
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
    return this.#enqueue(() => this.#request<JsonObject>({ op: "state", env: this.id }));
  }

  stateHash(): Promise<string> {
    return this.#enqueue(() => this.#request<string>({ op: "hash", env: this.id }));
  }

  /** Start a new episode (state omitted: the current episode's initial state). */
  reset(state?: JsonObject, options: ResetOptions = {}): Promise<void> {
    return this.#enqueue(async () => {
      await this.#request({ op: "reset", env: this.id, ...this.#stateToSend(state), options });
      this.#begin(state ?? this.#state, options);
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
  }): Promise<EpisodeResult> {
    return this.#enqueue(async () => {
      this.#sandbox.counters.episodes += 1;
      const state = episode.state ?? this.#state;
      const options = episode.options ?? {};
      try {
        const process = await this.#live();
        // An episode on the state the environment already holds (the same task again) sends none.
        const result = await process.request<EpisodeResult & { outcomes: string }>({
          op: "episode",
          env: this.id,
          ...this.#stateToSend(state),
          options,
          calls: JSON.stringify(episode.calls),
          ...(episode.exportState ? { export: true } : {}),
        });
        const outcomes = JSON.parse(result.outcomes) as CallOutcome[];
        this.#begin(state, options);
        this.#record(episode.calls, outcomes);
        this.#sandbox.counters.calls += episode.calls.length;
        return { ...result, outcomes };
      } catch (error) {
        if (!(error instanceof ProcessDied)) throw error;
        // Step by step on a fresh process, so the call at fault is found and reported.
        this.#begin(state, options);
        await this.#restore();
        const outcomes = await this.#calls(episode.calls);
        const stateHash = await this.#request<string>({ op: "hash", env: this.id });
        return {
          outcomes,
          stateHash,
          ...(episode.exportState ? { state: await this.#request<JsonObject>({ op: "state", env: this.id }) } : {}),
        };
      }
    });
  }

  /**
   * Episodes one after another from one state, in one message (a tool's test cases): each is a
   * reset to `state`, its calls and its state hash (and the state, with `exportState`). With
   * `stopAfterFatal`, the run stops after that many episodes whose last call hit a time or memory
   * limit, so fewer results than episodes may come back. A process that dies mid-run: the
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
      try {
        const process = await this.#live();
        const replies = await process.request<(Omit<EpisodeResult, "outcomes"> & { outcomes: string })[]>({
          op: "episodes",
          env: this.id,
          ...this.#stateToSend(run.state),
          options,
          episodes: JSON.stringify(run.episodes.map((e) => ({ calls: e.calls, ...(e.exportState ? { export: true } : {}) }))),
          ...(run.stopAfterFatal !== undefined ? { stopAfterFatal: run.stopAfterFatal } : {}),
        });
        const results = replies.map((reply) => ({ ...reply, outcomes: JSON.parse(reply.outcomes) as CallOutcome[] }));
        this.#sandbox.counters.episodes += results.length;
        this.#begin(run.state, options);
        const last = results.length - 1;
        this.#record(run.episodes[last]?.calls ?? [], results[last]?.outcomes ?? []);
        for (const [i, result] of results.entries())
          this.#sandbox.counters.calls += run.episodes[i]?.calls.length ?? result.outcomes.length;
        return results;
      } catch (error) {
        if (!(error instanceof ProcessDied)) throw error;
        this.#begin(run.state, options);
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

  /** The state field of a request: none for the state the environment already holds (not sent, nor re-read by the process). */
  #stateToSend(state: JsonObject | undefined): { state: JsonObject; stateKey: number } | Record<string, never> {
    return state !== undefined && state !== this.#state ? { state, stateKey: stateKey(state) } : {};
  }

  #begin(state: JsonObject, options: ResetOptions): void {
    this.#state = state;
    this.#reset = options;
    this.#journal = [];
  }

  /** Keep the calls that ran to an outcome (a rebuilt isolate or process replays them; TIMEOUT and MEMORY_LIMIT calls never happened). */
  #record(calls: readonly ToolCall[], outcomes: readonly CallOutcome[]): void {
    outcomes.forEach((outcome, i) => {
      if (!hitLimit(outcome)) this.#journal.push(calls[i] as ToolCall);
    });
  }

  async #calls(calls: readonly ToolCall[]): Promise<CallOutcome[]> {
    this.#sandbox.counters.calls += calls.length;
    try {
      const process = await this.#live();
      const outcomes = JSON.parse(
        await process.request<string>({ op: "callMany", env: this.id, calls: JSON.stringify(calls) }),
      ) as CallOutcome[];
      this.#record(calls, outcomes);
      return outcomes;
    } catch (error) {
      if (!(error instanceof ProcessDied)) throw error;
      // A lone call killed its process: report it; the environment is rebuilt at its next use.
      if (calls.length === 1) return [crashOutcome(error)];
      // A batch: rebuild, then run its calls one at a time. Execution is deterministic, so the call
      // that killed the process does it again and is the one reported.
      const outcomes: CallOutcome[] = [];
      for (const call of calls) {
        try {
          const process = await this.#live();
          const [outcome] = JSON.parse(
            await process.request<string>({ op: "callMany", env: this.id, calls: JSON.stringify([call]) }),
          ) as CallOutcome[];
          this.#record([call], [outcome as CallOutcome]);
          outcomes.push(outcome as CallOutcome);
        } catch (again) {
          if (!(again instanceof ProcessDied)) throw again;
          outcomes.push(crashOutcome(again));
        }
      }
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

  /** Open this environment on a live process at the current episode's start, then replay its journal. */
  async #restore(): Promise<void> {
    const hadProcess = this.#process !== null;
    for (let attempt = 0; ; attempt++) {
      const process = await this.#sandbox.place(this.id, this.module.hash);
      try {
        await process.sendModule(this.module);
        await process.request({
          op: "open",
          env: this.id,
          module: this.module.hash,
          state: this.#state,
          stateKey: stateKey(this.#state),
          options: { ...this.#options, ...this.#reset },
        });
        if (this.#journal.length > 0) await process.request({ op: "callMany", env: this.id, calls: JSON.stringify(this.#journal) });
        this.#process = process;
        if (hadProcess) this.#sandbox.counters.restores += 1;
        return;
      } catch (error) {
        process.environments.delete(this.id);
        // A process that ran out of memory while the module loaded was killed by the module's own
        // top-level code: that is the module's failure, not one to retry on another process.
        if (error instanceof ProcessDied && error.memory && this.#journal.length === 0)
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
