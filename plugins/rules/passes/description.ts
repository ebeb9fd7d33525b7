// Rules from a tool's description: the states it limits its record to, the values it allows its
// parameters, its bounds, and, clause by clause, what a call changes on any record the clause
// names (clauses.ts); then what its words say of related records, dates that move, money.
import type { Table } from "../../../lib/contracts/domain-schema.ts";
import type { Row } from "../../../lib/contracts/domain-state.ts";
import type { Condition } from "../../../lib/contracts/tool-rules.ts";
import { arrays, leaves, nameWords, reachable } from "../../../lib/data-pack/places.ts";
import { stampedTimes } from "../assignments.ts";
import { clausesOf, readClause } from "../clauses.ts";
import { heldAt, here, nowFor, type RuleContext } from "../context.ts";
import { eachElementStates } from "../each-element.ts";
import { chargedAmount, recordedEntry } from "../money.ts";
import { moneyCaps } from "../money-caps.ts";
import { referringRemovals } from "../referring-records.ts";
import { relatedConditions } from "../related-conditions.ts";
import { relatedStates } from "../related-states.ts";
import { PREPOSITIONS, statusesIn, statusRequirement } from "../statuses.ts";
import { timeWindows } from "../time-windows.ts";
import { valueRefusals } from "../value-refusals.ts";
import { bounds, parameterValues } from "../values.ts";

export function descriptionPass(c: RuleContext, to: string | null): void {
  const texts = c.sentences("description");
  statusRequirement(
    c,
    texts.map((t) => t.sentence),
    "description",
    to,
    { own: false, summary: c.text.sentences[0] },
  );
  parameterValues(c, "description");
  bounds(c, "description");
  if (c.subject.kind === "change" || c.subject.kind === "create") moneyCaps(c, "description");
  if (c.subject.kind !== "change" && c.subject.kind !== "create") return;
  valueRefusals(c);
  timeWindows(c);
  const clauses = clausesOf(texts);
  for (const clause of clauses) readClause(c, clause);
  if (c.subject.kind !== "change" || !c.target) return;
  for (const clause of clauses) stampedTimes(c, clause);
  describedRefunds(c, c.target);
  relatedStatuses(c);
  relatedStates(c);
  relatedConditions(c);
  referringRemovals(c);
  eachElementStates(c);
  dateShifts(c);
  money(c, "description");
  numbersSet(c);
}

/** "The item becomes available": a record the target names moves to one of its states. */
function relatedStatuses(c: RuleContext): void {
  const target = c.target as Table;
  for (const { table, hops } of reachable(c.tables, target).slice(1)) {
    if (!table.status) continue;
    const field = table.status.field;
    for (const { sentence: said, source } of c.sentences("description")) {
      if (source !== "description") continue;
      // "the hold (the transfer's pending transaction) becomes …": the record named in the parentheses.
      const sentence = said.replace(/\bthe\s+[a-z]+\s+\(the\s+[a-z_ ]+?'s\s+([a-z_ ]+)\)/g, "the $1");
      const pattern = new RegExp(
        `\\bthe ${table.entity}\\s+(?:becomes?|is|will be)\\s+(?:status\\s+)?(?:marked\\s+(?:as\\s+)?)?['"\`]?([a-z_ ]+?)['"\`]?(?:\\s+again)?(?:[.,;]|\\s+and\\b|\\s+with\\b|$)`,
        "g",
      );
      for (const m of sentence.matchAll(pattern)) {
        // "a reward still issued on the order becomes deleted": the record after a preposition is not the subject.
        if (PREPOSITIONS.has(sentence.slice(0, m.index).trim().split(/\s+/).at(-1) ?? "")) continue;
        const value = table.status.values.find((v) => v === m[1]?.trim()) ?? statusesIn(m[1] ?? "", table.status.values)[0];
        if (!value) continue;
        // A reference the record may not hold yet (a hold only some transfers have): nothing to change then.
        const held: Condition[] =
          hops.length > 0 ? [{ left: { kind: "read", place: { hops: [], path: [hops[0]?.field as string] } }, op: "given" }] : [];
        c.effect({ kind: "set", place: { hops, path: [field] }, value: { kind: "constant", value } }, source, sentence, held);
        // "… becomes complete with `completed_at` set to the current time": a time of the same record.
        const rest = `${/\swith$/.test(m[0]) ? "with" : ""}${sentence.slice((m.index ?? 0) + m[0].length)}`;
        const stamp = /^\s*with\s+`?([a-z_]+)`?\s+set\s+to\s+(?:the\s+)?(current time|now|today)/.exec(rest);
        const stamped = stamp ? table.fields.find((f) => f.name === stamp[1]) : undefined;
        if (stamped)
          c.effect(
            { kind: "set", place: { hops, path: [stamped.name] }, value: stamp?.[2] === "today" ? { kind: "today" } : nowFor(stamped) },
            source,
            sentence,
            held,
          );
      }
    }
  }
}

/** "Its due date moves 14 days later": a date of the record shifts. */
function dateShifts(c: RuleContext): void {
  const target = c.target as Table;
  for (const { sentence, source } of c.sentences("description")) {
    const days = /\b(\d+)\s+days?\b/.exec(sentence);
    if (!days || !/\b(later|extend|extended|moves?|pushed|by|renew|renewed|at a time)\b/.test(sentence)) continue;
    const date = leaves(target.fields).find(
      (l) =>
        (l.field.format === "date" || l.field.format === "date-time") &&
        nameWords(l.path.at(-1) as string).every((w) => sentence.includes(w)),
    );
    if (!date || c.writes(here(date.path))) continue;
    const sign = /\b(earlier|sooner|back)\b/.test(sentence) ? -1 : 1;
    c.effect({ kind: "shift-date", place: here(date.path), days: sign * Number(days[1]) }, source, sentence);
    return;
  }
}

/**
 * Money: a charge or payment drawn from a payment method's balance ("its balance is reduced by the
 * amount"), recorded where the description says ("recorded in the member's payment history"), and
 * numbers of the record that go down or up by the amount ("the fines due go down by the amount").
 */
export function money(c: RuleContext, source: "description" | "policy"): void {
  const target = c.target as Table;
  const method = c.text.parameters.find((p) => p.type === "string" && c.mapFor(p.name));
  const amount = chargedAmount(c);
  for (const { sentence } of c.sentences(source)) {
    if (method && amount && /\bbalance\b/.test(sentence)) {
      const map = c.mapFor(method.name);
      const balance = map?.entryFields.find((e) => /balance/.test(e.name) && (e.type === "number" || e.type === "integer"));
      if (map && balance) {
        if (/\b(enough|sufficient|insufficient|cover|up to)\b/.test(sentence))
          c.require({ kind: "covers", parameter: method.name, ...heldAt(map), field: balance.name, amount }, source, sentence);
        if (/\b(reduced|deducted|decreases?|debited|goes down|drawn|lowered)\b/.test(sentence))
          c.effect({ kind: "entry-add", parameter: method.name, ...heldAt(map), field: balance.name, amount, sign: -1 }, source, sentence);
        else if (/\b(added to|credited|increased|goes up|added back)\b/.test(sentence))
          c.effect({ kind: "entry-add", parameter: method.name, ...heldAt(map), field: balance.name, amount, sign: 1 }, source, sentence);
      }
    }
    const recorded =
      /\b(?:recorded|logged|added|appended|noted)\s+(?:in|to)\s+(?:the\s+)?(?:[a-z]+'s\s+)?([a-z ]+?)(?:[.,;]|\s+and\b|$)/.exec(sentence);
    if (recorded && amount) {
      const words = recorded[1] as string;
      const holder = arrays(c.tables, target).find((h) => h.field.items?.fields && nameWords(h.field.name).every((w) => words.includes(w)));
      if (holder && !c.effects.some((r) => "place" in r.rule && JSON.stringify(r.rule.place) === JSON.stringify(holder.place))) {
        const element = recordedEntry(c, holder.field, holder.table, holder.place, amount);
        if (element) c.effect({ kind: "append", place: holder.place, element }, source, sentence);
      }
    }
    // "the fines due go down by the amount"
    const moves =
      /\b(?:the\s+)?([a-z ]+?)\s+(?:goes|go|is|are)?\s*(down|up|reduced|increased|decreased|lowered|raised)\s+by\s+(?:the\s+)?(amount|charge|payment|cost)/.exec(
        sentence,
      );
    if (moves && amount) {
      const leaf = leaves(target.fields).find(
        (l) =>
          (l.field.type === "number" || l.field.type === "integer") &&
          nameWords(l.path.at(-1) as string).every((w) => (moves[1] as string).includes(w)),
      );
      if (leaf) {
        const sign = /(down|reduced|decreased|lowered)/.test(moves[2] as string) ? -1 : 1;
        c.effect({ kind: "add", place: here(leaf.path), amount, sign }, source, sentence);
      }
    }
  }
}

/** "the amount due becomes 0": a number of the record set to a constant. */
function numbersSet(c: RuleContext): void {
  for (const { sentence, source } of c.sentences("description")) {
    for (const match of sentence.matchAll(
      /\b(?:the\s+)?([a-z][a-z ]*?)\s+(?:becomes|is set to|goes to|drops to|is reset to)\s+(-?\d+(?:\.\d+)?)\b/g,
    )) {
      const place = c.numberNamed(match[1] as string);
      if (!place || place.hops.length > 0 || c.writes(place)) continue;
      c.effect({ kind: "set", place, value: { kind: "constant", value: Number(match[2]) } }, source, sentence);
    }
  }
}

/**
 * "The refund goes to the original payment method": every payment of the record mirrored by a
 * refund, when the data shows no refund to learn from. Only for a tool that is given no payment
 * method of its own (then the refund goes where the caller says, not back where it came from).
 */
function describedRefunds(c: RuleContext, target: Table): void {
  if (c.effects.some((r) => r.rule.kind === "mirror")) return;
  const said = c.sentences("description").find(({ sentence }) => /\brefund/.test(sentence) && /\boriginal\b/.test(sentence));
  if (!said || c.text.parameters.some((p) => p.type === "string" && c.mapFor(p.name))) return;
  for (const f of target.fields) {
    const elements = f.items?.fields;
    if (f.type !== "array" || !elements) continue;
    const kindField = elements.find((e) => e.type === "string" && (e.enum || /(^|_)(kind|type)$/.test(e.name)));
    const amountField = elements.find((e) => e.type === "number" || e.type === "integer");
    const methodField = elements.find((e) => /(method|source|account|card)/.test(e.name) && e.type === "string");
    if (!kindField || !amountField || !methodField) continue;
    const kinds = [...new Set(c.records(target).flatMap((r) => ((r[f.name] as Row[] | undefined) ?? []).map((e) => e[kindField.name])))];
    const paid = kinds.find((k): k is string => typeof k === "string" && /^(payment|charge|purchase|paid)$/i.test(k));
    if (!paid) continue;
    const refund = paid === paid.toUpperCase() ? "REFUND" : "refund";
    const map = c.mapFor(methodField.name);
    const balance = map?.entryFields.find((e) => /balance/.test(e.name));
    const credits = c
      .sentences("description")
      .some(({ sentence }) => /\b(refund|credit|added)/.test(sentence) && /\bbalance\b/.test(sentence));
    c.effect(
      {
        kind: "mirror",
        place: here([f.name]),
        match: { field: kindField.name, value: paid },
        set: { [kindField.name]: { kind: "constant", value: refund } },
        ...(map && balance && credits
          ? { credit: { ...heldAt(map), entryField: methodField.name, amountField: amountField.name, balanceField: balance.name } }
          : {}),
      },
      said.source,
      said.sentence,
    );
    return;
  }
}
