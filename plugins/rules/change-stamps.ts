// A record's last-change stamp (`updated_at`, `modified`, `lastUpdated`, `date_modified`): a time
// the service itself writes whenever it changes the record, whatever the change. Texts rarely say
// so call by call (a tool's description speaks of what it does, not of bookkeeping), yet a record
// a call changes and leaves with its old stamp is not the record the service leaves. So every record
// a change writes gets its stamp set to the clock, unless a rule already says what the stamp holds.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, Place, Rule } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { isTime, nowFor, type RuleContext } from "./context.ts";

/** Words that name the last change of a record; the others of a stamp's name only say it is a time. */
const CHANGE_WORDS = new Set(["modified", "updated", "changed", "edited", "modify", "update"]);
const TIME_WORDS = new Set(["at", "on", "date", "time", "last", "timestamp", "datetime"]);

/** The table's last-change stamp: a top-level time field named by a change word and nothing but time words. */
export function changeStampOf(table: Table): Field | null {
  return (
    table.fields.find((f) => {
      if (!isTime(f)) return false;
      const words = nameWords(f.name);
      const changes = words.filter((w) => CHANGE_WORDS.has(w));
      return changes.length === 1 && words.every((w) => CHANGE_WORDS.has(w) || TIME_WORDS.has(w));
    }) ?? null
  );
}

/** Words that name when a record or an entry was made. */
const MADE_WORDS = new Set(["created", "creation", "create", "added", "inserted"]);

/** Of a record's or an entry's fields, its creation stamp: a time field named by a making word and nothing but time words. */
export function creationStampOf(fields: readonly Field[]): Field | null {
  return (
    fields.find((f) => {
      if (!isTime(f)) return false;
      const words = nameWords(f.name);
      return words.some((w) => MADE_WORDS.has(w)) && words.every((w) => MADE_WORDS.has(w) || TIME_WORDS.has(w));
    }) ?? null
  );
}

/** The table a place's record is of: where its hops lead, its root's table, or the tool's own. */
function tableAt(c: RuleContext, place: Place): Table | null {
  const last = place.hops.at(-1);
  if (last) return c.tables.get(last.table) ?? null;
  if (place.root) return c.tables.get(place.root.table) ?? null;
  return c.target;
}

/** The record a place is in, as a place of its own (its hops and root, no path). */
const recordOf = (place: Place): Place => ({ hops: place.hops, path: [], ...(place.root ? { root: place.root } : {}) });

/**
 * Each record the call's effects write gets its last-change stamp set to the clock: only when the
 * effects on it all hold only on some calls, then on the calls the first of them does.
 */
export function changeStamps(c: RuleContext): void {
  const byRecord = new Map<string, { record: Place; table: Table; rules: Rule[] }>();
  for (const r of c.effects) {
    if (!("place" in r.rule)) continue;
    // Records found from the place (the loyalty account of the order's customer) are the ones
    // written, not the record at the place: it is only read.
    if ("of" in r.rule && r.rule.of) continue;
    if ("named" in r.rule && r.rule.named) continue;
    const place = r.rule.place;
    const table = tableAt(c, place);
    if (!table) continue;
    const id = JSON.stringify(recordOf(place));
    const seen = byRecord.get(id) ?? { record: recordOf(place), table, rules: [] };
    seen.rules.push(r);
    byRecord.set(id, seen);
  }
  for (const { record, table, rules } of byRecord.values()) {
    const stamp = changeStampOf(table);
    if (!stamp || snapshotStamp(c, table, stamp)) continue;
    const place: Place = { ...record, path: [stamp.name] };
    if (c.writes(place)) continue;
    const when: Condition[] | undefined = rules.every((r) => r.when && r.when.length > 0) ? rules[0]?.when : undefined;
    c.effect(
      { kind: "set", place, value: nowFor(stamp) },
      "data",
      `${stamp.name} is the ${table.entity}'s last-change time: a call that changes the ${table.entity} sets it to now`,
      when,
    );
  }
}

/**
 * A stamp every record of the table holds alike (eight accounts all "updated" at the same second,
 * their balances all different): the time the data was taken, which the service does not move when
 * a record changes. Records changed one by one would each show their own time.
 */
function snapshotStamp(c: RuleContext, table: Table, stamp: Field): boolean {
  const values = c.records(table).map((r) => r[stamp.name]);
  return values.length >= 3 && values.every((v) => v !== null && v !== undefined && v === values[0]);
}
