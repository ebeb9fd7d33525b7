// A number of a record that, in every record of the data, is a total over the record's own lists: a
// stay's total price is the sum of its nightly prices; a bill's balance is its payments less its
// refunds less its charges. The service keeps it so: a call that changes one of those lists (a
// night added, a charge taken off) leaves the number computed again from the lists as it leaves them,
// unless a rule already says how the number moves.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Hop, Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { leaves } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import type { RuleContext } from "./context.ts";

/** Records that must show the total, with more than one value, before it is taken as kept. */
const WITNESSES = 3;
/** At most this many lists make up one total. */
const MOST_LISTS = 3;

/** A total the data keeps: `path` of each record is the sum, over `terms`, of `sign` × the list's elements' `part`. */
export interface ListTotal {
  path: string[];
  terms: { list: string; part: string[]; sign: 1 | -1 }[];
}

const isNumber = (f: { type: string }) => f.type === "number" || f.type === "integer";

/** The totals the data keeps of a table's records over their own lists. */
export function listTotals(c: RuleContext, table: Table): ListTotal[] {
  const records = c.records(table);
  if (records.length < WITNESSES) return [];
  // Each list, with the numbers of its elements one may sum: per record, its sum.
  const candidates: { list: string; part: string[]; sums: number[] }[] = [];
  for (const list of table.fields) {
    if (list.type !== "array" || !list.items?.fields) continue;
    for (const leaf of leaves(list.items.fields)) {
      if (!isNumber(leaf.field) || leaf.field.references) continue;
      const sums = records.map((r) => {
        const entries = r[list.name];
        if (!Array.isArray(entries)) return 0;
        return entries.reduce((n: number, e) => n + Number(valueIn(e as Row, leaf.path) ?? Number.NaN), 0);
      });
      if (sums.some((s) => Number.isNaN(s)) || sums.every((s) => s === 0)) continue;
      candidates.push({ list: list.name, part: leaf.path, sums });
    }
  }
  if (candidates.length === 0) return [];
  const out: ListTotal[] = [];
  for (const total of leaves(table.fields)) {
    if (!isNumber(total.field) || total.path.join(".") === table.key || total.path.length === 0) continue;
    const values = records.map((r) => valueIn(r, total.path));
    if (values.some((v) => typeof v !== "number") || new Set(values).size < 2) continue;
    const found = signedSum(values as number[], candidates);
    if (found) out.push({ path: total.path, terms: found });
  }
  return out;
}

/** The fewest lists (one number each, at most one per list) whose signed sums give `values` in every record. */
function signedSum(values: number[], candidates: { list: string; part: string[]; sums: number[] }[]): ListTotal["terms"] | null {
  const search = (from: number, left: number, acc: number[], terms: ListTotal["terms"]): ListTotal["terms"] | null => {
    if (terms.length > 0 && acc.every((a, i) => Math.abs(a - (values[i] as number)) < 0.005)) return terms;
    if (left === 0) return null;
    for (let i = from; i < candidates.length; i++) {
      const cand = candidates[i] as (typeof candidates)[number];
      if (terms.some((t) => t.list === cand.list)) continue;
      for (const sign of [1, -1] as const) {
        const found = search(
          i + 1,
          left - 1,
          acc.map((a, k) => a + sign * (cand.sums[k] as number)),
          [...terms, { list: cand.list, part: cand.part, sign }],
        );
        if (found) return found;
      }
    }
    return null;
  };
  for (let size = 1; size <= MOST_LISTS; size++) {
    const found = search(
      0,
      size,
      values.map(() => 0),
      [],
    );
    if (found) return found;
  }
  return null;
}

/** The record a place is in, as a place of its own. */
const recordOf = (place: Place): Place => ({ hops: place.hops, path: [], ...(place.root ? { root: place.root } : {}) });

/**
 * After the call's effects change a list of a record (its own, or one it reaches) that a total the
 * data keeps is made of, the total is computed again from the lists, unless an effect already
 * writes it.
 */
export function keepListTotals(c: RuleContext): void {
  if (!c.target || c.subject.kind !== "change") return;
  const seen = new Set<string>();
  for (const r of [...c.effects]) {
    if (!("place" in r.rule)) continue;
    if (("of" in r.rule && r.rule.of) || ("named" in r.rule && r.rule.named)) continue;
    const place = r.rule.place;
    const list = place.path[0];
    if (!list) continue;
    const table = place.hops.length > 0 ? c.tables.get((place.hops.at(-1) as Hop).table) : place.root ? null : c.target;
    if (!table) continue;
    for (const total of listTotals(c, table)) {
      if (!total.terms.some((t) => t.list === list)) continue;
      const at: Place = { ...recordOf(place), path: total.path };
      const id = JSON.stringify(at);
      if (seen.has(id) || c.writes(at)) continue;
      seen.add(id);
      const value = total.terms.reduce<ValueExpr>(
        (acc, t) => ({
          kind: "arith",
          op: t.sign > 0 ? "+" : "-",
          left: acc,
          right: { kind: "sum", of: { kind: "read", place: { ...recordOf(place), path: [t.list] }, after: true }, path: t.part },
        }),
        { kind: "constant", value: 0 },
      );
      const words = total.terms.map(
        (t, i) => `${i === 0 ? (t.sign > 0 ? "" : "minus ") : t.sign > 0 ? "plus " : "less "}its ${t.list}' ${t.part.join(".")}`,
      );
      c.effect(
        { kind: "set", place: at, value },
        "data",
        `in every ${table.entity} of the data, ${total.path.join(".")} is ${words.join(" ")}: computed again when ${list} changes`,
        r.when,
      );
    }
  }
}
