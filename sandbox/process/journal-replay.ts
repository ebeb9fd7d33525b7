// Replaying an episode's journal into a rebuilt isolate: in pieces of bounded size, so that neither
// the isolate nor this process ever holds every outcome (or every argument) at once, and each
// outcome checked against the one acknowledged, so that a replay never diverges silently.
import { checkedLength, type OutcomeCheck, outcomeCheck } from "../shared/outcome-check.ts";
import type { IsolateHost } from "./isolate-host.ts";

/** A call checked on this side of the boundary: the tool's index and name, its arguments as JSON text. */
export interface Prepared {
  index: number;
  json: string;
  tool: string;
}

/** A call of an episode that ran to an outcome, with its outcome's check. */
export interface JournalEntry extends Prepared {
  check: OutcomeCheck;
}

/** Characters of arguments and outcomes one piece of a replay carries at most (one call at least). */
const PIECE_CHARS = 1 << 20;
/** Calls one piece carries at most. */
const PIECE_CALLS = 512;

/** Why a replay stopped: a call hit a limit or the sandbox failed (it could not complete), or an outcome differs. */
export class ReplayStopped extends Error {
  readonly code: "TIMEOUT" | "MEMORY_LIMIT" | "INTERNAL" | "DIVERGED";
  constructor(code: ReplayStopped["code"], message: string) {
    super(message);
    this.name = "ReplayStopped";
    this.code = code;
  }
}

/** Replay `journal` in slot `slot` (reset to its episode's start), checking each outcome; throws ReplayStopped. */
export function replayJournal(host: IsolateHost, slot: number, journal: readonly JournalEntry[]): void {
  const n = journal.length;
  let start = 0;
  while (start < n) {
    let end = start;
    let chars = 0;
    while (end < n && end - start < PIECE_CALLS) {
      const entry = journal[end] as JournalEntry;
      const size = entry.json.length + checkedLength(entry.check);
      if (end > start && chars + size > PIECE_CHARS) break;
      chars += size;
      end += 1;
    }
    const piece = journal.slice(start, end);
    const watchdog = host.watchdog;
    const first = watchdog.reserve(piece.length);
    let texts: string[];
    try {
      host.entered(slot);
      texts = watchdog
        .run(host.target, first, host.limits.timeoutMs, () => host.refs.callMany.applySync(undefined, [slot, batchJson(piece), first]))
        .split("\n");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const inPiece = (seq: number) => seq >= first && seq < first + piece.length;
      const killed = watchdog.killedSeq();
      const at = inPiece(killed) ? killed - first : inPiece(watchdog.lastSeqAtFailure) ? watchdog.lastSeqAtFailure - first : 0;
      const code = inPiece(killed) ? "TIMEOUT" : /memory limit/i.test(message) ? "MEMORY_LIMIT" : "INTERNAL";
      const what =
        code === "TIMEOUT"
          ? `ran past its limit of ${host.limits.timeoutMs} ms`
          : code === "MEMORY_LIMIT"
            ? `ran past the memory limit of ${host.limits.memoryMb} MB`
            : `failed (${message})`;
      throw new ReplayStopped(
        code,
        `its replay could not complete: call ${start + at + 1} of ${n} (${(piece[at] as JournalEntry).tool}) ${what}`,
      );
    }
    for (let k = 0; k < piece.length; k++) {
      if (outcomeCheck(texts[k] ?? "") !== (piece[k] as JournalEntry).check)
        throw new ReplayStopped(
          "DIVERGED",
          `its replay diverged from the journal at call ${start + k + 1} of ${n} (${(piece[k] as JournalEntry).tool}): the outcome differs from the one acknowledged`,
        );
    }
    start = end;
  }
}

/** `[[toolIndex, args], …]` as JSON text: what the bootstrap's callMany takes. */
export function batchJson(batch: readonly Prepared[]): string {
  let out = "[";
  for (let i = 0; i < batch.length; i++) out += `${i > 0 ? "," : ""}[${(batch[i] as Prepared).index},${(batch[i] as Prepared).json}]`;
  return `${out}]`;
}
