// Messages between the host (host/sandbox.ts) and a sandbox process (process/main.ts), over Node IPC
// with structured-clone ("advanced") serialisation. One request, one reply, matched by `id`.

import type { ModuleLoadCode } from "./call-errors.ts";
import type { JsonObject } from "./canonical-state.ts";
import type { EnvironmentOptions, ResetOptions } from "./environment-options.ts";
import type { CallOutcome, CompiledModule } from "./tool-module.ts";

export type Request =
  | { id: number; op: "module"; module: CompiledModule }
  /**
   * `stateKey` names the state object the host sent (host/state-keys.ts): a process that has seen
   * the key finds the loaded state by it instead of canonicalising the state again.
   */
  | { id: number; op: "open"; env: number; module: string; state: JsonObject; stateKey?: number; options: EnvironmentOptions }
  /** `calls` is the JSON text of a ToolCall[]: cheaper to send and to read than structured clones. */
  | { id: number; op: "callMany"; env: number; calls: string }
  | { id: number; op: "state"; env: number }
  | { id: number; op: "hash"; env: number }
  | { id: number; op: "reset"; env: number; state?: JsonObject; stateKey?: number; options?: ResetOptions }
  | {
      id: number;
      op: "episode";
      env: number;
      state?: JsonObject;
      stateKey?: number;
      options?: ResetOptions;
      calls: string;
      export?: boolean;
    }
  /**
   * Episodes one after another on one state (a tool's test cases): `episodes` is the JSON text of
   * `{calls, export?}[]`. Stops after `stopAfterFatal` episodes whose last call hit a time or
   * memory limit (each costs the limit; a caller that stops at such failures loses nothing).
   */
  | {
      id: number;
      op: "episodes";
      env: number;
      state?: JsonObject;
      stateKey?: number;
      options?: ResetOptions;
      episodes: string;
      stopAfterFatal?: number;
    }
  | { id: number; op: "close"; env: number }
  /** `collect`: garbage-collect the process and every isolate first, so that the figures are live sizes. */
  | { id: number; op: "stats"; collect?: boolean };

export interface EpisodeResult {
  outcomes: CallOutcome[];
  stateHash: string;
  state?: JsonObject;
}

export interface ProcessStats {
  /** Environments open (each an episode in a slot of an isolate). */
  environments: number;
  /** Isolates with no environment open, kept warm. */
  idle: number;
  /** Isolates in all, open and idle. */
  isolates: number;
  calls: number;
  rebuilds: number;
  /** Heap in use by the isolates, open and idle (live sizes after a `collect`). */
  heapBytes: number;
  /** Memory held by every isolate, open and idle: committed heap, malloc'd and external. */
  isolateBytes: number;
  /** The sandbox process's resident set and its own (non-isolate) V8 heap. */
  rssBytes: number;
  processHeapBytes: number;
}

/** A failed request's error; `code` when a module could not load (ModuleLoadError). */
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { message: string; code?: ModuleLoadCode } };

/**
 * What crosses the channel: requests made in one turn of the host's event loop travel as one
 * message, and their replies as one (a message is a system call and a frame each way; under load
 * hundreds of episodes ask at once).
 */
export type RequestMessage = Request | { op: "batch"; requests: Request[] };
export type ReplyMessage = Reply | { batch: Reply[] };
