// Fields a new record copies from the record it refers to, as the data's records show them: a
// gift card activity's `gift_card_gan` is its gift card's `gan` in every record (copied as it is);
// its `gift_card_balance_money` is the card's `balance_money` in each card's latest activity
// (copied as the call leaves it: a balance after).
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { DomainState, Row } from "../../lib/contracts/domain-state.ts";
import type { Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";

export interface Snapshot {
  field: string;
  place: Place;
  /** Copied as the call's other effects leave the referenced record (the latest record shows it). */
  after: boolean;
}

// A copy named as the number a change leaves (`ending_balance`, `balance_after`, `new_total`): the
// data cannot tell it from a plain copy when each record is its referenced one's latest, its name can.
const LEFT_BY_CHANGE = /^(?:ending|closing|resulting|new|final)_|_after(?:_|$)|^after_/;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A value made up for want of a source: null, or a struct made of parts (`{amount: null, currency: "USD"}`). */
const placeholder = (v: ValueExpr): boolean => (v.kind === "constant" && v.value === null) || v.kind === "object";

/**
 * The fields of a new record of `table` that copy a field of the record one of its references
 * names; `fields` says what the new record's references hold (a parameter, most often). Fields
 * already given are left alone.
 */
export function snapshotFields(
  table: Table,
  tables: ReadonlyMap<string, Table>,
  data: DomainState,
  fields: Readonly<Record<string, ValueExpr>>,
): Snapshot[] {
  const rows: Row[] = Object.values(data[table.name] ?? {});
  const out: Snapshot[] = [];
  for (const f of table.fields) {
    const given = fields[f.name];
    if (f.name === table.key || f.name === table.status?.field || f.references) continue;
    if (given && !placeholder(given)) continue;
    const holding = rows.filter((r) => r[f.name] !== undefined && r[f.name] !== null);
    if (holding.length < 2) continue;
    for (const ref of table.fields) {
      const key = fields[ref.name];
      const other = ref.references ? tables.get(ref.references) : undefined;
      if (!other || !key || key.kind === "constant") continue;
      const owner = (r: Row) => data[other.name]?.[String(r[ref.name])];
      const found = other.fields.find((g) => g.name !== other.key && holding.every((r) => owner(r) && same(r[f.name], owner(r)?.[g.name])));
      const place: (g: string) => Place = (g) => ({ hops: [], path: [g], root: { table: other.name, key } });
      if (found) {
        out.push({ field: f.name, place: place(found.name), after: LEFT_BY_CHANGE.test(f.name) });
        break;
      }
      // The latest record of each referenced one holds its value now: a value after the change.
      const latest = new Map<string, Row>();
      for (const r of holding) latest.set(String(r[ref.name]), r);
      const now = other.fields.find(
        (g) =>
          g.name !== other.key && latest.size >= 2 && [...latest.values()].every((r) => owner(r) && same(r[f.name], owner(r)?.[g.name])),
      );
      if (now) {
        out.push({ field: f.name, place: place(now.name), after: true });
        break;
      }
    }
  }
  return out;
}
