// The clauses of a tool's description or of a policy, read for what they say a call does or needs:
// "the payment's refunded_money grows by the amount", "sets the bill status to AWAITING_PAYMENT",
// "closed_at and updated_at are set to now", "the comment is appended to the ticket's comments",
// "amount_money may not exceed the order's net_amount_due_money", "refused when the card is
// expired". A sentence splits at `;` and `:`; a leading "if/when …," puts a condition on what
// follows; quoted words are values. A clause yields a rule only when its place and its value are
// both found in the data (resolve.ts): what cannot be grounded is left to the other passes.

import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, RuleSource, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { actorConditions } from "./actor-conditions.ts";
import { listedAssignments } from "./assignments.ts";
import type { Clause } from "./clause.ts";
import { nowFor, type RuleContext } from "./context.ts";
import { newKeyOf } from "./counters.ts";
import { sameValue, structOf } from "./creation.ts";
import { historyValue, movedNumber, pairedMoves } from "./history.ts";
import { keyFormula } from "./inserted-keys.ts";
import { literalClauses, literalEntry, literalObject, literalStruct, maskLiterals } from "./literals.ts";
import { asMust, inRequirementList, isGloss } from "./requirement-lists.ts";
import { type Candidate, resolveBoth, resolvePlace, resolveStatusPlaces, resolveValue } from "./resolve.ts";
import { settle, settlementClauses } from "./settled-entries.ts";
import { snapshotFields } from "./snapshots.ts";
import { kindScope, referencedScope, stateScope } from "./state-scope.ts";

export type { Clause };

/** A text's clauses: its sentences split at `;`, `:` and list markers, quoted words masked. */
export function clausesOf(sentences: readonly { sentence: string; source: RuleSource; written?: string }[]): Clause[] {
  const out: Clause[] = [];
  for (const { sentence, source, written } of sentences) {
    const quotes: string[] = [];
    const literals: string[] = [];
    const masked = (written ?? sentence)
      .replace(/`([^`]{1,80})`/g, "$1")
      .replace(/"([^"]{1,80})"|“([^”]{1,80})”|(?<![A-Za-z0-9])'([^']{1,60})'(?![A-Za-z0-9])/g, (_, a, b, c) => {
        quotes.push((a ?? b ?? c) as string);
        return `⟦${quotes.length - 1}⟧`;
      });
    // Entries written out as literals are clauses of their own, read whole (literals.ts).
    const withLiterals = maskLiterals(masked, literals);
    for (const entry of literalClauses(withLiterals))
      out.push({ text: entry.toLowerCase(), written: entry, quotes, literals, source, sentence, literal: true });
    // Entries that settle an amount ("… is refunded to the balance as a payment {…} (only if above 0)").
    for (const { text, settlement } of settlementClauses(withLiterals))
      out.push({ text: text.toLowerCase(), written: text, quotes, literals, source, sentence, literal: true, settlement });
    for (const part of masked.split(/;|:\s|\(\d\)|\s\(|\)\s?/)) {
      const kept = part.trim().replace(/^(and|then|also)\s+/i, "");
      // "its status becomes active and the suspension date is cleared": each side that has a verb of its own.
      const pieces = kept
        .split(/\s+and\s+(?=(?:the|its|their|every|each)\b[^,]*?\b(?:is|are|becomes|become|goes|go|gets|get)\b)/i)
        .flatMap(twoMoves)
        .flatMap(gapped)
        .flatMap(ownVerbs)
        .flatMap(andVerbs);
      // "when the requester comments …, the status becomes open": the pieces after a "when" piece are under it.
      const opening = /^(?:if|when|whenever|once)\s+(.+?)[,]?$/i.exec(pieces[0]?.trim() ?? "");
      const inherited = opening && pieces.length > 1 ? (opening[1] as string).toLowerCase() : undefined;
      for (const piece of inherited ? pieces.slice(1) : pieces) {
        const bare = piece.replace(/[.,;!]+$/, "").trim();
        if (bare.length > 3)
          out.push({ text: bare.toLowerCase(), written: bare, quotes, literals, source, sentence, ...(inherited ? { inherited } : {}) });
      }
    }
  }
  return out;
}

const VERB =
  /\b(?:is|are|becomes?|goes|go|gets?|grows?|drops?|increments|decrements|sets?|moves?|turns?)\b|\+\s*\d+[.,;!]*$|\s(?:now|today)[.,;!]*$/i;

/**
 * "version goes up by 1 and updated_at is set to now": two changes joined by "and", each with a
 * verb of its own, read one by one ("closed_at and updated_at are set to now" shares one verb and
 * stays whole; a condition stays whole).
 */
function andVerbs(piece: string): string[] {
  if (/^(?:if|when|whenever|once|unless|only|while)\b/i.test(piece)) return [piece];
  const parts = piece.split(/\s+and\s+/);
  if (parts.length < 2 || !parts.every((p) => VERB.test(p))) return [piece];
  // "decrements available at the source and increments it at the destination by quantity": the
  // amount said once, at the end, is each move's.
  const by = /\s+by\s+(\S.*)$/.exec(parts.at(-1) as string)?.[1];
  if (by)
    return parts.map((p, i) =>
      i < parts.length - 1 && /^(?:increments|decrements|increases|decreases|reduces|raises)\s/i.test(p) && !/\sby\s/.test(p)
        ? `${p} by ${by}`
        : p,
    );
  return parts;
}

/** "the status becomes "canceled" and to_be_paid_in_cents 0": the second change leaves its verb unsaid. */
function gapped(piece: string): string[] {
  const m =
    /^(.*?\b(?:becomes|become|is set to|are set to|is changed to|changes to)\s+\S+)\s+and\s+([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\s+(⟦\d+⟧|-?\d+(?:\.\d+)?|null|true|false|today|now)[.,;!]*$/i.exec(
      piece,
    );
  return m ? [m[1] as string, `${m[2]} becomes ${m[3]}`] : [piece];
}

/**
 * "paid goes up by the amount and due goes down by it": two moves, each with a field and a verb of
 * its own, read one by one ("A and B go up by the deposit" stays whole: A has no move of its own).
 */
function twoMoves(piece: string): string[] {
  const move = new RegExp(String.raw`\b(?:${UP}|${DOWN})\s+by\s+\S`, "i");
  const second = new RegExp(String.raw`\s+and\s+(?=[a-z][\w.]*\s+(?:${UP}|${DOWN})\s+by\b)`, "i");
  const at = piece.search(second);
  if (at < 0 || !move.test(piece.slice(0, at))) return [piece];
  const rest = piece.slice(at).replace(/^\s+and\s+/i, "");
  return [piece.slice(0, at), rest];
}

/**
 * "session.login_count is incremented by 1, user_id is set, access_token becomes …": a list of
 * changes, each with a verb of its own, read one by one (a list of places sharing one verb stays whole).
 */
function ownVerbs(piece: string): string[] {
  const parts = piece.split(/,\s+/);
  if (parts.length < 2 || parts.filter((p) => VERB.test(p)).length < 2) return [piece];
  const out: string[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    // A part without a verb of its own belongs with the one before or after it.
    if (last !== undefined && !VERB.test(last)) out[out.length - 1] = `${last}, ${part}`;
    else if (last !== undefined && !VERB.test(part)) out[out.length - 1] = `${last}, ${part}`;
    else out.push(part);
  }
  return out;
}

const SET_VERBS = String.raw`(?:is|are|will be|gets|get|is then)\s+(?:set|changed|updated|reset|marked|moved)(?:\s+back)?\s+(?:to|as)`;
const BECOMES = `(?:becomes|become|changes to|change to|moves to|move to|turns|goes to|go to|ends at|ends up at|is left at)`;
const UP = `(?:grows|grow|increases|increase|goes up|go up|rises|rise|is increased|are increased|is incremented|are incremented|is raised)`;
const DOWN = `(?:shrinks|shrink|decreases|decrease|goes down|go down|drops|drop|falls|fall|is decreased|are decreased|is decremented|are decremented|is reduced|are reduced|is lowered)`;

/** The rules a clause states, as the context's requirements and (unless told not to) effects, with its source. */
export function readClause(c: RuleContext, clause: Clause, options: { effects: boolean } = { effects: true }): void {
  // "Requirements: …; to_be_paid_in_cents is 0": each item what must hold, never a change (requirement-lists.ts).
  if (inRequirementList(clause) && !clause.literal) {
    if (!isGloss(clause)) requirement(c, clause, asMust(clause.text));
    return;
  }
  const conditional = /^(?:if|when|whenever|once|unless)\s+(.+?),\s+(.+)$/.exec(clause.text);
  // "otherwise sets updated_at to today": what the call does when no exception before it applies.
  let body = clause.text.replace(/^otherwise,?\s+/, "");
  let when: Condition[] | undefined;
  if (conditional) {
    const parsed = conditions(c, conditional[1] as string, clause.quotes) ?? actorConditions(c, conditional[1] as string);
    if (!parsed) return;
    when = clause.text.startsWith("unless") ? parsed.map(negate) : parsed;
    body = conditional[2] as string;
  } else if (clause.inherited) {
    // Split off after a "when …" piece: under its condition when it is understood, else as before, for every call.
    when = conditions(c, clause.inherited, clause.quotes) ?? actorConditions(c, clause.inherited) ?? undefined;
  } else {
    // '"credit_balance" deducts the amount from …': what one value of a parameter does, on the calls that give it.
    const chosen = chosenValue(c, clause);
    if (chosen) ({ when, body } = chosen);
  }
  // "On an open bill it reduces the amount still owed": for calls on a referred record in that state (state-scope.ts).
  const scoped = when ? null : (referencedScope(c, body) ?? kindScope(c, body));
  if (scoped) ({ when, body } = scoped);
  // 'A "waitlisted" enrollment can be dropped: … the user id is removed from …': for a record in that state (state-scope.ts).
  if (options.effects && effect(c, clause, body, when ?? stateScope(c, clause.sentence))) return;
  if (!when && !clause.literal) requirement(c, clause, body);
}

/**
 * A clause that opens with a quoted value of one parameter's fixed list and goes on with a verb
 * ('"credit_balance" deducts the deposit from the customer's balance'): its rest, on the calls
 * that give that value.
 */
function chosenValue(c: RuleContext, clause: Clause): { when: Condition[]; body: string } | null {
  const m =
    /^⟦(\d+)⟧\s+((?:deducts|subtracts|takes|withdraws|debits|charges|adds|credits|refunds|sets|increments|decrements|moves|marks)\b.+)$/.exec(
      clause.text,
    );
  if (!m) return null;
  const value = clause.quotes[Number(m[1])];
  const owners = c.text.parameters.filter((p) => p.enum?.some((v) => String(v) === value));
  if (value === undefined || owners.length !== 1) return null;
  const param = owners[0] as (typeof owners)[number];
  const constant = param.enum?.find((v) => String(v) === value);
  return {
    when: [{ left: { kind: "parameter", name: param.name }, op: "==", right: { kind: "constant", value: constant } }],
    body: m[2] as string,
  };
}

/** An effect the clause states; true when it made one. */
function effect(c: RuleContext, clause: Clause, body: string, when: Condition[] | undefined): boolean {
  const add = (place: Candidate, rule: Parameters<RuleContext["effect"]>[0]) => {
    if (c.writes(place.place) || c.identifyingPlace(place.place)) return;
    c.effect(rule, clause.source, clause.sentence, when);
  };
  let m: RegExpExecArray | null;
  // 'a payment {type "charge", payment_method, …} is added': an entry written out as a literal.
  if (clause.settlement)
    return literalEntry(c, body, clause.literals, clause.quotes, (place, element) => void settle(c, clause, place, element, when), true);
  if (clause.literal) {
    if (
      literalEntry(c, body, clause.literals, clause.quotes, (place, element) =>
        c.effect({ kind: "append", place: place.place, element }, clause.source, clause.sentence, when),
      ) ||
      literalStruct(c, body, clause.literals, clause.quotes, (place, value) => add(place, { kind: "set", place: place.place, value })) ||
      literalObject(c, body, clause.literals, clause.quotes, (place, value) => add(place, { kind: "set", place: place.place, value }))
    )
      return true;
    // "a PaymentRefund {…} is stored": a record of another table, named as the API names its type.
    const noun = /^(?:an?|one|the|new)?\s*([A-Za-z][A-Za-z_ ]*?)\s*⦃/.exec(clause.written)?.[1]?.replace(/([a-z])([A-Z])/g, "$1 $2");
    // The head of a compound names the kind (a payment refund is a refund).
    const table = noun ? (tableNamed(c, noun.toLowerCase().split(/\s+/).at(-1) ?? "") ?? tableNamed(c, noun.toLowerCase())) : null;
    if (table && table !== c.target && !c.inserts.some((r) => r.rule.kind === "insert" && r.rule.table === table.name))
      return inserted(c, clause, table, body, when);
    return false;
  }
  // "a note, if given, replaces notes.manager": the parameter, when given, is the field's new value.
  if ((m = /^(?:an?|the)\s+([a-z_ ]+?),?\s+if given,?\s+replaces\s+(.+)$/.exec(body))) {
    const place = resolvePlace(c, m[2] as string);
    const named = (m[1] as string).trim().replaceAll(" ", "_");
    const param = c.text.parameters.find((p) => p.name === named);
    if (place && param && place.kind !== "array") {
      if (!c.writes(place.place))
        c.effect({ kind: "set", place: place.place, value: { kind: "parameter", name: param.name } }, clause.source, clause.sentence, [
          ...(when ?? []),
          { left: { kind: "parameter", name: param.name }, op: "given" },
        ]);
      return true;
    }
  }
  // sets A to V and B to W: each field its own value (assignments.ts)
  if (listedAssignments(c, clause, body, when)) return true;
  // sets X to V; X is set to V; X becomes V
  if (
    (m = /^(?:sets?|changes?|updates?|marks?|resets?)\s+(.+?)\s+(?:to|as)\s+(.+)$/.exec(body)) ||
    (m = new RegExp(String.raw`^(.+?)\s+${SET_VERBS}\s+(.+)$`).exec(body)) ||
    (m = new RegExp(String.raw`^(.+?)\s+${BECOMES}\s+(.+)$`).exec(body))
  ) {
    let made = false;
    for (const part of (m[1] as string).split(/\s*,\s*|\s+and\s+/)) {
      for (const place of resolveBoth(c, part)) {
        if (place.kind === "object") continue;
        const value = resolveValue(c, m[2] as string, clause.quotes, place, writtenOf(clause, m[2] as string));
        if (!value || !fits(value, place)) continue;
        // A list is set only to a list the call gives ("stock_item_ids becomes the given list").
        if (place.kind === "array" && !(value.kind === "parameter" && c.parameter(value.name)?.type === "array")) continue;
        add(place, { kind: "set", place: place.place, value });
        made = true;
      }
    }
    if (made) return true;
  }
  // X grows/goes down by V; increments X by V; adds V to X; deducts V from X
  const amount = (phrase: string, sign: 1 | -1, placePhrase: string): boolean => {
    // "the destination's current and available balances": two places sharing their owner and noun.
    const pair = /^(.*?)\b([a-z_]+)\s+and\s+([a-z_]+)\s+([a-z_]+?)s?$/.exec(placePhrase.trim());
    if (pair && !/\s/.test(pair[4] as string)) {
      const [, owner, first, second, noun] = pair as unknown as string[];
      const both = [`${owner}${first} ${noun}`, `${owner}${second} ${noun}`];
      if (both.every((p) => resolvePlace(c, p, (k) => k === "number" || k === "money"))) {
        const made = both.map((p) => amount(phrase, sign, p));
        if (made.every(Boolean)) return true;
      }
    }
    // "deposit_paid_in_cents and deposit_held_in_cents go up by the deposit": each field the list names.
    const fields = placePhrase.split(/\s*,\s*|\s+and\s+/).map((p) => p.replace(/^.*\s/, ""));
    const listed = fields.filter(
      (f, i) => i > 0 && /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(f) && /^[a-z][a-z0-9_]*$/.test(fields[i - 1] ?? ""),
    );
    if (listed.length > 0 && !/\s/.test(placePhrase.split(/\s*,\s*|\s+and\s+/).at(-1) ?? " ")) {
      const each = fields.slice(fields.length - listed.length - 1);
      return each.map((field) => amount(phrase, sign, field)).filter(Boolean).length > 0;
    }
    const place = resolvePlace(c, placePhrase, (k) => k === "number" || k === "money");
    if (!place) return false;
    // A money object ({amount, currency}) moves by its amount.
    const number: Candidate = { ...place, kind: "number" };
    const value = /^(?:one|1|a unit)$/.test(phrase.trim())
      ? ({ kind: "constant", value: 1 } as const)
      : /^(?:it|that|that amount|the same amount|the same|as much)$/.test(phrase.trim())
        ? sameAmount(c, clause)
        : resolveValue(c, phrase, clause.quotes, number);
    if (!value) return false;
    const at = place.kind === "money" ? { ...place.place, path: [...place.place.path, "amount"] } : place.place;
    add(place, { kind: "add", place: at, amount: value, sign });
    return true;
  };
  // "the source's cash falls and the target's cash rises by amount": two places, each its own way, by one amount.
  if ((m = new RegExp(String.raw`^(.+?)\s+(${UP}|${DOWN})\s+and\s+(.+?)\s+(${UP}|${DOWN})\s+by\s+(.+)$`).exec(body))) {
    const sign = (verb: string): 1 | -1 => (new RegExp(`^${DOWN}$`).test(verb) ? -1 : 1);
    const [first, v1, second, v2, by] = [m[1], m[2], m[3], m[4], m[5]].map(String) as [string, string, string, string, string];
    if (amount(by, sign(v1), first) && amount(by, sign(v2), second)) return true;
  }
  if ((m = new RegExp(String.raw`^(.+?)\s+${UP}\s+by\s+(.+)$`).exec(body)) && amount(m[2] as string, 1, m[1] as string)) return true;
  // "version + 1": a number of the record up by a constant, written as a sum.
  if ((m = /^([a-z_][a-z_. ]*?)\s*\+\s*(\d+)$/.exec(body)) && amount(m[2] as string, 1, m[1] as string)) return true;
  // "closed_at and updated_at now": times set to the clock, written without a verb.
  if ((m = /^([a-z_][a-z_., ]*?)\s+(now|today)$/.exec(body))) {
    let made = false;
    for (const part of (m[1] as string).split(/\s*,\s*|\s+and\s+/)) {
      const place = resolvePlace(c, part);
      if (!place || place.kind === "array" || place.kind === "object") continue;
      const value = resolveValue(c, m[2] as string, clause.quotes, place, m[2] as string);
      if (!value || !fits(value, place)) continue;
      add(place, { kind: "set", place: place.place, value });
      made = true;
    }
    if (made) return true;
  }
  if ((m = new RegExp(String.raw`^(.+?)\s+${DOWN}\s+by\s+(.+)$`).exec(body)) && amount(m[2] as string, -1, m[1] as string)) return true;
  // "the member's points change by the amount": moved by the amount as signed (a credit written negative lowers it).
  if (
    (m = /^(.+?)\s+(?:changes|change|is adjusted|are adjusted|moves|move)\s+by\s+(.+)$/.exec(body)) &&
    amount(m[2] as string, 1, m[1] as string)
  )
    return true;
  // "reduces the amount still owed", "X grows": by the amount the call gives, and only when it gives one.
  const bare =
    /^(?:reduces|lowers|decreases)\s+(?!.*\sby\s)(.+)$/.exec(body) ??
    /^(?:increases|raises)\s+(?!.*\sby\s)(.+)$/.exec(body) ??
    new RegExp(String.raw`^(.+?)\s+(?:${UP}|${DOWN})$`).exec(body);
  if (bare) {
    const sign = /^(?:reduces|lowers|decreases)\s/.test(body) || new RegExp(String.raw`\s${DOWN}$`).test(body) ? -1 : 1;
    const given = callAmount(c);
    const outer = when;
    if (given && !given.required) when = [...(outer ?? []), { left: { kind: "parameter", name: given.name }, op: "given" }];
    if (given && amount(given.name.replaceAll("_", " "), sign, bare[1] as string)) return true;
    when = outer;
  }

  if ((m = /^(?:increments|increases|raises|tops up)\s+(.+?)\s+by\s+(.+)$/.exec(body)) && amount(m[2] as string, 1, m[1] as string))
    return true;
  if ((m = /^(?:decrements|decreases|reduces|lowers)\s+(.+?)\s+by\s+(.+)$/.exec(body)) && amount(m[2] as string, -1, m[1] as string))
    return true;
  if ((m = /^(.+?)\s+(?:is|are)\s+(?:then\s+)?incremented$/.exec(body)) && amount("1", 1, m[1] as string)) return true;
  if ((m = /^(.+?)\s+(?:is|are)\s+(?:then\s+)?decremented$/.exec(body)) && amount("1", -1, m[1] as string)) return true;
  // "increments the section's enrolled_count": by one.
  // "increments the target's enrolled_count and frees the seat in the old section": the place ends where another act begins.
  if (
    (m = /^(?:.*?\s)?increments\s+(.+?)(?:\s+and\s+[a-z]+s\s.*)?$/.exec(body)) &&
    !/\sby\s/.test(m[1] as string) &&
    amount("1", 1, m[1] as string)
  )
    return true;
  if (
    (m = /^(?:.*?\s)?decrements\s+(.+?)(?:\s+and\s+[a-z]+s\s.*)?$/.exec(body)) &&
    !/\sby\s/.test(m[1] as string) &&
    amount("1", -1, m[1] as string)
  )
    return true;
  if ((m = /^(?:adds|credits|refunds|returns)\s+(.+?)\s+(?:to|back to)\s+(.+)$/.exec(body)) && amount(m[1] as string, 1, m[2] as string))
    return true;
  // "…, returning the amount to the account's available balance", "which gives the amount back to …".
  if (
    (m = /(?:^|,\s*)(?:returning|giving|which gives|which returns)\s+(.+?)\s+(?:back\s+)?to\s+(.+)$/.exec(body)) &&
    amount(m[1] as string, 1, m[2] as string)
  )
    return true;
  if (
    (m = /^(.+?)\s+(?:is|are)\s+(?:added|credited|refunded|returned|given back)\s+(?:to|back to)\s+(.+)$/.exec(body)) &&
    amount(m[1] as string, 1, m[2] as string)
  )
    return true;
  if (
    (m = /^(?:deducts|subtracts|takes|withdraws|debits|charges)\s+(.+?)\s+(?:from|to)\s+(.+)$/.exec(body)) &&
    amount(m[1] as string, -1, m[2] as string)
  )
    return true;
  if (
    (m = /^(.+?)\s+(?:is|are)\s+(?:deducted|subtracted|taken|debited|withdrawn)\s+from\s+(.+)$/.exec(body)) &&
    amount(m[1] as string, -1, m[2] as string)
  )
    return true;
  // A record of another table made by the call: "appends an entry to the inventory adjustment
  // history", "two Transactions are posted", "a PaymentRefund {…} is stored".
  if (
    // "adds to the order's amount_refunded": the verb's object is a number it grows, no record is made.
    (!/^(?:.*?\s)?(?:appends|adds)\s+(?:to|into|onto)\s/.test(body) &&
      (m =
        /^(?:.*?\s)?(?:appends|adds|records|logs|writes|creates|stores|posts|inserts)\s+(?:an?|one|two|\d+|the)?\s*(.*?)(?:\s+(?:to|in|into)\s+(?:the\s+)?(.+?))?(?:\s*⟦|\s*\{|$)/.exec(
          body,
        ))) ||
    // Passive: a new record named by its entity ("a PaymentRefund … is stored"), not a field of one ("the condition of the item is recorded").
    ((m = /^(?:an?|one|two|\d+|new)\s+(.+?)\s+(?:is|are)\s+(?:stored|created|recorded|appended|logged|posted|inserted|written)\b/.exec(
      body,
    )) &&
      !/\b(of|for)\b/.test(m[1] as string))
  ) {
    // "adds a credit to a customer's balance": what is added goes into a field of the customer, no new customer.
    const into = /['’]s\b/.test(m[2] ?? "") ? "" : (m[2] ?? "");
    // "appends the user id to …": a key the call is given names a record there is already, it makes none.
    const given =
      scalarParameter(c, m[1] ?? "", clause.quotes) !== null && /(^|_)id$/.test(scalarParameter(c, m[1] ?? "", clause.quotes) ?? "");
    // The noun made ends at its first preposition or comma ("creates a shipment from two addresses
    // …, and rates it with every carrier account": a shipment, the tool's own record, nothing else).
    const made = (m[1] ?? "").split(/,|\s(?:from|with|for|by|using|on|at|between)\s/)[0] ?? "";
    const table = given || (into === "" && tableNamed(c, made) === c.target) ? null : tableNamed(c, `${m[1] ?? ""} ${into}`);
    if (
      table &&
      table !== c.target &&
      !listedOnTarget(c, table, into || (/\b(?:to|into|onto)\s+(.+)$/.exec(clause.sentence.replace(/\([^)]*\)/g, ""))?.[1] ?? "")) &&
      !c.effects.some((r) => r.rule.kind === "insert" && r.rule.table === table.name)
    )
      return inserted(c, clause, table, body, when);
  }
  // V is appended/added to X (a list); removes V from X
  const list = (placePhrase: string) =>
    resolvePlace(c, placePhrase.replace(/^(?:the\s+)?(?:end|back|tail)\s+of\s+/, ""), (k) => k === "array");
  if (
    (m = /^(.+?)\s+(?:is|are)\s+(?:appended|added)\s+to\s+(.+)$/.exec(body)) ||
    (m = /^(?:appends|adds)\s+(.+?)\s+to\s+(.+)$/.exec(body)) ||
    // "creates an enrollment …, and appends the user id to the end of the section's waitlist": the last of a list of acts.
    (m = /^.*?,\s+and\s+(?:appends|adds)\s+(.+?)\s+to\s+(.+)$/.exec(body))
  ) {
    const place = list(m[2] as string);
    if (!place) return false;
    return appended(c, clause, place, m[1] as string, when);
  }
  if ((m = /^(?:removes|deletes)\s+(.+?)\s+from\s+(.+)$/.exec(body)) || (m = /^(.+?)\s+(?:is|are)\s+removed\s+from\s+(.+)$/.exec(body))) {
    const place = list(m[2] as string);
    // The values of an array parameter ("the given tags"), or one a parameter names ("the user id") from a list of plain values.
    const values = place
      ? (arrayParameter(c, m[1] as string) ??
        (place.field.items?.type !== "object" ? scalarParameter(c, m[1] as string, clause.quotes) : null))
      : null;
    if (!place || !values) return false;
    add(place, { kind: "remove-values", place: place.place, values: { kind: "parameter", name: values } });
    return true;
  }
  // X is cleared; clears X: nothing there any more (an empty list for a list).
  if (
    (m = /^(?:clears|resets|unsets|empties|nulls out|wipes)\s+(.+)$/.exec(body)) ||
    (m = /^(.+?)\s+(?:is|are)\s+(?:cleared|reset|unset|emptied|removed|set to null|nulled)$/.exec(body))
  ) {
    let made = false;
    for (const part of (m[1] as string).split(/\s*,\s*|\s+and\s+/)) {
      const place = resolvePlace(c, part);
      if (!place) continue;
      add(place, { kind: "set", place: place.place, value: { kind: "constant", value: place.kind === "array" ? [] : null } });
      made = true;
    }
    if (made) return true;
  }
  return false;
}

/** The one number parameter a call gives as its amount (`amount`, `fee_amount`): what a bare "grows" moves by. */
function callAmount(c: RuleContext): { name: string; required: boolean } | null {
  const numbers = c.text.parameters.filter((p) => (p.type === "integer" || p.type === "number") && /(^|_)amount$/.test(p.name));
  const plain = numbers.find((p) => p.name === "amount") ?? (numbers.length === 1 ? numbers[0] : undefined);
  return plain ? { name: plain.name, required: plain.required } : null;
}

/** "… and due goes down by it": the amount the sentence's previous move moved by. */
function sameAmount(c: RuleContext, clause: Clause): ValueExpr | null {
  const before = c.effects.filter((r) => r.text === clause.sentence && r.rule.kind === "add").at(-1)?.rule;
  return before?.kind === "add" ? before.amount : null;
}

/** A phrase of the clause as written (its case kept), for values such as `AWAITING_PAYMENT`. */
function writtenOf(clause: Clause, phrase: string): string {
  const at = clause.text.indexOf(phrase);
  return at < 0 ? phrase : clause.written.slice(at, at + phrase.length);
}

/**
 * "appends a part to a kit": the tool's own record, named after "to", keeps a list called as what is
 * appended (a kit's `parts`); the part goes into that list, no part record is made.
 */
function listedOnTarget(c: RuleContext, table: Table, into: string): boolean {
  if (!c.target || into === "" || tableNamed(c, into) !== c.target) return false;
  const entity = nameWords(table.entity.replaceAll(" ", "_")).join(" ");
  return c.target.fields.some((f) => f.type === "array" && nameWords(f.name).join(" ") === entity);
}

/** What a clause appends to a list: the values of an array parameter (tags), or an entry made from the call (a comment). */
function appended(c: RuleContext, clause: Clause, place: Candidate, phrase: string, when: Condition[] | undefined): boolean {
  if (c.writes(place.place)) return false;
  const items = place.field.items;
  const values = arrayParameter(c, phrase);
  if (values && items?.type !== "object") {
    c.effect(
      {
        kind: "add-values",
        place: place.place,
        value: { kind: "item" },
        each: values,
        unique: /\b(skip|already|duplicate|unique|once)/.test(clause.sentence),
      },
      clause.source,
      clause.sentence,
      when,
    );
    return true;
  }
  if (items?.type === "object" && items.fields) {
    const element = c.entryFromCall(items.fields, clause.quotes, {
      name: place.place.path.at(-1) as string,
      entries: c.entriesAt(place.table, place.place.path),
    });
    if (!element) return false;
    c.effect({ kind: "append", place: place.place, element }, clause.source, clause.sentence, when);
    return true;
  }
  const param = c.text.parameters.find((p) => phrase.includes(p.name.replaceAll("_", " ")) || phrase.includes(p.name));
  if (param) {
    c.effect(
      { kind: "add-values", place: place.place, value: { kind: "parameter", name: param.name } },
      clause.source,
      clause.sentence,
      when,
    );
    return true;
  }
  return false;
}

/** The table a phrase names by its entity: every word of it, or its head word when only one table has it. */
export function tableNamed(c: RuleContext, phrase: string): Table | null {
  const words = new Set(nameWords(phrase.replace(/[^a-z_ ]/gi, " ")));
  let best: { table: Table; score: number } | null = null;
  let tied = false;
  for (const table of c.tables.values()) {
    if (table.storage === "single") continue;
    const entity = nameWords(table.entity.replaceAll(" ", "_"));
    const head = entity.at(-1) as string;
    if (!words.has(head)) continue;
    const score = entity.filter((w) => words.has(w)).length * 10 - entity.length;
    if (!best || score > best.score) {
      best = { table, score };
      tied = false;
    } else if (score === best.score) tied = true;
  }
  return best && !tied ? best.table : null;
}

/**
 * A record the call makes in another table: each field from the parameter of its name, the
 * tool's own record's field of that name, a quoted value the clause gives it (`quantity_name:
 * "available"`), the clock for times, the amount the call moves for a change's size (`delta`), the
 * number it leaves for an `…_after` field; its key from the counter the data keeps, else the next.
 */
export function inserted(c: RuleContext, clause: Clause, table: Table, body: string, when: Condition[] | undefined): boolean {
  // "each change to available appends an entry": a move of two records' numbers (a transfer between
  // two stock levels) is two changes, an entry each, from the record it changed.
  const paired = /\b(?:each|every)\s+change\b/i.test(clause.sentence) ? pairedMoves(c) : [];
  if (paired.length >= 2) {
    let made = false;
    for (const move of paired) made = insertedEntry(c, clause, table, when, move) || made;
    return made;
  }
  void body;
  return insertedEntry(c, clause, table, when, movedNumber(c));
}

/** One entry made in `table` by the call, its fields from the call, its record, the clock and the number it moves. */
function insertedEntry(
  c: RuleContext,
  clause: Clause,
  table: Table,
  when: Condition[] | undefined,
  moved: ReturnType<typeof movedNumber>,
): boolean {
  const rows = c.records(table);
  const key = newKeyOf(c.tables, c.data, table, rows);
  // The record the number moved on, when the call singles it out by its references: its fields are the entry's.
  const root = moved?.place.root?.where ? moved.place.root : undefined;
  const rootTable = root ? c.tables.get(root.table) : undefined;
  // `quantity_name: "available"`, `with enrollment_state "waitlisted"`, `with reason movement_updated`: a value the clause gives a field of the entry.
  // The entries "with reason movement_updated" another sentence of the description speaks of count too.
  const said = [clause.sentence, ...c.text.sentences.filter((s) => /\bentr(?:y|ies)\b/.test(s))].join(" ");
  const given = Object.fromEntries(
    [...said.matchAll(/([a-z_]+)(?::\s*|\s*=\s*|\s+)"([^"]+)"|\bwith\s+([a-z_]+)\s+([a-z]+(?:_[a-z]+)*)\b/g)]
      .map((g): [string, string] => [(g[1] ?? g[3]) as string, (g[2] ?? g[4]) as string])
      .filter(
        ([name, value]) => table.fields.some((f) => f.name === name) && !c.parameter(value) && !/^(?:the|an?|its|given|set)$/.test(value),
      )
      .reverse(),
  );
  const fields: Record<string, ValueExpr> = {};
  let fromCall = 0;
  for (const f of table.fields) {
    if (f.name === table.key) {
      fields[f.name] = { kind: "new-key" };
      continue;
    }
    const param = c.text.parameters.find((p) => p.name === f.name && p.type !== "array");
    const own = c.target?.fields.find((g) => g.name === f.name);
    const onRoot = root && f.name !== rootTable?.key && !/_at$/.test(f.name) && rootTable?.fields.some((g) => g.name === f.name);
    if (given[f.name] !== undefined) fields[f.name] = { kind: "constant", value: given[f.name] };
    else if (onRoot) {
      fields[f.name] = { kind: "read", place: { hops: [], root, path: [f.name] } };
      fromCall += 1;
    } else if (param) {
      fields[f.name] = { kind: "parameter", name: param.name };
      fromCall += 1;
    } else if (f.format === "date-time" || /_at$/.test(f.name)) fields[f.name] = f.format === "date" ? { kind: "today" } : nowFor(f);
    else if (own && c.subject.kind === "change") {
      // A value the tool's record holds too (its location, its order); its times are its own.
      fields[f.name] = { kind: "read", place: { hops: [], path: [own.name] }, after: true };
      fromCall += 1;
    } else if (c.target && f.references === c.target.name && c.subject.kind === "change" && c.target.key) {
      // The entry made for the tool's own record refers to it (a waitlisted enrollment's section).
      fields[f.name] = { kind: "read", place: { hops: [], path: [c.target.key] } };
      fromCall += 1;
    } else if (f.format === "date" || /(^|_)date$/.test(f.name)) fields[f.name] = { kind: "today" };
    // "delta", "quantity_after_change": the size of the number the call moves, and the number it leaves (history.ts).
    else if (historyValue(f.name, f.type, moved)) fields[f.name] = historyValue(f.name, f.type, moved) as ValueExpr;
    // As the data's records are: a value every one holds alike (`type: "StudentEnrollment"`), a struct shaped as theirs.
    else if (sameValue(rows.map((r) => r[f.name])) !== undefined && f.name !== table.status?.field)
      fields[f.name] = { kind: "constant", value: sameValue(rows.map((r) => r[f.name])) };
    // A new record of a table with states starts in the one its records start in (a new attendee is Attending).
    else if (f.name === table.status?.field && table.status.initial) fields[f.name] = { kind: "constant", value: table.status.initial };
    else if (f.type === "object" && f.fields && rows.some((r) => r[f.name]))
      fields[f.name] = structOf(
        c,
        f,
        rows.map((r) => r[f.name]),
        new Set(),
      );
    else if (f.nullable) fields[f.name] = { kind: "constant", value: null };
  }
  if (fromCall === 0) return false;
  for (const snap of snapshotFields(table, c.tables, c.data, fields))
    fields[snap.field] = { kind: "read", place: snap.place, ...(snap.after ? { after: true } : {}) };
  const formula = keyFormula(rows, table, fields);
  c.inserts.push({
    rule: { kind: "insert", table: table.name, key: formula ? { ...key, formula } : key, fields },
    source: clause.source,
    text: clause.sentence,
    ...(when ? { when } : {}),
  });
  return true;
}

/** The one parameter a phrase names ("the user id"), not an array, or null. */
function scalarParameter(c: RuleContext, phrase: string, quotes: readonly string[]): string | null {
  const value = resolveValue(c, phrase, quotes);
  return value?.kind === "parameter" && !value.path && c.parameter(value.name)?.type !== "array" ? value.name : null;
}

/** The array parameter a phrase names ("the given tags", "tags"), or null. */
function arrayParameter(c: RuleContext, phrase: string): string | null {
  const arrays = c.text.parameters.filter((p) => p.type === "array");
  return (
    (
      arrays.find((p) => phrase.includes(p.name.replaceAll("_", " ")) || phrase.includes(p.name)) ??
      (/\b(them|these|those|the given)\b/.test(phrase) ? arrays[0] : undefined)
    )?.name ?? null
  );
}

/** A requirement the clause states (an effect it did not state). */
function requirement(c: RuleContext, clause: Clause, body: string): void {
  let m: RegExpExecArray | null;
  // refused/fails/rejected when|if <condition>: the condition must not hold.
  if ((m = /^(?:it\s+|the call\s+)?(?:is\s+)?(?:refused|fails|rejected|errors|is an error)\s+(?:when|if)\s+(.+)$/.exec(body))) {
    const parsed = conditions(c, m[1] as string, clause.quotes);
    if (parsed && parsed.length === 1)
      c.require({ kind: "compare", condition: negate(parsed[0] as Condition) }, clause.source, clause.sentence);
    return;
  }
  if (limitedRecords(c, clause, body)) return;
  // X must (not) be at most / at least V; X may not exceed V; X must be positive
  const bound =
    /^(.+?)\s+(must|may|can|cannot|can't|should)\s+(not\s+)?(?:be\s+)?(at most|no more than|at least|no less than|more than|greater than|above|less than|lower than|below|exceed|positive|non-zero)\s*(.*)$/.exec(
      body,
    );
  if (!bound) {
    mustBe(c, clause, body);
    return;
  }
  const [, subject, modal, not, relation, rest] = bound as unknown as [string, string, string, string | undefined, string, string];
  const compared = comparedValue(c, subject, clause.quotes);
  if (!compared) return;
  const left = moneyAmount(c, compared);
  const negative = Boolean(not) || modal === "cannot" || modal === "can't";
  if (relation === "positive" || relation === "non-zero") {
    const op: Condition["op"] = relation === "positive" ? (negative ? "<=" : ">") : negative ? "==" : "!=";
    c.require({ kind: "compare", condition: { left, op, right: { kind: "constant", value: 0 } } }, clause.source, clause.sentence);
    return;
  }
  const bound0 = comparedValue(c, rest, clause.quotes);
  if (!bound0) return;
  const right = left.kind === "parameter" ? withOwnField(c, bound0, left.name) : bound0;
  const ops: Record<string, Condition["op"]> = {
    "at most": "<=",
    "no more than": "<=",
    "at least": ">=",
    "no less than": ">=",
    "more than": ">",
    "greater than": ">",
    above: ">",
    exceed: ">",
    "less than": "<",
    "lower than": "<",
    below: "<",
  };
  const op = ops[relation] as Condition["op"];
  c.require({ kind: "compare", condition: { left, op: negative ? flip(op) : op, right } }, clause.source, clause.sentence);
}

/**
 * "withdrawal payouts are limited to spendable_balance": the call's amount may not exceed the value
 * named. A value of an enum parameter the sentence writes right before the records ("OUTGOING
 * (withdrawal) payouts"), or as the records themselves ("sells are limited to units_free"),
 * limits only the calls that give it. The number bounded is the parameter the limit's name
 * qualifies (`units` for `units_free`), else the amount; the limit may be a field of the record of
 * another table the call's parameters pick out (the plot of the grower and crop given).
 */
function limitedRecords(c: RuleContext, clause: Clause, body: string): boolean {
  const head = c.target?.entity.split(" ").at(-1);
  if (!head || (c.subject.kind !== "create" && c.subject.kind !== "change")) return false;
  const enumValue = (word: string) =>
    c.text.parameters.flatMap((p) =>
      (p.enum ?? [])
        .filter((v) => typeof v === "string" && [v.toLowerCase(), `${v.toLowerCase()}s`].includes(word.toLowerCase()))
        .map((v) => ({ p, v })),
    )[0];
  const m = /^(.*?)\b([a-z_]+)\s+(?:are|is)\s+limited\s+to\s+(.+?)(?:\s+and\s+.*)?$/.exec(body);
  if (!m) return false;
  const said = m[2] as string;
  const named = said === head || said === `${head}s` ? null : enumValue(said);
  if (said !== head && said !== `${head}s` && !named) return false;
  const phrase = m[3] as string;
  // A field the words spell out is that field: on a record the call reaches, else on the one its parameters pick out.
  const compared = comparedValue(c, phrase, clause.quotes);
  const spelled = /^`?([a-z][a-z0-9_]*)`?/.exec(phrase)?.[1];
  const exact = compared?.kind === "read" && compared.place.path.at(-1) === spelled;
  const limit = exact ? compared : (pickedField(c, phrase) ?? compared);
  const limitWords =
    limit?.kind === "read" ? nameWords(limit.place.path.at(-1) ?? "") : limit?.kind === "match" ? nameWords(limit.field ?? "") : [];
  const scalar = c.text.parameters.filter((p) => p.type !== "array" && p.type !== "object");
  const bounded =
    scalar.find(
      (p) =>
        !c.identifying.has(p.name) &&
        limitWords.length > nameWords(p.name).length &&
        nameWords(p.name).every((w) => limitWords.includes(w)),
    ) ?? scalar.find((p) => /(^|_)amount$/.test(p.name));
  if (!bounded || !limit || (limit.kind === "parameter" && limit.name === bounded.name)) return false;
  // The words before the records: in the clause, else in its sentence (a clause split off at a parenthesis).
  const at = clause.sentence.indexOf(body.slice(0, 24));
  const before = `${at > 0 ? clause.sentence.slice(0, at) : ""} ${m[1] ?? ""}`.replace(/\([^)]*\)/g, " ").trim();
  const qualifier = named ?? enumValue(before.split(/[\s.,;:]+/).at(-1) ?? "");
  const rule = {
    kind: "compare" as const,
    condition: { left: { kind: "parameter" as const, name: bounded.name }, op: "<=" as const, right: limit },
  };
  if (qualifier) {
    const when: Condition[] = [
      { left: { kind: "parameter", name: qualifier.p.name }, op: "==", right: { kind: "constant", value: qualifier.v } },
    ];
    // A bound on an optional number holds when it is given.
    if (!bounded.required) when.push({ left: { kind: "parameter", name: bounded.name }, op: "given" });
    c.requireWhen(rule, when, clause.source, clause.sentence);
  } else c.require(rule, clause.source, clause.sentence);
  return true;
}

/**
 * "units_free": the field of that name of the record of another table that the call's parameters
 * pick out, each naming one of its references (the plot of the grower and the crop the call
 * gives); none there, there is nothing to take.
 */
function pickedField(c: RuleContext, phrase: string): ValueExpr | null {
  const name = /^`?([a-z][a-z0-9_]*)`?/.exec(phrase)?.[1];
  if (!name) return null;
  for (const table of c.tables.values()) {
    if (table === c.target || table.storage === "single" || !table.fields.some((f) => f.name === name)) continue;
    const where = table.fields
      .filter((f) => f.references && c.parameter(f.name)?.required)
      .map((f) => ({ field: f.name, value: { kind: "parameter" as const, name: f.name } }));
    if (where.length >= 2) return { kind: "match", table: table.name, where, field: name };
  }
  return null;
}

/**
 * "X must (not) be V" where V is a value of X ("the line must be Active", "the card must not be
 * expired"): an equality the call needs; for the record itself or a record it reaches, a state of it.
 */
function mustBe(c: RuleContext, clause: Clause, body: string): boolean {
  const m = /^(.+?)\s+(?:must|has to|needs to|should)\s+(not\s+)?be\s+(.+)$/.exec(body);
  if (!m) return false;
  const subject = m[1] as string;
  const place = resolvePlace(c, subject) ?? statusOfNamed(c, subject);
  if (!place) return false;
  const right = resolveValue(c, m[3] as string, clause.quotes, place);
  if (right?.kind !== "constant") return false;
  c.require(
    { kind: "compare", condition: { left: { kind: "read", place: place.place }, op: m[2] ? "!=" : "==", right } },
    clause.source,
    clause.sentence,
  );
  return true;
}

/** The status field of the record a phrase names ("the account", "the order"), for "the account must be open". */
function statusOfNamed(c: RuleContext, phrase: string): Candidate | null {
  const words = nameWords(phrase);
  for (const k of resolveStatusPlaces(c))
    if (k.owner.size > 0 && [...k.owner].some((w) => words.includes(w)) && words.length <= 3) return k;
  return null;
}

/** A money parameter (`amount_money: {amount, currency}`) is compared by its amount. */
function moneyAmount(c: RuleContext, value: ValueExpr): ValueExpr {
  if (value.kind !== "parameter" || value.path) return value;
  const schema = (c.text.spec.parameters as { properties?: Record<string, { type?: string; properties?: Record<string, unknown> }> })
    .properties?.[value.name];
  const own = c.target?.fields.find((f) => f.name === value.name);
  const money =
    schema?.type === "object" &&
    (schema.properties?.amount !== undefined || (own?.type === "object" && own.fields?.some((f) => f.name === "amount")));
  return money ? { ...value, path: ["amount"] } : value;
}

/**
 * A bound on a parameter is never that parameter: in "amount_money may not exceed amount_money -
 * refunded_money of the payment", the amount_money of the limit is the record's own field of that name.
 */
function withOwnField(c: RuleContext, value: ValueExpr, parameter: string): ValueExpr {
  if (value.kind === "arith")
    return { ...value, left: withOwnField(c, value.left, parameter), right: withOwnField(c, value.right, parameter) };
  if (value.kind !== "parameter" || value.name !== parameter) return value;
  const own = c.target?.fields.find((f) => f.name === parameter);
  if (!own) return value;
  const money = own.type === "object" && own.fields?.some((f) => f.name === "amount");
  if (own.type === "object" && !money) return value;
  return { kind: "read", place: { hops: [], path: money ? [own.name, "amount"] : [own.name] } };
}

/** A value a requirement compares: a parameter's, a place's, a constant. */
function comparedValue(c: RuleContext, phrase: string, quotes: readonly string[]): ValueExpr | null {
  const place = resolvePlace(c, phrase);
  // "from_wallet's spendable_balance": a field of the record the parameter names, not the parameter.
  const owned = place && c.text.parameters.some((p) => phrase.includes(`${p.name}'s `));
  const value = owned ? null : resolveValue(c, phrase, quotes, place ?? undefined);
  return (
    value ??
    (place
      ? { kind: "read", place: place.kind === "money" ? { ...place.place, path: [...place.place.path, "amount"] } : place.place }
      : null)
  );
}

/** The conditions a phrase states, every one of them understood, or null. */
function conditions(c: RuleContext, phrase: string, quotes: readonly string[]): Condition[] | null {
  const out: Condition[] = [];
  for (const part of phrase.split(/\s+and\s+(?=(?:the|it|its|a|an|no)\b)/)) {
    const one = condition(c, part, quotes);
    if (!one) return null;
    out.push(one);
  }
  return out.length > 0 ? out : null;
}

function condition(c: RuleContext, phrase: string, quotes: readonly string[]): Condition | null {
  let m: RegExpExecArray | null;
  // a parameter given or left out
  if (
    (m =
      /^(?:the\s+)?(?:optional\s+)?([a-z_ ]+?)\s+(?:is|are)\s+(given|provided|set|passed|sent|omitted|missing|not given|not provided|absent|empty|left out)$/.exec(
        phrase,
      ))
  ) {
    const named = m[1] as string;
    const param = c.text.parameters.find((p) => p.name === named.replaceAll(" ", "_") || p.name.replaceAll("_", " ") === named);
    if (param)
      return {
        left: { kind: "parameter", name: param.name },
        op: /omitted|missing|not|absent|empty|left/.test(m[2] as string) ? "absent" : "given",
      };
  }
  if ((m = /^no\s+([a-z_ ]+?)\s+is\s+(?:given|sent|provided)$/.exec(phrase))) {
    const param = c.text.parameters.find((p) => p.name.replaceAll("_", " ") === m?.[1] || p.name === m?.[1]);
    if (param) return { left: { kind: "parameter", name: param.name }, op: "absent" };
  }
  // the X is (not) V / one of V, V
  if ((m = /^(.+?)\s+(?:is|are|was|were)\s+(?:still\s+)?(not\s+)?(?:one of\s+|either\s+)?(.+)$/.exec(phrase))) {
    const subject = (m[1] as string).replace(/^(?:it|the record)$/, c.target?.status ? c.target.status.field : "it");
    const place = resolvePlace(c, subject === "it" ? (c.target?.status?.field ?? "") : subject);
    if (!place) return null;
    const values = (m[3] as string).split(/\s*,\s*|\s+or\s+/).map((v) => resolveValue(c, v, quotes, place));
    if (values.some((v) => v?.kind !== "constant") || values.length === 0) {
      if (values.length === 1 && values[0]) return { left: { kind: "read", place: place.place }, op: m[2] ? "!=" : "==", right: values[0] };
      return null;
    }
    const list = values.map((v) => (v as { value: unknown }).value);
    return list.length === 1
      ? { left: { kind: "read", place: place.place }, op: m[2] ? "!=" : "==", right: { kind: "constant", value: list[0] } }
      : { left: { kind: "read", place: place.place }, op: m[2] ? "not-in" : "in", right: { kind: "constant", value: list } };
  }
  return null;
}

function negate(c: Condition): Condition {
  const opposite: Record<Condition["op"], Condition["op"]> = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
    given: "absent",
    absent: "given",
    in: "not-in",
    "not-in": "in",
  };
  return { ...c, op: opposite[c.op] };
}

function flip(op: Condition["op"]): Condition["op"] {
  return ({ ">": "<=", ">=": "<", "<": ">=", "<=": ">" } as Record<string, Condition["op"]>)[op] ?? op;
}

/** Whether a value can go where the place is: a number into a number, a state into a text field, a time into a date. */
function fits(value: ValueExpr, place: Candidate): boolean {
  if (value.kind !== "constant") return true;
  const v = value.value;
  switch (place.kind) {
    case "number":
    case "money":
      return typeof v === "number" || v === null;
    case "boolean":
      return typeof v === "boolean" || v === null;
    case "string":
    case "date":
      return typeof v === "string" || v === null;
    default:
      return true;
  }
}
