// One supervised sandbox process, seen from the host: it is forked, answers requests matched by
// id, and when it dies every request in flight fails with ProcessDied (memory exhaustion told apart
// when its exit says so), which the environment handles turn into MEMORY_LIMIT or INTERNAL.
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { ModuleLoadError } from "../shared/call-errors.ts";
import { COLLECTOR_GLOBAL } from "../shared/collector.ts";
import type { Reply, ReplyMessage, Request, RequestMessage } from "../shared/protocol.ts";
import { SandboxError } from "../shared/sandbox-error.ts";
import type { CallError, CallOutcome, CompiledModule } from "../shared/tool-module.ts";

const PROCESS_MAIN = join(import.meta.dirname, "..", "process", "main.ts");

/** A request type without its id (the process assigns ids). */
export type Message = Request extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** Raised for requests in flight when a sandbox process dies. */
export class ProcessDied extends Error {
  /** Whether the process died of memory exhaustion (as far as its exit tells). */
  readonly memory: boolean;
  constructor(memory: boolean, detail: string) {
    super(detail);
    this.memory = memory;
  }
}

/** One supervised child process. */
/**
 * A sandbox process holds dozens of warm isolates, each reset thousands of times. V8 sizes an
 * isolate's young generation by its allocation rate and collects its old one lazily: left alone,
 * a process serving 20 environments settled near 700 MB. So isolates get one-megabyte semi-spaces
 * and, between episodes, a full collection now and then (shared/collector.ts: the collector under
 * a name the bootstrap takes off the global), and the process two malloc arenas with an eager trim
 * (bench/RESULTS.md, "Serving memory", has the figures; calls per second did not change).
 */
const MEMORY_FLAGS = ["--max-semi-space-size=1", `--expose-gc-as=${COLLECTOR_GLOBAL}`];
const MALLOC_SETTINGS = { MALLOC_ARENA_MAX: "2", MALLOC_TRIM_THRESHOLD_: "131072" };

/**
 * The environment of a sandbox process: the host's, with the memory settings above, a fixed zone
 * and locale (dates and locale-dependent formatting inside tools must not depend on the machine),
 * and no NODE_OPTIONS (its flags are the host's business: `--expose-gc` there would hand every
 * isolate a collector).
 */
function processEnvironment(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  return { ...MALLOC_SETTINGS, ...inherited, TZ: "UTC", LC_ALL: "C.UTF-8", LANG: "C.UTF-8" };
}

export class SandboxProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly modules = new Set<string>();
  readonly environments = new Set<number>();
  alive = true;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  #stderr = "";

  /** `idle`: closed environments the process keeps warm for reuse. */
  constructor(idle: number, onExit: (process: SandboxProcess) => void) {
    this.child = fork(PROCESS_MAIN, [], {
      serialization: "advanced",
      execArgv: MEMORY_FLAGS,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...processEnvironment(), ENVSCALE_SANDBOX_IDLE: String(idle) },
    });
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    let resolveReady: () => void = () => {};
    let rejectReady: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.child.on("message", (message: ReplyMessage) => {
      if ("batch" in message) for (const reply of message.batch) this.#settle(reply);
      else if (message.id === 0) resolveReady();
      else this.#settle(message);
    });
    this.child.on("exit", (code, signal) => {
      this.alive = false;
      // V8 aborts on a fatal out-of-memory (SIGABRT, or SIGTRAP for some heap checks).
      const memory =
        signal === "SIGABRT" || signal === "SIGTRAP" || code === 134 || /out of memory|heap limit|allocation failed/i.test(this.#stderr);
      const detail = `sandbox process ${this.child.pid} exited (${signal ?? `code ${code}`})${memory ? " out of memory" : ""}`;
      rejectReady(new ProcessDied(memory, detail));
      for (const pending of this.#pending.values()) pending.reject(new ProcessDied(memory, detail));
      this.#pending.clear();
      onExit(this);
    });
    this.child.on("error", () => {
      // 'exit' follows and does the bookkeeping.
    });
  }

  request<T>(message: Message): Promise<T> {
    if (!this.alive) return Promise.reject(new ProcessDied(false, "sandbox process is gone"));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#outbox.push({ ...message, id } as Request);
      if (this.#outbox.length === 1) setImmediate(this.#flush);
    });
  }

  /** Requests of this turn of the event loop, sent as one message after it (`setImmediate`: no timer, no wait when idle). */
  #outbox: Request[] = [];
  readonly #flush = (): void => {
    const requests = this.#outbox;
    this.#outbox = [];
    if (requests.length === 0 || !this.alive || !this.child.connected) return;
    const message: RequestMessage = requests.length === 1 ? (requests[0] as Request) : batchOf(requests);
    // A channel that closes under the send is a dying process: its exit rejects what is pending.
    this.child.send(message, () => {});
  };

  #settle(reply: Reply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else if (reply.error.code) pending.reject(new ModuleLoadError(reply.error.code, reply.error.message));
    else pending.reject(new SandboxError(reply.error.message, reply.error.details ? { details: reply.error.details } : {}));
  }

  async sendModule(module: CompiledModule): Promise<void> {
    if (this.modules.has(module.hash)) return;
    await this.request({ op: "module", module: JSON.stringify(module) });
    this.modules.add(module.hash);
  }

  close(): void {
    if (this.alive && this.child.connected) this.child.disconnect();
  }
}

/** Requests as one message, each state text once (in `states`, by key) however many requests send it. */
function batchOf(requests: Request[]): RequestMessage {
  const states: Record<number, string> = {};
  let shared = false;
  const seen = new Set<number>();
  for (const request of requests) {
    if (!("stateKey" in request) || request.stateKey === undefined || typeof request.state !== "string") continue;
    if (seen.has(request.stateKey)) shared = true;
    seen.add(request.stateKey);
  }
  if (!shared) return { op: "batch", requests };
  const slim = requests.map((request) => {
    if (!("stateKey" in request) || request.stateKey === undefined || typeof request.state !== "string") return request;
    states[request.stateKey] = request.state;
    const { state: _sent, ...rest } = request;
    return rest as Request;
  });
  return { op: "batch", requests: slim, states };
}

export function crashOutcome(error: ProcessDied): CallOutcome {
  const failure: CallError = error.memory
    ? {
        code: "MEMORY_LIMIT",
        message: `the call exhausted memory and killed its sandbox process (${error.message}); the state is as it was before the call`,
      }
    : { code: "INTERNAL", message: `the sandbox process died during the call (${error.message}); the state is as it was before the call` };
  return { ok: false, error: failure };
}
