// A record's last-change stamp (`updated_at`, `modified`, `lastUpdated`, `date_modified`): a time
// the service itself writes whenever it changes the record, whatever the change. Texts rarely say
// so call by call (a tool's description speaks of what it does, not of bookkeeping), yet a record
// a call changes and leaves with its old stamp is not the record the service leaves. So every record
// a change writes gets its stamp set to the clock, unless a rule already says what the stamp holds.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
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
 * effects on it all hold only on the same calls, then on those calls.
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
    const when = sharedCondition(rules);
    if (!c.writes(place))
      c.effect(
        { kind: "set", place, value: nowFor(stamp) },
        "data",
        `${stamp.name} is the ${table.entity}'s last-change time: a call that changes the ${table.entity} sets it to now`,
        when,
      );
    if (record.hops.length === 0 && !record.root && table === c.target) containerStamps(c, table, stamp, when);
  }
}

/**
 * The condition every one of a record's changes holds on, when they all hold on the same one; else
 * none. Changes on different conditions (a patch's `title` when given, its `notes` when given) each
 * change the record, and a rule has no "or": the stamp then moves on every call, as a patch that
 * names a record is made to change it.
 */
function sharedCondition(rules: readonly Rule[]): Condition[] | undefined {
  const first = rules[0]?.when;
  if (!first || first.length === 0) return undefined;
  return rules.every((r) => JSON.stringify(r.when) === JSON.stringify(first)) ? first : undefined;
}

/**
 * The records a changed record lies in (a list its items name by a reference every item holds),
 * when the container keeps a last-change stamp of its own and the data shows it moving with its
 * contents: for at least two containers (or the only one), the stamp is to the second the newest
 * stamp of the records in it. Then a change to a record is a change to its container.
 */
export function containerStamps(c: RuleContext, table: Table, stamp: Field, when?: Condition[]): void {
  const rows = c.records(table);
  for (const field of table.fields) {
    if (!field.references || field.references === table.name || field.type === "array") continue;
    const container = c.tables.get(field.references);
    const outer = container ? changeStampOf(container) : null;
    if (!container || !outer || container.storage === "single") continue;
    if (rows.length === 0 || !rows.every((r) => typeof r[field.name] === "string" || typeof r[field.name] === "number")) continue;
    if (!followsContents(c.records(container), container, outer, table, rows, field, stamp)) continue;
    const place: Place = { hops: [{ field: field.name, table: container.name }], path: [outer.name] };
    if (c.writes(place)) continue;
    c.effect(
      { kind: "set", place, value: nowFor(outer) },
      "data",
      `${outer.name} is the ${container.entity}'s last-change time, and the data's ${container.entity} records move it with the ${table.entity} records in them: a call that changes a ${table.entity} sets its ${container.entity}'s to now`,
      when,
    );
  }
}

/** A record the call makes is a change to the records it lies in, as a change to it is. */
export function createdContainerStamps(c: RuleContext): void {
  const table = c.target;
  const stamp = table ? changeStampOf(table) : null;
  if (table && stamp) containerStamps(c, table, stamp);
}

/**
 * Whether containers' stamps follow the records in them: a container's stamp is, to the second, the
 * newest stamp of its records, where that record was changed after it was made and the container
 * too (so that a container made with its records at one time shows nothing), for two containers
 * (or the only one), and more often than a record is newer than its container's stamp.
 */
function followsContents(
  containers: readonly Row[],
  container: Table,
  outer: Field,
  table: Table,
  rows: readonly Row[],
  field: Field,
  stamp: Field,
): boolean {
  const seconds = (v: unknown): number | null => {
    if (typeof v === "number") return Math.floor(v);
    const t = typeof v === "string" ? Date.parse(v) : Number.NaN;
    return Number.isNaN(t) ? null : Math.floor(t / 1000);
  };
  const made = creationStampOf(container.fields);
  const rowMade = creationStampOf(table.fields);
  const newest = new Map<string, { at: number; row: Row }>();
  for (const r of rows) {
    const t = seconds(r[stamp.name]);
    const k = String(r[field.name]);
    if (t !== null && t > (newest.get(k)?.at ?? Number.NEGATIVE_INFINITY)) newest.set(k, { at: t, row: r });
  }
  let matched = 0;
  let newer = 0;
  const changedSince = (r: Row, at: number, creation: string | undefined) => !creation || seconds(r[creation]) !== at;
  for (const r of containers) {
    const inner = newest.get(String(r[container.key]));
    const at = seconds(r[outer.name]);
    if (!inner || at === null) continue;
    if (inner.at > at) newer += 1;
    else if (inner.at === at && changedSince(r, at, made?.name) && changedSince(inner.row, at, rowMade?.name)) matched += 1;
  }
  const holding = containers.filter((r) => newest.has(String(r[container.key]))).length;
  return matched >= Math.min(2, holding) && matched > 0 && matched > newer;
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
