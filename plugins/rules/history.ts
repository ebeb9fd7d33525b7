// A history entry of the number a call moves (an inventory adjustment, a ledger line): its size and
// the number the call leaves. `delta` is the amount added or taken, or for a value set in place of
// the old one (a count) the new value minus the old; `…_after…` is the value the effects leave.
import type { Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { fieldAt } from "../../lib/data-pack/places.ts";
import type { RuleContext } from "./context.ts";

const SIZE = /(^|_)(delta|change|amount|quantity|diff|difference)$/;
const AFTER = /_after/;

/** An add's amount with its sign: what it takes away written as 0 minus it. */
const signed = (rule: { amount: ValueExpr; sign: 1 | -1 }): ValueExpr =>
  rule.sign < 0 ? { kind: "arith", op: "-", left: { kind: "constant", value: 0 }, right: rule.amount } : rule.amount;

/** The number the call moves on its record, and by how much; null when it moves none. */
export function movedNumber(c: RuleContext): { place: Place; delta: ValueExpr } | null {
  for (const { rule } of c.effects) {
    if (rule.kind === "add") return { place: rule.place, delta: signed(rule) };
    if (rule.kind === "set" && rule.value.kind === "parameter" && rule.place.hops.length === 0 && !rule.place.root) {
      const field = c.target ? fieldAt(c.target, rule.place.path) : undefined;
      if (field?.type === "number" || field?.type === "integer")
        return { place: rule.place, delta: { kind: "arith", op: "-", left: rule.value, right: { kind: "read", place: rule.place } } };
    }
  }
  return null;
}

/**
 * The numbers the call moves on records it singles out by their references (the source's and the
 * destination's stock level of a move), in the order the effects say: each gets an entry of its own.
 */
export function pairedMoves(c: RuleContext): { place: Place; delta: ValueExpr }[] {
  const out: { place: Place; delta: ValueExpr }[] = [];
  const paired = c.effects.filter(({ rule }) => rule.kind === "add" && rule.place.root?.where);
  // The tool's own record moves with them when it is of their table (a move's source level).
  const own = (place: Place) =>
    !place.root &&
    place.hops.length === 0 &&
    paired.some(
      ({ rule }) => rule.kind === "add" && rule.place.root?.table === c.target?.name && rule.place.path.join(".") === place.path.join("."),
    );
  for (const { rule } of c.effects)
    if (rule.kind === "add" && (rule.place.root?.where || own(rule.place))) out.push({ place: rule.place, delta: signed(rule) });
  return out;
}

/** The value a history entry's field takes from the moved number, or null when its name says neither. */
export function historyValue(name: string, type: string, moved: ReturnType<typeof movedNumber>): ValueExpr | null {
  if (!moved || (type !== "number" && type !== "integer")) return null;
  if (AFTER.test(name)) return { kind: "read", place: moved.place, after: true };
  if (SIZE.test(name)) return moved.delta;
  return null;
}

/**
 * Entries the call records that were made before every effect was known (a number the schema says
 * a parameter sets): their size and after-value, once the moved number is known.
 */
export function completeHistory(c: RuleContext): void {
  const moved = movedNumber(c);
  if (!moved) return;
  for (const r of c.inserts) {
    if (r.rule.kind !== "insert") continue;
    const table = c.tables.get(r.rule.table);
    for (const f of table?.fields ?? []) {
      if (f.name in r.rule.fields) continue;
      const value = historyValue(f.name, f.type, moved);
      if (value) r.rule.fields[f.name] = value;
    }
  }
}
