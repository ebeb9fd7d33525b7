// A number of one record that, in every record of the data, equals the total of a number of the
// records that refer to it (a reservation's balance is the sum of its folios' balances; an
// account's balance, its ledger lines'). The service keeps it so; a call that moves the referring
// record's number moves the total with it, computed again from the records as the call leaves them.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Place } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import type { RuleContext } from "./context.ts";

/** A total the data keeps: `path` of each `total` record is the sum of `part` over the `of` records whose `link` names it. */
export interface MirroredTotal {
  total: Table;
  path: string[];
  of: Table;
  link: string;
  part: string[];
}

/** Words that name no quantity of their own (`balance.amount`: the balance is). */
const GENERIC = new Set(["id", "ids", "amount", "number", "value", "count", "total"]);

/** At least this many records must show the total, with more than one value, before it is taken as kept. */
const WITNESSES = 3;

/** The totals the data keeps of the records that refer to `of`'s records. */
export function mirroredTotals(c: RuleContext, of: Table): MirroredTotal[] {
  const out: MirroredTotal[] = [];
  for (const link of of.fields) {
    const total = link.references ? c.tables.get(link.references) : undefined;
    if (!total || total === of) continue;
    const parts = c.records(of);
    const byOwner = new Map<string, Row[]>();
    for (const r of parts) {
      const owner = r[link.name];
      if (typeof owner === "string" || typeof owner === "number") byOwner.set(String(owner), [...(byOwner.get(String(owner)) ?? []), r]);
    }
    // Quantities, not keys: a number that is a record's key or names another record sums nothing.
    const numbers = (t: Table) =>
      leaves(t.fields).filter(
        (l) => (l.field.type === "number" || l.field.type === "integer") && !l.field.references && l.path.join(".") !== t.key,
      );
    for (const whole of numbers(total)) {
      for (const part of numbers(of)) {
        // The same quantity by name: `balance.amount` and `balance.amount`, `balance` and `balance_due`.
        const words = (path: string[]) => path.flatMap((p) => nameWords(p)).filter((w) => !GENERIC.has(w));
        const wholeWords = words(whole.path);
        if (!words(part.path).some((w) => wholeWords.includes(w))) continue;
        let witnesses = 0;
        const seen = new Set<number>();
        let holds = true;
        for (const record of c.records(total)) {
          const key = record[total.key];
          const own = byOwner.get(String(key));
          if (!own) continue;
          const value = valueIn(record, whole.path);
          const sum = own.reduce((n, r) => n + Number(valueIn(r, part.path) ?? Number.NaN), 0);
          if (typeof value !== "number" || Math.abs(value - sum) > 0.005) {
            holds = false;
            break;
          }
          witnesses += 1;
          seen.add(value);
        }
        if (holds && witnesses >= WITNESSES && seen.size > 1) out.push({ total, path: whole.path, of, link: link.name, part: part.path });
      }
    }
  }
  return out;
}

/** After a call moves a number that a total the data keeps sums, the total is computed again. */
export function keepTotals(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const t of mirroredTotals(c, target)) {
    const moved = c.effects.some(
      (r) => "place" in r.rule && r.rule.place.hops.length === 0 && !r.rule.place.root && r.rule.place.path.join(".") === t.part.join("."),
    );
    if (!moved) continue;
    const place: Place = { hops: [{ field: t.link, table: t.total.name }], path: t.path };
    c.effect(
      {
        kind: "set",
        place,
        value: {
          kind: "aggregate",
          op: "sum",
          table: target.name,
          field: t.part.join("."),
          where: [{ field: t.link, value: { kind: "read", place: { hops: [], path: [t.link] } } }],
        },
      },
      "data",
      `the ${t.total.entity}'s ${t.path.join(".")} is the total of its ${target.entity}s' ${t.part.join(".")} in every record of the data`,
      [{ left: { kind: "read", place: { hops: [], path: [t.link] } }, op: "given" }],
    );
  }
  keepOwnTotals(c, target);
}

/**
 * The same from the other side: a call on the total's record that moves the number of a record
 * referring back to it (a cancellation that clears its bill) computes its own total again.
 */
function keepOwnTotals(c: RuleContext, target: Table): void {
  for (const of of c.tables.values()) {
    if (of === target) continue;
    for (const t of mirroredTotals(c, of)) {
      if (t.total !== target) continue;
      const moved = c.effects.some(
        (r) =>
          "place" in r.rule &&
          !r.rule.place.root &&
          r.rule.place.hops.length === 1 &&
          r.rule.place.hops[0]?.back === true &&
          r.rule.place.hops[0]?.table === of.name &&
          r.rule.place.hops[0]?.field === t.link &&
          r.rule.place.path.join(".") === t.part.join("."),
      );
      const own: Place = { hops: [], path: t.path };
      if (!moved || c.writes(own)) continue;
      c.effect(
        {
          kind: "set",
          place: own,
          value: {
            kind: "aggregate",
            op: "sum",
            table: of.name,
            field: t.part.join("."),
            where: [{ field: t.link, value: { kind: "read", place: { hops: [], path: [target.key] } } }],
          },
        },
        "data",
        `the ${target.entity}'s ${t.path.join(".")} is the total of its ${of.entity}s' ${t.part.join(".")} in every record of the data`,
      );
    }
  }
}
