// The per-stage journal of finished items, so that a killed stage resumes at item granularity.
//
// One line per finished item, appended with a single write: after SIGKILL the file ends with whole
// lines, or with one torn line that the reader drops. Values are stored as canonical JSON and read
// back parsed, so a fresh run and a resumed run hand the stage identical values.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { canonicalStringify } from "./canonical-json.ts";
import { writeFileAtomicSync } from "./fs-atomic.ts";

export class ItemJournal {
  readonly #path: string;
  readonly #done = new Map<string, unknown>();
  /** When this process finished each item it appended (ms since the epoch). */
  readonly #finishedAt = new Map<string, number>();
  #fd: number | null = null;

  private constructor(path: string) {
    this.#path = path;
  }

  /** Open the journal at `path`, reading what an earlier, interrupted attempt finished. */
  static open(path: string): ItemJournal {
    const journal = new ItemJournal(path);
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      const end = text.lastIndexOf("\n");
      for (const line of text.slice(0, end + 1).split("\n")) {
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as { k: string; v: unknown };
          journal.#done.set(entry.k, entry.v);
        } catch {
          // A line torn by a kill cannot parse; the item simply runs again.
        }
      }
    }
    return journal;
  }

  has(key: string): boolean {
    return this.#done.has(key);
  }

  get(key: string): unknown {
    return this.#done.get(key);
  }

  get size(): number {
    return this.#done.size;
  }

  /** Record a finished item; returns the value as it will be read back (a JSON round trip). */
  append(key: string, value: unknown): unknown {
    const line = `${canonicalStringify({ k: key, v: value === undefined ? null : value })}\n`;
    if (this.#fd === null) {
      mkdirSync(dirname(this.#path), { recursive: true });
      this.#fd = openSync(this.#path, "a");
    }
    writeSync(this.#fd, line);
    const stored = (JSON.parse(line) as { v: unknown }).v;
    this.#done.set(key, stored);
    this.#finishedAt.set(key, Date.now());
    return stored;
  }

  /**
   * Forget the items this process finished at or after `time` (ms since the epoch), on disk too,
   * so that a resume runs them again; returns how many. Items read from an earlier attempt stay.
   */
  forgetSince(time: number): number {
    const forgotten = [...this.#finishedAt].filter(([, at]) => at >= time).map(([key]) => key);
    if (forgotten.length === 0) return 0;
    this.close();
    for (const key of forgotten) {
      this.#done.delete(key);
      this.#finishedAt.delete(key);
    }
    writeFileAtomicSync(this.#path, [...this.#done].map(([k, v]) => `${canonicalStringify({ k, v })}\n`).join(""));
    return forgotten.length;
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** Close and delete: the stage finished and its outputs are stored. */
  discard(): void {
    this.close();
    rmSync(this.#path, { force: true });
  }
}
