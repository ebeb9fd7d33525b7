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
import type { JsonObject } from "../shared/canonical-state.ts";
import type { EnvironmentOptions } from "../shared/environment-options.ts";
import type { ProcessStats } from "../shared/protocol.ts";
import { SandboxError } from "../shared/sandbox-error.ts";
import type { CompiledModule } from "../shared/tool-module.ts";
import { type CompileOptions, type CompileResult, compileToolModule } from "./compile.ts";
import { type EnvironmentHome, SandboxEnvironment, type SandboxMetrics } from "./sandbox-environment.ts";
import { SandboxProcess } from "./sandbox-process.ts";

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

export class Sandbox implements EnvironmentHome {
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

  /**
   * Open an environment on the least loaded process. Rejects if the state cannot be loaded: past
   * the bounds of a state (a SandboxError whose details name the bound), or not loadable.
   */
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
