// Messages between the host (host/sandbox.ts) and a sandbox process (process/main.ts), over Node IPC
// with structured-clone ("advanced") serialisation. One request, one reply, matched by `id`.
//
// Whatever a tool or a caller put in them, messages are flat: modules, states, calls and outcomes
// travel as JSON text, never as nested objects. V8's structured-clone reader recurses once per
// level of an object, so a state a few thousand levels deep sent as an object overflows the
// receiver's stack where no one can catch it, and the receiving process dies; a string is read in
// one step, and JSON.parse does not recurse. States are held to the bounds of state-bounds.ts
// before they are sent either way.

import type { ModuleLoadCode } from "./call-errors.ts";
import type { EnvironmentOptions, ResetOptions } from "./environment-options.ts";
import type { OutcomeChecks } from "./outcome-check.ts";

export type Request =
  /** `module`: the JSON text of a CompiledModule. */
  | { id: number; op: "module"; module: string }
  /**
   * `state` is the state's canonical text (shared/canonical-state.ts), within the bounds.
   * `stateKey` names the state object the host sent (host/state-keys.ts): a process that has seen
   * the key finds the loaded state by it instead of reading the text again.
   */
  | { id: number; op: "open"; env: number; module: string; state: string; stateKey?: number; options: EnvironmentOptions }
  /** `calls` is the JSON text of a ToolCall[]: cheaper to send and to read than structured clones. */
  | { id: number; op: "callMany"; env: number; calls: string }
  /**
   * Rebuild an episode on a new process: replay its journal (`calls`, the JSON text of a
   * ToolCall[]) in bounded pieces, each outcome checked against the one acknowledged (`lengths`,
   * `hashes`), and, with `hash`, the state hash after the last call. Fails, ending the episode,
   * with a message that says where the replay diverged or why it could not complete.
   */
  | ({ id: number; op: "replay"; env: number; calls: string; hash?: string } & OutcomeChecks)
  | { id: number; op: "state"; env: number }
  | { id: number; op: "hash"; env: number }
  | { id: number; op: "reset"; env: number; state?: string; stateKey?: number; options?: ResetOptions }
  | {
      id: number;
      op: "episode";
      env: number;
      state?: string;
      stateKey?: number;
      options?: ResetOptions;
      calls: string;
      export?: boolean;
      /** Reply with what the episode changed of its state (`changes`), rather than the whole state. */
      changes?: boolean;
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
      state?: string;
      stateKey?: number;
      options?: ResetOptions;
      episodes: string;
      stopAfterFatal?: number;
    }
  | { id: number; op: "close"; env: number }
  /** `collect`: garbage-collect the process and every isolate first, so that the figures are live sizes. */
  | { id: number; op: "stats"; collect?: boolean };

/** Calls' outcomes as they cross: their JSON text (an array), and each one's check for the journal. */
export interface OutcomesReply extends OutcomeChecks {
  outcomes: string;
}

/** An episode as it crosses back: its outcomes, the state hash and, if asked for, the state's JSON text. */
export interface EpisodeReply extends OutcomesReply {
  stateHash: string;
  state?: string;
  /** What the episode changed of the state it started from, as JSON text (state-changes.ts). */
  changes?: string;
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

/**
 * A failed request's error: `code` when a module could not load (ModuleLoadError), `details` when a
 * state broke a bound (which, where, the limit); the host raises a SandboxError otherwise.
 */
export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; code?: ModuleLoadCode; details?: Record<string, unknown> } };

/**
 * What crosses the channel: requests made in one turn of the host's event loop travel as one
 * message, and their replies as one (a message is a system call and a frame each way; under load
 * hundreds of episodes ask at once). A state several requests of a batch send (sessions opening
 * on one task) travels once, in `states` by its key; those requests carry only the key.
 */
export type RequestMessage = Request | { op: "batch"; requests: Request[]; states?: Record<number, string> };
export type ReplyMessage = Reply | { batch: Reply[] };
