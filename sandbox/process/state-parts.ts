// A loaded state's canonical text by parts (each table's, each record's), so that the hash of an
// episode's state is written from what the episode changed: the text of every untouched table and
// record is the one the loaded state had. Hashing a service's whole data after each write (a
// thousand orders, five hundred users) cost a fifth of a second; this costs what the write changed,
// the sort of a table's keys, and the SHA-256 of the text. The text is the one `canonicalText` gives
// the whole state (keys sorted by UTF-16 code units at every level), so the hash is unchanged.
import { canonicalText } from "../shared/canonical-state.ts";
import type { StateChanges } from "../shared/state-changes.ts";

export type { StateChanges };

type Table = Record<string, unknown>;

export class StateParts {
  readonly #state: Record<string, unknown>;
  readonly #tableTexts = new Map<string, string>();
  readonly #records = new Map<string, { keys: string[]; texts: Map<string, string> }>();

  /** `text`: the loaded state's canonical text. */
  constructor(text: string) {
    this.#state = JSON.parse(text) as Record<string, unknown>;
  }

  /** The canonical text of the loaded state with `changes` applied. */
  textWith(changes: StateChanges): string {
    const names = new Set(Object.keys(this.#state));
    for (const [name, change] of Object.entries(changes)) {
      if (change === null) names.delete(name);
      else names.add(name);
    }
    const parts: string[] = [];
    for (const name of [...names].sort()) {
      const change = changes[name];
      let text: string;
      if (change === undefined || change === null) text = this.#tableText(name);
      else if ("whole" in change) text = canonicalText(change.whole);
      else text = this.#changedTable(name, change.records);
      parts.push(`${JSON.stringify(name)}:${text}`);
    }
    return `{${parts.join(",")}}`;
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
    let base = this.#records.get(name);
    if (!base) {
      const table = (this.#state[name] ?? {}) as Table;
      const keys = Object.keys(table).sort();
      base = { keys, texts: new Map(keys.map((k) => [k, canonicalText(table[k])])) };
      this.#records.set(name, base);
    }
    const changed = Object.keys(records);
    const reshaped = changed.some((k) => (records[k] === null) === base.texts.has(k));
    const keys = reshaped
      ? [
          ...base.keys.filter((k) => !Object.hasOwn(records, k) || records[k] !== null),
          ...changed.filter((k) => records[k] !== null && !base.texts.has(k)),
        ].sort()
      : base.keys;
    const parts = keys.map(
      (k) => `${JSON.stringify(k)}:${Object.hasOwn(records, k) ? canonicalText(records[k]) : (base.texts.get(k) as string)}`,
    );
    return `{${parts.join(",")}}`;
  }
}
