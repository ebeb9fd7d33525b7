// A balance charged a list of named fees, each glossed with what it is: "The member's wallet is
// charged the BookingFee (the member's fee_per_booking), the SeatFee (the seat's price) and, when
// cover is given, a CoverFee of cover_rate × the covered value, at least cover_minimum". Each
// fee whose gloss names a value is taken off the balance (a fee under "when P is given" only when
// P is given); "refused when the balance does not cover the total" requires the balance to hold
// their sum. A fee is read as: its parenthesised gloss (a field of a record the call reaches, or of
// the entry of a list the call picks by key), or "of A × B, at least C" (a rate of the value with a
// floor), where a value the text names only as "the covered value" is the parameter it is conditioned on.
import type { Condition, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { commaParts } from "../../lib/service-tools/tool-text.ts";
import { here, type RuleContext } from "./context.ts";
import { sameValue } from "./creation.ts";
import { type Candidate, resolvePlace, resolveValue } from "./resolve.ts";

interface Fee {
  amount: ValueExpr;
  /** The optional parameter the fee is charged with ("when cover is given"). */
  given?: string;
}

const CHARGED = /\b((?:the\s+)?[a-z_]+(?:'s)?(?:\s+[a-z_]+){0,3})\s+is\s+charged\s+(?!to\b|for\b|by\b|with\b)(.+)$/;

export function chargedSums(c: RuleContext): void {
  if (c.subject.kind === "create" && c.target) pricedFee(c);
  if (c.subject.kind !== "change" || !c.target) return;
  statedFee(c);
  for (const { sentence, source } of c.sentences("description")) {
    const m = CHARGED.exec((sentence.split(/;\s/)[0] as string).replace(/\.\s*$/, ""));
    if (!m || !/\bbalance\b/.test(m[1] as string)) continue;
    const holder = resolvePlace(c, m[1] as string, (k) => k === "number");
    if (!holder) continue;
    const fees = feesOf(c, m[2] as string, holder);
    if (fees.length < 2) continue;
    for (const fee of fees)
      c.effect(
        { kind: "add", place: holder.place, amount: fee.amount, sign: -1 },
        source,
        sentence,
        fee.given ? [{ left: { kind: "parameter", name: fee.given }, op: "given" }] : undefined,
      );
    const refused = c.sentences("description").find((s) => /\bbalance\s+(?:does not|doesn't|cannot|can't)\s+cover\b/.test(s.sentence));
    if (!refused) return;
    // The total with and without each optional fee: one requirement per case the call can be.
    const optional = [...new Set(fees.flatMap((f) => (f.given ? [f.given] : [])))];
    const cases: { fees: Fee[]; when: Condition[] }[] =
      optional.length === 1
        ? [
            { fees: fees.filter((f) => !f.given), when: [{ left: { kind: "parameter", name: optional[0] as string }, op: "absent" }] },
            { fees, when: [{ left: { kind: "parameter", name: optional[0] as string }, op: "given" }] },
          ]
        : optional.length === 0
          ? [{ fees, when: [] }]
          : [];
    for (const { fees: some, when } of cases) {
      const total = some.map((f) => f.amount).reduce((a, b) => ({ kind: "arith", op: "+", left: a, right: b }));
      const rule = { kind: "compare", condition: { left: { kind: "read", place: holder.place }, op: ">=", right: total } } as const;
      if (when.length > 0) c.requireWhen(rule, when, refused.source, refused.sentence);
      else c.require(rule, refused.source, refused.sentence);
    }
    return;
  }
}

/** The fees of a list ("the A (gloss), the B (gloss) and, when P is given, a C of …"), those whose value is found. */
function feesOf(c: RuleContext, list: string, holder: Candidate): Fee[] {
  const items = commaParts(list);
  // ", at least C": the floor of the fee before it.
  for (let i = items.length - 1; i > 0; i--)
    if (/^\s*at\s+least\b/.test(items[i] as string)) items.splice(i - 1, 2, `${items[i - 1]},${items[i]}`);
  // "the B (gloss) and" then ", when P is given, a C …": the condition is an item of its own, for the item after it.
  const fees: Fee[] = [];
  let given: string | undefined;
  for (const raw of items.flatMap((i) => i.split(/\s+and\s*$/))) {
    const item = raw.trim().replace(/^and\s+/, "");
    if (!item) continue;
    const condition = /^(?:when|if)\s+([a-z_]+)\s+is\s+(?:given|set|provided)$/.exec(item);
    if (condition) {
      given = c.parameter(condition[1] as string)?.required === false ? (condition[1] as string) : undefined;
      continue;
    }
    const amount = glossed(c, item, holder) ?? rated(c, item, holder, given);
    if (amount) fees.push({ amount, ...(given ? { given } : {}) });
    given = undefined;
  }
  return fees;
}

/** "the BookingFee (the member's fee_per_booking)": the value the parentheses name. */
function glossed(c: RuleContext, item: string, holder: Candidate): ValueExpr | null {
  const gloss = /\(([^()]+)\)/.exec(item)?.[1]?.trim();
  if (!gloss || /\d/.test(gloss)) return null;
  return pickedField(c, gloss) ?? number(c, gloss, holder);
}

/** "a CoverFee of cover_rate × the covered value, at least cover_minimum": a rate of a value, with a floor. */
function rated(c: RuleContext, item: string, holder: Candidate, given: string | undefined): ValueExpr | null {
  const m = /\bof\s+(.+?)\s*[×*]\s*(.+?)(?:,?\s+at\s+least\s+(.+?))?(?:\s*\(.*)?$/.exec(item);
  if (!m) return null;
  const amountOf = (phrase: string) =>
    number(c, phrase, holder) ?? (given && /\b[a-z]+ed\s+(?:value|amount|sum)\b/.test(phrase) ? param(given) : null);
  const left = amountOf(m[1] as string);
  const right = amountOf(m[2] as string);
  if (!left || !right) return null;
  const product: ValueExpr = { kind: "arith", op: "*", left, right };
  const floor = m[3] ? number(c, m[3], holder) : null;
  return floor ? { kind: "arith", op: "max", left: product, right: floor } : product;
}

const param = (name: string): ValueExpr => ({ kind: "parameter", name });

/** A number a phrase names: a parameter, or a field the call reaches (not the balance charged). */
function number(c: RuleContext, phrase: string, holder: Candidate): ValueExpr | null {
  const named = c.parameter(phrase.trim().replace(/^the\s+/, ""));
  if (named && !c.identifying.has(named.name)) return param(named.name);
  const place = resolvePlace(c, phrase, (k) => k === "number");
  if (place && JSON.stringify(place.place) !== JSON.stringify(holder.place)) return { kind: "read", place: place.place };
  const value = resolveValue(c, phrase, []);
  return value?.kind === "parameter" ? value : null;
}

/** "the price": a field of the entry of a list the call picks by key (`seat_id` names one of the record's seats). */
function pickedField(c: RuleContext, gloss: string): ValueExpr | null {
  const words = nameWords(gloss.replace(/^the\s+/, ""));
  if (words.length !== 1) return null;
  for (const { rule } of c.requires) {
    if (rule.kind !== "entry-of" || !rule.keyField || rule.place.hops.length > 0 || rule.place.root) continue;
    const list = rule.place.path.at(-1) as string;
    const element = c.target?.fields.find((f) => f.name === list)?.items?.fields;
    const field = element?.find((f) => f.name === words[0] || singular(list) === words[0]);
    if (!field || !element?.some((f) => f.name === words[0])) continue;
    return {
      kind: "element",
      of: { kind: "read", place: rule.place },
      field: rule.keyField,
      equals: { kind: "parameter", name: rule.parameter },
      path: [words[0] as string],
    };
  }
  return null;
}

/** "The fee is cover_rate × amount, at least cover_minimum, charged to the member's balance": one fee, by its formula. */
const STATED = /\bthe\s+(?:[a-z]+\s+)?fee\s+is\s+(.+?),\s+charged\s+to\s+((?:the\s+)?[a-z_]+(?:'s)?(?:\s+[a-z_]+){0,2}?\s*balance)\b/;

function statedFee(c: RuleContext): void {
  for (const { sentence, source, written } of c.sentences("description")) {
    const m = STATED.exec(sentence);
    if (!m) continue;
    const holder = resolvePlace(c, m[2] as string, (k) => k === "number");
    const amount = holder ? rated(c, `of ${m[1]}`, holder, undefined) : null;
    if (!holder || !amount) continue;
    c.effect({ kind: "add", place: holder.place, amount, sign: -1 }, source, sentence);
    // "… and added to the booking's fees as a CoverFee": the fee kept as an entry of the record's list.
    const kept = /\badded\s+to\s+(?:the\s+)?[a-z]+'s\s+([a-z_]+)\s+as\s+an?\s+([A-Za-z_]+)/i.exec(written);
    const entry = kept ? feeEntry(c, kept[1] as string, kept[2] as string, amount) : null;
    if (entry) c.effect({ kind: "append", place: here([kept?.[1] as string]), element: entry }, source, sentence);
    const refused = c.sentences("description").find((s) => /\bbalance\s+(?:does not|doesn't|cannot|can't)\s+cover\b/.test(s.sentence));
    if (refused)
      c.require(
        { kind: "compare", condition: { left: { kind: "read", place: holder.place }, op: ">=", right: amount } },
        refused.source,
        refused.sentence,
      );
    return;
  }
}

/** "costs an AlertFee of $0.25 charged to the account's balance (refused when the balance is lower)": a flat fee a new record costs. */
const PRICED =
  /\bcosts?\s+(?:an?\s+)?(?:([a-z_]+)\s+)?(?:of\s+)?\$(\d+(?:\.\d+)?)\s+charged\s+to\s+((?:the\s+)?[a-z_]+(?:'s)?(?:\s+[a-z_]+){0,2}?\s*balance)\b(.*)$/;

function pricedFee(c: RuleContext): void {
  for (const { sentence, source } of c.sentences("description")) {
    const m = PRICED.exec(sentence);
    if (!m) continue;
    const holder = resolvePlace(c, m[3] as string, (k) => k === "number");
    if (!holder) continue;
    const amount: ValueExpr = { kind: "constant", value: Number(m[2]) };
    c.effect({ kind: "add", place: holder.place, amount, sign: -1 }, source, sentence);
    // "costs an AlertFee of …": the new record keeps the fee in its list of charges, as the data's records of that kind do.
    for (const list of c.target?.fields ?? []) {
      const entry = m[1] && list.type === "array" ? feeEntry(c, list.name, m[1], amount) : null;
      if (entry) {
        c.effect({ kind: "append", place: here([list.name]), element: entry }, source, sentence);
        break;
      }
    }
    if (/\b(?:refused|rejected)\s+(?:when|if)\s+(?:the\s+)?balance\s+is\s+(?:lower|less|too low|insufficient)\b/.test(m[4] as string))
      c.require({ kind: "compare", condition: { left: { kind: "read", place: holder.place }, op: ">=", right: amount } }, source, sentence);
    return;
  }
}

/**
 * An entry of the record's list of charges for a fee of one kind: its kind as the data spells it,
 * its amount written as the data writes amounts (with their decimals), and the values the entries of
 * that kind (else all entries) hold alike (`object: "Charge"`, `settled: true`).
 */
function feeEntry(c: RuleContext, list: string, kind: string, amount: ValueExpr): Record<string, ValueExpr> | null {
  const target = c.target;
  const parts = target?.fields.find((f) => f.name === list && f.type === "array")?.items?.fields ?? [];
  const entries = target ? c.entriesAt(target, [list]) : [];
  const kindField = parts.find((f) => f.type === "string" && entries.some((e) => String(e[f.name]).toLowerCase() === kind.toLowerCase()));
  const amountField = parts.find((f) => f.name === "amount");
  if (!kindField || !amountField) return null;
  const spelt = String(entries.find((e) => String(e[kindField.name]).toLowerCase() === kind.toLowerCase())?.[kindField.name]);
  const same = entries.filter((e) => e[kindField.name] === spelt);
  const texts = entries.map((e) => e[amountField.name]).filter((v): v is string => typeof v === "string" && /^\d+\.\d+$/.test(v));
  const decimals = new Set(texts.map((t) => (t.split(".")[1] as string).length));
  const element: Record<string, ValueExpr> = {
    [kindField.name]: { kind: "constant", value: spelt },
    [amountField.name]:
      texts.length > 0 && decimals.size === 1 ? { kind: "fixed", value: amount, decimals: [...decimals][0] as number } : amount,
  };
  // Every list of charges of that name the data keeps (an alert's fees and a booking's), for what most entries hold.
  const all = [...c.tables.values()].flatMap((t) =>
    t.fields.some((f) => f.name === list && f.type === "array") ? c.entriesAt(t, [list]) : [],
  );
  for (const f of parts) {
    if (element[f.name]) continue;
    const alike = unanimous(same.map((e) => e[f.name])) ?? sameValue(entries.map((e) => e[f.name])) ?? mostly(all.map((e) => e[f.name]));
    if (alike !== undefined) element[f.name] = { kind: "constant", value: alike };
  }
  return element;
}

/** The one text or flag every value is (one value is enough: entries of that very kind). */
function unanimous(values: readonly unknown[]): string | boolean | undefined {
  const first = values[0];
  return values.length > 0 && (typeof first === "string" || typeof first === "boolean") && values.every((v) => v === first)
    ? first
    : undefined;
}

/** The text or flag at least four in five of three or more values are (a charge not yet paid back). */
function mostly(values: readonly unknown[]): string | boolean | undefined {
  if (values.length < 3) return undefined;
  const counts = new Map<unknown, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const [top, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
  return (typeof top === "string" || typeof top === "boolean") && n >= values.length * 0.8 ? top : undefined;
}
