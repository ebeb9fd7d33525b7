// Holds an open record keeps on numbers of other records, given back when it is called off. Docs
// of order books, reservations and bookings state the hold where the record rests ("open buy bids
// hold spendable (units x cap/trigger price)", "credits minus amounts held by open buy bids",
// "units already committed to open sell bids are not free") and only say of the cancelling call
// that "the hold is released". That call then raises each held number by what the record still
// holds: its unfilled remainder (`units` less `filled_units`), times the price the hold names (the
// first of "cap/trigger price" the record has), for the records of the side the words name (`side`
// "buy"), on the record the number lives on (the grower the bid names, or the one plot its shared
// references pick out).
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords, reachable } from "../../lib/data-pack/places.ts";
import type { RuleContext } from "./context.ts";

/** "the unfilled remainder's spendable hold is released", "releases the hold" */
const RELEASED =
  /\b(?:hold|holds|commitment|commitments|reservation)\b[^.;]*\b(?:is|are)\s+released\b|\breleases?\s+(?:the|its)\s+(?:\w+\s+)?(?:hold|commitment)/;
/** "open buy bids hold spendable (units x cap/trigger price)", "… reduce units_free" */
const HOLD_VERB =
  /\b(?:resting|open|pending|working)\s+([a-z_]+)\s+([a-z_]+)\s+(?:hold|holds|reserve|reserves|reduce|reduces)\s+([a-z_ -]+?)(?:\s*\(([^)]*)\))?(?=\s+and\b|[.;,]|$)/g;
/** "amounts held by open buy bids (units x cap or trigger price)", "committed to open sell bids" */
const HELD_BY =
  /\b(?:held|committed|reserved)\s+(?:by|to|for)\s+(?:the\s+)?(?:resting|open|pending|working)\s+([a-z_]+)\s+([a-z_]+)(?:\s*\(([^)]*)\))?/;

interface Hold {
  /** The value of the record's field that the holding records hold (`buy`). */
  value: string;
  /** The words naming the held number. */
  words: string;
  /** "units x cap/trigger price", when the words say what is held. */
  amount?: string;
  /** Said of the records with a verb ("open buy bids hold …"), as the call that makes one says it. */
  verb?: boolean;
  text: string;
}

export function releasedHolds(c: RuleContext, others: readonly string[]): void {
  const target = c.target;
  if (!target) return;
  // The call that makes a resting record takes its holds ("open buy bids hold …", in its own
  // words), from what the call gives; the one whose words say the hold "is released" gives back what
  // the record still holds.
  const making = c.subject.kind === "create";
  const said = making
    ? c.sentences("description").find((s) => holdsOf(target, [s.sentence]).some((h) => h.verb))
    : c.subject.kind === "change"
      ? c.sentences("description").find((s) => RELEASED.test(s.sentence))
      : undefined;
  if (!said) return;
  const value = (field: string): ValueExpr | null =>
    !making ? read(field) : c.parameter(field) ? { kind: "parameter", name: field } : null;
  const remainder = remainderOf(target, making ? c : null);
  if (!remainder) return;
  const sign = making ? -1 : 1;
  const holds = holdsOf(target, [...c.sentences().map((s) => s.sentence), ...others.map((s) => s.toLowerCase())]);
  // A hold the words give no amount holds what another of its side does (the credits of a buy).
  const priced = new Map(holds.filter((h) => h.amount).map((h) => [h.value, h.amount as string]));
  const done = new Set<string>();
  for (const hold of holds) {
    const side = sideField(c, target, hold.value);
    const sideValue = side ? value(side) : null;
    if (!side || !sideValue) continue;
    for (const found of heldNumbers(c, target, hold.words)) {
      const place = making ? fromCall(c, found.place) : found.place;
      if (!place) continue;
      const field = found.field;
      const id = `${hold.value}:${JSON.stringify(place)}:${field}`;
      if (done.has(id)) continue;
      done.add(id);
      const on: Condition[] = [{ left: sideValue, op: "==", right: { kind: "constant", value: hold.value } }];
      // A call that gives no quantity (a dollar amount instead) makes a record that holds none.
      const quantity = remainder.kind === "arith" && remainder.left.kind === "parameter" ? remainder.left : null;
      if (quantity) on.push({ left: quantity, op: "given" });
      const phrase = hold.amount ?? priced.get(hold.value);
      const prices = (phrase ? pricesIn(target, phrase) : []).map(value).filter((v): v is ValueExpr => v !== null);
      const at: Place = { ...place, path: [field] };
      if (prices.length === 0) {
        c.effect({ kind: "add", place: at, amount: remainder, sign }, said.source, `${said.sentence} (${hold.text})`, on);
        continue;
      }
      // "cap/trigger price": the first of them the record has.
      prices.forEach((price, i) => {
        const when: Condition[] = [
          ...on,
          ...prices.slice(0, i).map((p): Condition => ({ left: p, op: "absent" })),
          { left: price, op: "given" },
        ];
        const amount: ValueExpr = { kind: "arith", op: "*", left: remainder, right: price };
        // Rules are told apart by their conditions too: the same move under another price is another rule.
        c.effects.push({
          rule: { kind: "add", place: at, amount, sign },
          source: said.source,
          text: `${said.sentence} (${hold.text})`,
          when,
        });
      });
    }
  }
}

/** A place reached from the record, reached instead from the call's parameters of the same names (the record is not made yet). */
function fromCall(c: RuleContext, place: Place): Place | null {
  const hop = place.hops[0];
  if (hop && place.hops.length === 1 && c.parameter(hop.field))
    return { hops: [], path: place.path, root: { table: hop.table, key: { kind: "parameter", name: hop.field } } };
  const where = place.root?.where?.filter((w) => c.parameter(w.field));
  if (place.root && where && where.length >= 2)
    return {
      ...place,
      root: { table: place.root.table, where: where.map((w) => ({ field: w.field, value: { kind: "parameter", name: w.field } })) },
    };
  return null;
}

const read = (field: string): ValueExpr => ({ kind: "read", place: { hops: [], path: [field] } });

/**
 * What an open record still holds: a quantity less the part of it `filled_…` says is done; for a
 * call that makes the record, the quantity it gives (nothing left out: none held).
 */
function remainderOf(target: Table, making: RuleContext | null): ValueExpr | null {
  const names = new Set(target.fields.map((f) => f.name));
  const whole = target.fields.find((f) => names.has(`filled_${f.name}`));
  if (!whole) return null;
  if (making)
    return making.parameter(whole.name)
      ? { kind: "arith", op: "-", left: { kind: "parameter", name: whole.name }, right: { kind: "constant", value: 0 } }
      : null;
  return { kind: "arith", op: "-", left: read(whole.name), right: read(`filled_${whole.name}`) };
}

function holdsOf(target: Table, sentences: readonly string[]): Hold[] {
  const out: Hold[] = [];
  const names = (entity: string) => nameWords(entity).at(-1) === nameWords(target.entity.replaceAll(" ", "_")).at(-1);
  for (const sentence of sentences) {
    for (const m of sentence.matchAll(HOLD_VERB)) {
      if (!names(m[2] as string)) continue;
      out.push({ value: m[1] as string, words: m[3] as string, ...(m[4] ? { amount: m[4] } : {}), verb: true, text: m[0] });
    }
    const m = HELD_BY.exec(sentence);
    if (!m || !names(m[2] as string)) continue;
    // Inside a parenthesis the words gloss the term before it ("units_free (units not already
    // committed to open sell bids)"); else the number is the one the sentence names, not the one
    // it is taken from ("credits minus amounts held by …").
    const open = sentence.lastIndexOf("(", m.index);
    const glossed = open >= 0 && !sentence.slice(open, m.index).includes(")");
    const words = glossed
      ? (/([a-z_]+)\s*$/.exec(sentence.slice(0, open))?.[1] ?? "")
      : sentence
          .replace(/\([^)]*\)/g, " ")
          .replace(/\b[a-z_]+\s+minus\b/g, " ")
          .replace(HELD_BY, " ");
    out.push({ value: m[1] as string, words, ...(m[3] ? { amount: m[3] } : {}), text: m[0] });
  }
  return out;
}

/** The target's field whose values in the data include `value` (`side` for "buy"). */
function sideField(c: RuleContext, target: Table, value: string): string | null {
  const records = c.records(target);
  const field = target.fields.find((f) => f.type === "string" && records.some((r) => r[f.name] === value));
  return field?.name ?? null;
}

const numeric = (v: unknown) => typeof v === "number" || (typeof v === "string" && /^-?\d+(?:\.\d+)?$/.test(v));

/**
 * The numbers the words name, on records the target reaches (its grower) or picks out by the
 * references it shares with them (its plot: same grower, same crop); a number whose words are all
 * another's ("units" beside "units_free") is the other.
 */
function heldNumbers(c: RuleContext, target: Table, phrase: string): { place: Place; field: string }[] {
  const said = new Set(nameWords(phrase.replace(/[^a-z_ ]/gi, " ").replace(/\s+/g, "_")));
  const found: { place: Place; field: string; words: string[] }[] = [];
  const consider = (table: Table, place: Place) => {
    const records = c.records(table);
    for (const leaf of leaves(table.fields)) {
      if (leaf.path.length !== 1) continue;
      const words = nameWords(leaf.path[0] as string);
      if (!words.every((w) => said.has(w)) || !records.some((r) => numeric(r[leaf.path[0] as string]))) continue;
      found.push({ place, field: leaf.path[0] as string, words });
    }
  };
  for (const { table, hops } of reachable(c.tables, target, 1)) if (hops.length > 0) consider(table, { hops, path: [] });
  for (const table of c.tables.values()) {
    const where = sharedReferences(c, target, table);
    if (where) consider(table, { hops: [], path: [], root: { table: table.name, where } });
  }
  return found.filter((f) => !found.some((g) => g !== f && g.words.length > f.words.length && f.words.every((w) => g.words.includes(w))));
}

/** The references a table shares with the target, when together they pick out one of its records. */
function sharedReferences(c: RuleContext, target: Table, table: Table): { field: string; value: ValueExpr }[] | null {
  if (table.name === target.name || table.storage === "single") return null;
  const own = new Map(target.fields.filter((f) => f.references).map((f) => [f.name, f.references]));
  const shared = table.fields.filter((f) => f.references && own.get(f.name) === f.references).map((f) => f.name);
  if (shared.length < 2) return null;
  const records = c.records(table);
  const combos = new Set(records.map((r) => JSON.stringify(shared.map((f) => r[f]))));
  if (records.length === 0 || combos.size !== records.length) return null;
  return shared.map((field) => ({ field, value: read(field) }));
}

/** "units x cap/trigger price": the target's price fields named after the "x", in order. */
function pricesIn(target: Table, phrase: string): string[] {
  const right = phrase.split(/\s+(?:x|×|\*|times)\s+/)[1];
  if (!right) return [];
  const parts = right.split(/\s*\/\s*|\s+or\s+/).map((p) => p.trim());
  const noun = (parts.at(-1) ?? "").split(/\s+/).at(-1) ?? "";
  const out: string[] = [];
  for (const part of parts) {
    const words = (part.includes(" ") ? part : `${part} ${noun}`).split(/\s+/);
    const field = target.fields.find((f) => {
      const own = nameWords(f.name);
      return own.length === words.length && own.every((w, i) => w === nameWords(words[i] as string)[0]);
    });
    if (field) out.push(field.name);
  }
  return out;
}
