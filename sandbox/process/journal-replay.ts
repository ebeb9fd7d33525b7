// An episode's journal in a sandbox process, and its replay into a rebuilt isolate: in pieces of
// bounded size, so that neither the isolate nor this process ever holds every outcome (or every
// argument) at once, and each outcome checked against the one acknowledged, so that a replay never
// diverges silently.
import { type OutcomeChecks, outcomeHash } from "../shared/outcome-check.ts";
import type { IsolateHost, Prepared } from "./isolate-host.ts";

/** Characters of arguments and outcomes one piece of a replay carries at most (one call at least). */
const PIECE_CHARS = 1 << 20;
/** Calls one piece carries at most. */
const PIECE_CALLS = 512;
/** Slots of the journal's array a call takes, and the base its hash is split in (two small integers). */
const STRIDE = 5;
const HALF = 2 ** 26;

/** Why a replay stopped: a call hit a limit or the sandbox failed (it could not complete), or an outcome differs. */
export class ReplayStopped extends Error {
  readonly code: "TIMEOUT" | "MEMORY_LIMIT" | "INTERNAL" | "DIVERGED";
  constructor(code: ReplayStopped["code"], message: string) {
    super(message);
    this.name = "ReplayStopped";
    this.code = code;
  }
}

/**
 * The calls of an episode that ran to an outcome, each with its outcome's check, in one flat array
 * of small integers and strings (STRIDE slots a call): an episode of millions of calls costs a few
 * words a call, and an idle session's journal one array.
 */
export class Journal {
  /** Per call: tool index, argument text, outcome length, outcome hash in two 26-bit halves. */
  readonly #slots: (number | string)[] = [];

  get length(): number {
    return this.#slots.length / STRIDE;
  }

  /** Keep a call and its outcome's check; returns the outcome's hash. */
  record(call: Prepared, outcome: string): number {
    const hash = outcomeHash(outcome);
    this.add(call, outcome.length, hash);
    return hash;
  }

  /** Keep a call whose outcome's check is known (a journal sent by the host). */
  add(call: Prepared, length: number, hash: number): void {
    this.#slots.push(call.index, call.json, length, Math.floor(hash / HALF), hash % HALF);
  }

  #index(i: number): number {
    return this.#slots[i * STRIDE] as number;
  }

  #json(i: number): string {
    return this.#slots[i * STRIDE + 1] as string;
  }

  #length(i: number): number {
    return this.#slots[i * STRIDE + 2] as number;
  }

  #hash(i: number): number {
    return (this.#slots[i * STRIDE + 3] as number) * HALF + (this.#slots[i * STRIDE + 4] as number);
  }

  /** Replay into slot `slot` (reset to its episode's start) of `host`, checking each outcome; throws ReplayStopped. */
  replayInto(host: IsolateHost, slot: number): void {
    const n = this.length;
    const name = (i: number) => host.module.tools[this.#index(i)]?.name ?? "?";
    let start = 0;
    while (start < n) {
      let end = start;
      let chars = 0;
      while (end < n && end - start < PIECE_CALLS) {
        const size = this.#json(end).length + this.#length(end);
        if (end > start && chars + size > PIECE_CHARS) break;
        chars += size;
        end += 1;
      }
      const piece: Prepared[] = [];
      for (let i = start; i < end; i++) piece.push({ index: this.#index(i), json: this.#json(i) });
      const watchdog = host.watchdog;
      const first = watchdog.reserve(end - start);
      let texts: string[];
      try {
        texts = host.runCalls(slot, piece, first);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const inPiece = (seq: number) => seq >= first && seq < first + (end - start);
        const killed = watchdog.killedSeq();
        const at = start + (inPiece(killed) ? killed - first : inPiece(watchdog.lastSeqAtFailure) ? watchdog.lastSeqAtFailure - first : 0);
        const code = inPiece(killed) ? "TIMEOUT" : /memory limit/i.test(message) ? "MEMORY_LIMIT" : "INTERNAL";
        const what =
          code === "TIMEOUT"
            ? `ran past its limit of ${host.limits.timeoutMs} ms`
            : code === "MEMORY_LIMIT"
              ? `ran past the memory limit of ${host.limits.memoryMb} MB`
              : `failed (${message})`;
        throw new ReplayStopped(code, `its replay could not complete: call ${at + 1} of ${n} (${name(at)}) ${what}`);
      }
      for (let i = start; i < end; i++) {
        const text = texts[i - start] ?? "";
        if (text.length !== this.#length(i) || outcomeHash(text) !== this.#hash(i))
          throw new ReplayStopped(
            "DIVERGED",
            `its replay diverged from the journal at call ${i + 1} of ${n} (${name(i)}): the outcome differs from the one acknowledged`,
          );
      }
      start = end;
    }
  }
}

/** Checks of outcomes that did not reach the journal (computed all the same: the host keeps each one it journals). */
export function checksOf(texts: readonly string[]): OutcomeChecks {
  return { lengths: texts.map((text) => text.length), hashes: texts.map(outcomeHash) };
}
