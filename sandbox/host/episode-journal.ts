// What the host keeps of an environment's episode to rebuild it on another sandbox process: its
// initial state and reset options, each call that happened (as JSON text, so a caller changing its
// arguments afterwards changes nothing) with its outcome's check, and the last state hash
// acknowledged. A rebuild replays the calls and checks every outcome and that hash against these.
import { happened } from "../shared/call-errors.ts";
import type { JsonObject } from "../shared/canonical-state.ts";
import type { ResetOptions } from "../shared/environment-options.ts";
import type { OutcomeCheck } from "../shared/outcome-check.ts";
import type { CallOutcome, ToolCall } from "../shared/tool-module.ts";

/** A call as it crosses: its JSON text, or, when it has none (a cycle, arguments too deep to write), the outcome that refuses it. */
export type EncodedCall = { text: string } | { refused: CallOutcome };

export function encodeCall(call: ToolCall): EncodedCall {
  try {
    return { text: `{"tool":${JSON.stringify(call.tool)},"arguments":${JSON.stringify(call.arguments ?? null) ?? "null"}}` };
  } catch (error) {
    return { refused: { ok: false, error: { code: "INVALID_ARGS", message: `arguments are not JSON: ${(error as Error).message}` } } };
  }
}

export class EpisodeJournal {
  /** The episode's initial state (the object given: it stands for its content) and reset options. */
  state: JsonObject;
  reset: ResetOptions = {};
  #calls: string[] = [];
  #checks: OutcomeCheck[] = [];
  #acked: { calls: number; hash: string } | null = null;

  constructor(state: JsonObject) {
    this.state = state;
  }

  get length(): number {
    return this.#calls.length;
  }

  /** A new episode: its state and options, no calls yet. */
  begin(state: JsonObject, reset: ResetOptions): void {
    this.state = state;
    this.reset = reset;
    this.clear();
  }

  /** Forget the episode's calls (it ended, or begins again). */
  clear(): void {
    this.#calls = [];
    this.#checks = [];
    this.#acked = null;
  }

  /** Keep the calls that happened (a call that hit a limit or was answered INTERNAL changed nothing and is never replayed). */
  record(texts: readonly string[], outcomes: readonly CallOutcome[], checks: readonly OutcomeCheck[]): void {
    for (let i = 0; i < texts.length; i++) {
      if (!happened(outcomes[i])) continue;
      this.#calls.push(texts[i] as string);
      this.#checks.push(checks[i] as OutcomeCheck);
    }
  }

  /** A state hash handed out after the calls so far: a rebuild must come back to it. */
  acknowledge(hash: string): void {
    this.#acked = { calls: this.#calls.length, hash };
  }

  /** What a sandbox process needs to replay the episode, checked (the `replay` request's fields). */
  replay(): { calls: string; checks: OutcomeCheck[]; hash?: string } {
    const hash = this.#acked !== null && this.#acked.calls === this.#calls.length ? this.#acked.hash : undefined;
    return { calls: `[${this.#calls.join(",")}]`, checks: this.#checks, ...(hash !== undefined ? { hash } : {}) };
  }
}
