// Money a call settles, recorded as an entry written out as a literal and moved into other numbers:
// "the rest of the deposit held is refunded to the customer's credit_balance_in_cents as a payment
// {type "refund", …} (only if above 0) and added to deposit_refunded_in_cents", "the deposit held
// first pays what is owed, recorded as a payment {…, amount_in_cents = min(…)} (only if above 0)
// that adds to paid_in_cents", "one payment {…} is added (only if above 0) and that amount is added
// to the customer's balance". Billing, rental and booking references settle deposits, refunds and
// captures this way: the entry is appended (only when its amount is above 0, if the text says so),
// and its amount goes to each balance the sentence names.
import type { Condition, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import type { Clause, Settlement } from "./clause.ts";
import type { RuleContext } from "./context.ts";
import { type Candidate, resolvePlace, resolveValue } from "./resolve.ts";

const NOUN = String.raw`(?:an?|one|the|new)\s+[A-Za-z][A-Za-z_ ]{0,40}?\s*⦃\d+⦄`;
const ONLY_POSITIVE = String.raw`(?:\s*\((only if (?:above|over|more than|greater than) 0|only if positive)\))?`;
const PLACE = "([^,.;()⦃]+?)";
const END = "(?=[,.;]|$)";

/** The clauses of a masked sentence that settle an amount as an entry, each with its text ('a payment ⦃1⦄ is added') and settlement. */
export function settlementClauses(masked: string): { text: string; settlement: Settlement }[] {
  // Every form records a literal entry; a sentence without one is not scanned (the patterns backtrack on long prose).
  if (!masked.includes("⦃")) return [];
  const out: { text: string; settlement: Settlement; at: number }[] = [];
  // "X is refunded to Y as a payment ⦃1⦄ (only if above 0) and added to Z"
  const moved = new RegExp(
    String.raw`(?:^|[,;:]\s*)((?:the\s+)?[A-Za-z_' ]+?)\s+(?:is|are)\s+(?:refunded|credited|paid|returned|added|transferred)\s+(?:back\s+)?to\s+${PLACE}\s+as\s+(${NOUN})${ONLY_POSITIVE}(?:\s+and\s+(?:is\s+)?(?:added|credited)\s+to\s+${PLACE})?${END}`,
    "gi",
  );
  for (const m of masked.matchAll(moved))
    out.push({
      text: `${m[3]} is added`,
      settlement: { amount: m[1] as string, credits: [m[2], m[5]].filter((p): p is string => !!p), positive: !!m[4] },
      at: m.index ?? 0,
    });
  // "…, recorded as a payment ⦃0⦄ (only if above 0) that adds to paid_in_cents"
  const recorded = new RegExp(
    String.raw`,\s*(?:recorded|booked|logged|kept|entered)\s+as\s+(${NOUN})${ONLY_POSITIVE}(?:\s+(?:that|which)\s+(?:adds|is added|goes)\s+to\s+${PLACE})?${END}`,
    "gi",
  );
  for (const m of masked.matchAll(recorded))
    out.push({ text: `${m[1]} is added`, settlement: { credits: m[3] ? [m[3]] : [], positive: !!m[2] }, at: m.index ?? 0 });
  // "one payment ⦃0⦄ is added (only if above 0) and that amount is added to Y"
  const added = new RegExp(
    String.raw`(?:^|[,;:]\s*|\band\s+)(${NOUN}\s*(?:is|are)\s+(?:added|appended|recorded|stored|pushed))${ONLY_POSITIVE}(?:\s+and\s+(?:that|the same)\s+amount\s+is\s+(?:added|credited)\s+to\s+${PLACE})?${END}`,
    "gi",
  );
  for (const m of masked.matchAll(added))
    if (m[2] || m[3]) out.push({ text: m[1] as string, settlement: { credits: m[3] ? [m[3]] : [], positive: !!m[2] }, at: m.index ?? 0 });
  // In the sentence's order: "the rest" is what the entry before it left.
  return out.sort((a, b) => a.at - b.at).map(({ text, settlement }) => ({ text, settlement }));
}

/** The field of an entry that holds its amount (`amount`, `amount_in_cents`, `refund_amount`). */
function amountField(place: Candidate): string | null {
  const fields = place.field.items?.fields ?? [];
  const found = fields.filter((f) => (f.type === "number" || f.type === "integer") && nameWords(f.name).includes("amount"));
  return found.length === 1 ? (found[0]?.name ?? null) : null;
}

/**
 * "the rest of the deposit held": the value less what the sentence's entry before this one took
 * from it; else the value the phrase names.
 */
function settledAmount(c: RuleContext, clause: Clause, place: Candidate, field: string, phrase: string): ValueExpr | null {
  const rest = /^(?:the\s+)?(?:rest|remainder|remaining part|balance)\s+of\s+(.+)$/.exec(phrase.trim());
  const value = resolveValue(c, rest ? (rest[1] as string) : phrase, clause.quotes, { ...place, kind: "number" });
  if (!value || !rest) return value;
  const before = c.effects
    .filter((r) => r.text === clause.sentence && r.rule.kind === "append" && JSON.stringify(r.rule.place) === JSON.stringify(place.place))
    .at(-1)?.rule;
  const taken = before?.kind === "append" ? before.element[field] : undefined;
  return taken ? { kind: "arith", op: "-", left: value, right: taken } : value;
}

/**
 * The entry a settling clause records and the moves of its amount; true when it made them. Without
 * an amount it can ground, nothing is made: "only if above 0" and the balances need one.
 */
export function settle(
  c: RuleContext,
  clause: Clause,
  place: Candidate,
  element: Record<string, ValueExpr>,
  when: Condition[] | undefined,
): boolean {
  const settlement = clause.settlement;
  const field = amountField(place);
  if (!settlement || !field) return false;
  if (!element[field] && settlement.amount) {
    const value = settledAmount(c, clause, place, field, settlement.amount.toLowerCase());
    if (value) element[field] = value;
  }
  const amount = element[field];
  if (!amount) return false;
  const under: Condition[] = [
    ...(when ?? []),
    ...(settlement.positive ? [{ left: amount, op: ">", right: { kind: "constant", value: 0 } } as const] : []),
  ];
  c.effect({ kind: "append", place: place.place, element }, clause.source, clause.sentence, under);
  for (const credit of settlement.credits) {
    const to = resolvePlace(c, credit.toLowerCase(), (k) => k === "number" || k === "money");
    if (!to || c.writes(to.place)) continue;
    const at = to.kind === "money" ? { ...to.place, path: [...to.place.path, "amount"] } : to.place;
    c.effect({ kind: "add", place: at, amount, sign: 1 }, clause.source, clause.sentence, under);
  }
  return true;
}
