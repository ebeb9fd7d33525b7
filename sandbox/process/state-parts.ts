// A loaded state's canonical text by parts (each table's, each record's), so that the hash of an
// episode's state is written from what the episode changed: the text of every untouched table and
// record is the one the loaded state had. Hashing a service's whole data after each write (a
// thousand orders, five hundred users) cost a fifth of a second; this costs what the write changed,
// the sort of a table's keys, and the SHA-256 of the text. The text is the one `canonicalText` gives
// the whole state (keys sorted by UTF-16 code units at every level), so the hash is unchanged.
import { createHash } from "node:crypto";
import { canonicalText } from "../shared/canonical-state.ts";
import type { StateChanges } from "../shared/state-changes.ts";

export type { StateChanges };

type Table = Record<string, unknown>;

export class StateParts {
  readonly #state: Record<string, unknown>;
  readonly #tableTexts = new Map<string, string>();
  /** Per table: its members' text (`"key":record`) in key order, and each key's place. */
  readonly #members = new Map<string, { keys: string[]; texts: string[]; at: Map<string, number> }>();

  /** `text`: the loaded state's canonical text. */
  constructor(text: string) {
    this.#state = JSON.parse(text) as Record<string, unknown>;
  }

  /** The SHA-256 (hex) of the canonical text of the loaded state with `changes` applied. */
  hashWith(changes: StateChanges): string {
    const hash = createHash("sha256");
    for (const part of this.#parts(changes)) hash.update(part);
    return hash.digest("hex");
  }

  /** The canonical text of the loaded state with `changes` applied. */
  textWith(changes: StateChanges): string {
    return this.#parts(changes).join("");
  }

  #parts(changes: StateChanges): string[] {
    const names = new Set(Object.keys(this.#state));
    for (const [name, change] of Object.entries(changes)) {
      if (change === null) names.delete(name);
      else names.add(name);
    }
    const parts: string[] = ["{"];
    let first = true;
    for (const name of [...names].sort()) {
      const change = changes[name];
      let text: string;
      if (change === undefined || change === null) text = this.#tableText(name);
      else if ("whole" in change) text = canonicalText(change.whole);
      else text = this.#changedTable(name, change.records);
      parts.push(`${first ? "" : ","}${JSON.stringify(name)}:`, text);
      first = false;
    }
    parts.push("}");
    return parts;
  }

  #tableText(name: string): string {
    let text = this.#tableTexts.get(name);
    if (text === undefined) {
      text = canonicalText(this.#state[name]);
      this.#tableTexts.set(name, text);
    }
    return text;
  }

  #changedTable(name: string, records: Record<string, unknown>): string {
    let base = this.#members.get(name);
    if (!base) {
      const table = (this.#state[name] ?? {}) as Table;
      const keys = Object.keys(table).sort();
      base = { keys, texts: keys.map((k) => `${JSON.stringify(k)}:${canonicalText(table[k])}`), at: new Map(keys.map((k, i) => [k, i])) };
      this.#members.set(name, base);
    }
    const changed = Object.keys(records);
    const member = (k: string) => `${JSON.stringify(k)}:${canonicalText(records[k])}`;
    if (changed.every((k) => records[k] !== null && base.at.has(k))) {
      // Records changed in place: the base's members with theirs replaced.
      const texts = base.texts.slice();
      for (const k of changed) texts[base.at.get(k) as number] = member(k);
      return `{${texts.join(",")}}`;
    }
    const keys = [
      ...base.keys.filter((k) => !Object.hasOwn(records, k) || records[k] !== null),
      ...changed.filter((k) => records[k] !== null && !base.at.has(k)),
    ].sort();
    const texts = keys.map((k) => (Object.hasOwn(records, k) ? member(k) : (base.texts[base.at.get(k) as number] as string)));
    return `{${texts.join(",")}}`;
  }
}
