// A write whose key names no record of its own but an entry of a list the records hold: a seat of
// a booking (`seat: "st_12"`, held in `bookings[…].seats.data`), a line of an order. The record that holds the entry is what the call acts on; the entry is found
// by the list's key field. Read from the parameter's name (its last word is the list's, singular)
// and the tables' shape alone (a list of records keyed by a field), so a table of its own wins.
import type { Field, Table } from "../contracts/domain-schema.ts";
import { nameWords } from "../data-pack/places.ts";
import { singular } from "../domain-model/words.ts";
import type { Parameter } from "./tool-text.ts";

export interface EntrySubject {
  table: Table;
  parameter: string;
  path: string[];
  keyField: string;
}

/** The lists of records keyed by a field, at any depth of a table's fields (not inside other lists). */
function keyedLists(fields: readonly Field[], at: string[] = []): { path: string[]; keyField: string }[] {
  return fields.flatMap((f) => {
    const path = [...at, f.name];
    if (f.type === "array" && f.items?.type === "object" && f.items.key) return [{ path, keyField: f.items.key }];
    return f.type === "object" && f.fields ? keyedLists(f.fields, path) : [];
  });
}

/**
 * The one list of records whose name says what a required text parameter names (`seat`,
 * `booking_seat`, `line_id` → a list called `seats`, `lines`), in the tables no keyed
 * parameter already names; null when none or more than one does.
 */
export function entrySubject(parameters: readonly Parameter[], tables: readonly Table[]): EntrySubject | null {
  const found: EntrySubject[] = [];
  for (const p of parameters) {
    if (!p.required || (p.type !== "string" && p.type !== "integer")) continue;
    const words = nameWords(p.name).filter((w, i, all) => !(w === "id" && i === all.length - 1));
    const last = words.at(-1);
    if (!last) continue;
    for (const table of tables) {
      if (table.storage === "single") continue;
      for (const list of keyedLists(table.fields))
        if (list.path.some((step) => singular(step) === last)) found.push({ table, parameter: p.name, ...list });
    }
  }
  return found.length === 1 ? (found[0] as EntrySubject) : null;
}
