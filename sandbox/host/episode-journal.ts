// What the host keeps of an environment's episode to rebuild it on another sandbox process: its
// initial state and reset options, the calls that happened (as JSON text, so a caller changing its
// arguments afterwards changes nothing) with each outcome's check, and the last state hash
// acknowledged. A rebuild replays the calls and checks every outcome and that hash against these.
import { happened } from "../shared/call-errors.ts";
import type { JsonObject } from "../shared/canonical-state.ts";
import type { ResetOptions } from "../shared/environment-options.ts";
import type { OutcomeChecks } from "../shared/outcome-check.ts";
import type { CallOutcome, ToolCall } from "../shared/tool-module.ts";

/** A call as it crosses: its JSON text, or, when it has none (a cycle, arguments too deep to write), the outcome that refuses it. */
export type EncodedCall = { text: string } | { refused: CallOutcome };

export function encodeCall(call: ToolCall): EncodedCall {
  try {
    return { text: JSON.stringify({ tool: call.tool, arguments: call.arguments }) };
  } catch (error) {
    return { refused: { ok: false, error: { code: "INVALID_ARGS", message: `arguments are not JSON: ${(error as Error).message}` } } };
  }
}

export class EpisodeJournal {
  /** The episode's initial state (the object given: it stands for its content) and reset options. */
  state: JsonObject;
  reset: ResetOptions = {};
  /** The calls, a comma-joined run of JSON texts per request (one string, not one per call). */
  #segments: string[] = [];
  #count = 0;
  #checks: OutcomeChecks = { lengths: [], hashes: [] };
  #acked: { calls: number; hash: string } | null = null;

  constructor(state: JsonObject) {
    this.state = state;
  }

  get length(): number {
    return this.#count;
  }

  /** A new episode: its state and options, no calls yet. */
  begin(state: JsonObject, reset: ResetOptions): void {
    this.state = state;
    this.reset = reset;
    this.#segments = [];
    this.#count = 0;
    this.#checks = { lengths: [], hashes: [] };
    this.#acked = null;
  }

  /**
   * Keep the calls that happened (a call that hit a limit or was answered INTERNAL changed nothing
   * and is never replayed). `joined`: the texts joined by commas, as they were sent.
   */
  record(texts: readonly string[], joined: string, outcomes: readonly CallOutcome[], checks: OutcomeChecks): void {
    const kept: string[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (!happened(outcomes[i])) continue;
      kept.push(texts[i] as string);
      this.#checks.lengths.push(checks.lengths[i] as number);
      this.#checks.hashes.push(checks.hashes[i] as number);
    }
    if (kept.length === 0) return;
    this.#segments.push(kept.length === texts.length ? joined : kept.join(","));
    this.#count += kept.length;
  }

  /** A state hash handed out after the calls so far: a rebuild must come back to it. */
  acknowledge(hash: string): void {
    this.#acked = { calls: this.#count, hash };
  }

  /** What a sandbox process needs to replay the episode, checked (the `replay` request's fields). */
  replay(): { calls: string; hash?: string } & OutcomeChecks {
    const hash = this.#acked !== null && this.#acked.calls === this.#count ? this.#acked.hash : undefined;
    return { calls: `[${this.#segments.join(",")}]`, ...this.#checks, ...(hash !== undefined ? { hash } : {}) };
  }
}
