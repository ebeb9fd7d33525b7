// The states of a tool's record: which one the tool leaves it in ("the status becomes 'returned'",
// else its verb against the data's own states), and which ones a text says it must or must not be
// in before ("closed tickets cannot be updated", "cancels a pending order", "only while it is
// waiting"). Each text (the name, the description, the policy) gives its own requirement, so a
// record must meet all of them.
import type { RuleSource } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { participle, VERBS } from "../../lib/domain-model/lexicon.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { here, type RuleContext } from "./context.ts";
import { toggleOf } from "./flags.ts";
import { receivedStatus } from "./received-items.ts";

/** The status values a text mentions, as whole words. */
export function statusesIn(text: string, values: readonly string[]): string[] {
  return values.filter((v) =>
    new RegExp(
      `(^|[^a-z_])${v
        .toLowerCase()
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
        .replaceAll("_", "[_ ]")}($|[^a-z_])`,
    ).test(text.toLowerCase()),
  );
}

export interface TargetStatus {
  value: string;
  source: "description" | "name" | "data";
  text: string;
}

const BECOMES =
  /\b(?:status\s+)?(?:becomes?|is changed to|changes to|changed to|is set to|will be set to|moves? to|is marked(?: as)?|will be changed to)\s+['"‘“`]?([a-z][a-z _()-]*?)['"’”`]?(?:[.,;]|\s+and\b|\s+if\b|\s+with\b|$)/;
export const PREPOSITIONS = new Set("on of for to in from with by at into onto about".split(" "));
const NOT_STATUS_VERBS = new Set("update modify change edit set renew pay reschedule rename adjust replace move add remove".split(" "));

/** The state the tool leaves its record in, or null. */
export function targetStatus(c: RuleContext): TargetStatus | null {
  const status = c.target?.status;
  if (!status || c.subject.kind !== "change") return null;
  // enable_roaming turns a flag on; the record's own status stays.
  if (toggleOf(c)) return null;
  const entity = c.target?.entity ?? "";
  for (const sentence of c.text.sentences) {
    // "When the requester comments on a pending ticket, its status becomes open": a condition, not the tool's effect.
    for (const clause of sentence.split(/;|:\s/)) {
      if (/^\s*(if|when|whenever|unless|once)\b/.test(clause)) continue;
      // "Sets enrollment_state to "active" and updated_at to today": the status field named and set.
      const setsField = new RegExp(
        String.raw`\bsets?\s+(?:its\s+|the\s+)?${status.field}\s+to\s+['"‘“]?([a-z][a-z_ -]*?)['"’”]?(?:[.,;]|\s+and\b|$)`,
      ).exec(clause);
      // The value as written: a state the data shows, or a quoted word it may not show yet ("rejected").
      const written = setsField?.[1]?.trim() ?? "";
      const stated = status.values.find((v) => v.toLowerCase() === written);
      const quoted = /^[a-z][a-z_-]*$/.test(written) && /to\s+['"‘“]/.test(setsField?.[0] ?? "");
      if (stated || quoted) return { value: stated ?? spelt(written, status.values), source: "description", text: sentence };
      // "Sets a Confirmed reservation whose arrival date has passed to NoShow": the record itself, moved to a state the data shows.
      const setsRecord = new RegExp(
        String.raw`^\s*sets?\s+(?:an?|the|its)\s+(?:[a-z_-]+\s+)?${entity}\b.*?\bto\s+['"‘“]?([a-z][a-z_-]*)['"’”]?\s*(?:[.,;]|$)`,
      ).exec(clause);
      const reached = status.values.find((v) => v.toLowerCase() === setsRecord?.[1]);
      if (reached) return { value: reached, source: "description", text: sentence };
      const match = BECOMES.exec(clause);
      if (!match) continue;
      // The clause's subject must be the record (or its status): "the transfer becomes complete", "the
      // account's status becomes closed", "its status…"; "the hold (the transfer's …) becomes" is another record.
      // "publish a draft event (status becomes live)": a remark in parentheses speaks of the noun before it.
      const before = clause
        .slice(0, match.index)
        .replace(/\([^)]*\)/g, " ")
        .replace(/\(\s*$/, " ")
        .trim()
        .split(/\s+/);
      // The pattern may have taken the word "status" itself: then it is the subject.
      if (/^status\b/.test(match[0])) before.push("status");
      const head = entity.split(" ").at(-1) ?? entity;
      const words = before.filter((w) => w !== "");
      // The record's state field by its own name ("state becomes CANCELED") is its status.
      const last = (words.at(-1) ?? "").replace(/^[`'"]|[`'"]$/g, "") === status.field ? "status" : (words.at(-1) ?? "");
      const owner = (words.at(-2) ?? "").replace(/'s$/, "");
      // "a reward still issued on the order becomes DELETED": the record named after a preposition is not the subject.
      const governed =
        PREPOSITIONS.has(words.at(-2) ?? "") || (/^(the|this|that)$/.test(words.at(-2) ?? "") && PREPOSITIONS.has(words.at(-3) ?? ""));
      const ofRecord =
        ((last === head || last === `${head}'s`) && !governed) || owner === head || owner === "its" || /^(it|its)$/.test(last);
      if (!ofRecord && !(last === "status" && (owner === head || owner === "its" || words.length <= 2))) continue;
      const value = (match[1] as string).trim();
      // "updated_at of every ticket involved is set to now": another field's value, and a time.
      if (/^(now|today)$/.test(value) || words.some((w) => c.target?.fields.some((f) => f.name === w && f.name !== status.field))) continue;
      const known = status.values.find((v) => v.toLowerCase() === value) ?? statusesIn(value, status.values)[0];
      // A value that is no state of the data (a time, a number) is some other field's.
      if (!known && !/^[a-z]+(?:[ _][a-z]+)?$/.test(value)) continue;
      return { value: known ?? spelt(value, status.values), source: "description", text: sentence };
    }
  }
  // "the booking gets a stub, cover, status confirmed, …": the state listed among what the record gets.
  for (const sentence of c.text.sentences) {
    const listed = receivedStatus(sentence, entity, status.values);
    if (listed) return { value: listed, source: "description", text: sentence };
  }
  // "status draft -> ready_to_ship": a transition written as an arrow ends in the state it leads to.
  for (const sentence of c.text.sentences) {
    const arrow = /([a-z_]+)["'”’]?\s*(?:->|→)\s*["'“‘]?([a-z_]+)/i.exec(sentence);
    const known = arrow ? status.values.find((v) => v.toLowerCase() === arrow[2]?.toLowerCase()) : undefined;
    if (known && arrow && status.values.some((v) => v.toLowerCase() === arrow[1]?.toLowerCase()))
      return { value: known, source: "description", text: sentence };
  }
  // mark_transfer_ready_to_ship: a state the name puts after the record is where it leads ("renew_active_loan"
  // puts it before: a state the record must be in).
  const head = (c.target?.entity ?? "").split(" ").at(-1) ?? "";
  const words = c.text.words.map(singular);
  const after = words.indexOf(head);
  if (after > 0) {
    const tail = statusesIn(c.text.words.slice(after + 1).join(" "), status.values);
    if (tail.length === 1 && tail[0]) return { value: tail[0], source: "name", text: `${c.text.name} → ${tail[0]}` };
  }
  const verb = c.text.verb;
  // unschedule_campaign: undoes what `schedule` does, back to the state records start in.
  const undone = undoneState(verb, status.values);
  if (undone && undone !== status.initial)
    return {
      value: status.initial,
      source: "name",
      text: `${verb} undoes ${verb.slice(2)} (→ ${undone}): back to ${status.initial}, the state the data's records start in`,
    };
  // A state the data shows that names the tool's act and what it acts on ("pending (item modified)"
  // for modify_pending_order_items): every other word of it is in the tool's name.
  const named = new Set(c.text.words.map(singular));
  const stem = verb.replace(/(e|y)$/, "");
  const composite = status.values.find((v) => {
    const words = nameWords(v);
    const act = words.findIndex((w) => w === participle(verb) || (w.startsWith(stem) && /(ed|en)$/.test(w)));
    return act >= 0 && words.length > 1 && words.every((w, i) => i === act || named.has(w));
  });
  if (composite) return { value: composite, source: "data", text: `${c.text.name} → the data's state ${composite}` };
  // "Delete (cancel) an event.": the act said again in brackets, as a state the data shows (a
  // record kept as cancelled, not taken out).
  for (const [, word] of (c.text.sentences[0] ?? "").matchAll(/\(([a-z]+)\)/g)) {
    const w = word as string;
    const said = status.values.find((v) => [participle(w), `${w}ed`, `${w}d`].includes(v.toLowerCase()));
    if (said && w !== verb) return { value: said, source: "description", text: `${c.text.sentences[0]} → ${said}` };
  }
  if (NOT_STATUS_VERBS.has(c.text.verb)) return null;
  const byParticiple = status.values.find((v) => [participle(verb), `${verb}ed`, `${verb}d`].includes(v.toLowerCase()));
  if (byParticiple) return { value: byParticiple, source: "name", text: `${verb} → ${byParticiple}` };
  // A state word made of the verb, as a participle (`cancel` → `canceled`), not a noun (`approve` ↛ `pending_approval`).
  const byStem = status.values.find((v) =>
    nameWords(v).some((w) => w === verb || (w.startsWith(verb.replace(/e$/, "")) && /(ed|en|d)$/.test(w))),
  );
  if (byStem) return { value: byStem, source: "data", text: `${verb} → the data's state ${byStem}` };
  // A status verb whose state the sample never shows (no record cancelled yet): its participle,
  // written as the data writes its states.
  const state = VERBS.status.has(verb) ? participle(verb) : "";
  if (state && state !== verb && !status.values.some((v) => v.toLowerCase() === state)) {
    const value = spelt(state, status.values);
    return { value, source: "name", text: `${verb} → ${value} (a state the data's records do not show yet)` };
  }
  return null;
}

/** The state a verb's act leads to among the data's states: its participle, or the verb itself (`schedule`). */
function stateOf(verb: string, values: readonly string[]): string | undefined {
  const forms = [verb, participle(verb), `${verb}ed`, `${verb}d`];
  return values.find((v) => forms.includes(v.toLowerCase()));
}

/**
 * The state an un-verb undoes (`unschedule`: schedule, `unpublish`: published), when the verb names
 * none of its own (`unsubscribe` leads to unsubscribed).
 */
export function undoneState(verb: string, values: readonly string[]): string | undefined {
  const inner = /^un([a-z]{4,})$/.exec(verb)?.[1];
  if (!inner || stateOf(verb, values)) return undefined;
  return stateOf(inner, values);
}

/** A state written as the data writes its states: `CANCELED`, `Cancelled`, `cancelled`. */
export function spelt(value: string, values: readonly string[]): string {
  if (values.length > 0 && values.every((v) => v === v.toUpperCase() && /[A-Z]/.test(v))) return value.toUpperCase().replaceAll(" ", "_");
  if (values.length > 0 && values.every((v) => /^[A-Z][a-z]/.test(v))) return value.charAt(0).toUpperCase() + value.slice(1);
  return value;
}

const EDITS = ["change", "changed", "modify", "modified", "edit", "edited", "update", "updated", "amend", "amended"];
const NEGATIVE = /\b(cannot|can ?not|can't|may not|must not|never|not allowed|are refused|is refused|fails?|rejected|is an error)\b/;
const TRANSITION = /\b(becomes?|set (?:back )?to|changes? to|moves? to|is marked|turns|goes to)\b/;

/**
 * The states a text allows the tool's record to be in (one `status-in` requirement of its source):
 * the ones it refuses ("closed tickets cannot be updated"), or the ones it limits the tool to ("a
 * pending order", "only while it is waiting"). `own`: only clauses that speak of the tool's own
 * action (a policy's sentence may speak of other tools too).
 */
export function statusRequirement(
  c: RuleContext,
  sentences: readonly string[],
  source: RuleSource,
  to: string | null,
  options: { own: boolean; summary?: string } = { own: false },
): void {
  const status = c.target?.status;
  if (!status || c.subject.kind !== "change") return;
  const values = status.values;
  const entity = c.target?.entity ?? "";
  const verb = c.text.verb;
  // The verb as a description says it ("ships", "receives") and its participles.
  const forms = [...new Set([verb, `${verb}s`, `${verb}es`, participle(verb), `${verb}ed`, `${verb}d`, ...EDITS])].join("|");
  const ownAction = new RegExp(`\\b(${forms})\\b`);
  const allowed = new Set<string>();
  const refused = new Set<string>();
  const said: string[] = [];
  for (const sentence of sentences) {
    // "a paid invoice may be refunded, never an open one": each side of a "never/not/but" turn is read on its own.
    for (const clause of sentence.split(/;|:\s|,\s*(?:but\s+)?(?=(?:never|not|no|but)\b)/)) {
      // A change the text describes ("when X, its status becomes Y") is no precondition.
      if (TRANSITION.test(clause) || /^\s*(if|when|whenever)\b/.test(clause)) continue;
      const all = statusesIn(clause, values);
      // "only solved tickets can be closed": a condition on the state a parameter sets, not on every call.
      const settable = settableState(c, clause, all);
      if (settable) {
        conditional(c, clause, all, settable, source);
        continue;
      }
      // The state the tool leads to is no precondition, unless refused ("already canceled transfers are
      // refused") or named beside others ("book onto a new or concept order", and it becomes concept).
      const listed = to !== null && qualifyingStatuses(clause, all, entity).length > 1;
      const mentioned = NEGATIVE.test(clause) || listed ? all : all.filter((v) => v !== to);
      if (mentioned.length === 0) continue;
      // The tool's own verb, not a state that qualifies a record ("a reserved order cannot get extra items").
      const acts = ownAction.test(
        clause.replace(new RegExp(`\\b(${all.map((v) => v.toLowerCase()).join("|") || "-"})\\s+(${entity}s?|ones?)\\b`, "g"), ""),
      );
      if (options.own && !acts) continue;
      // Qualify with every state named ("a new or concept order"), then leave out the one it leads to.
      const qualified = qualifyingStatuses(clause, all, entity).filter((v) => mentioned.includes(v));
      // A clause that opens with the tool's own verb says what it does; a "never" in its relative clause
      // describes the record ("voids an open invoice that should never have been issued").
      const opens = new RegExp(`^\\s*(${forms})\\b`).test(clause.toLowerCase());
      // "a subscription that is not canceled", "one not yet shipped": the record is in any state but those.
      const negated = all.filter((v) =>
        new RegExp(`\\b(?:not|isn't|aren't)\\s+(?:yet\\s+|already\\s+|been\\s+)?${v.toLowerCase().replaceAll("_", "[_ ]")}\\b`).test(
          clause.toLowerCase(),
        ),
      );
      if (negated.length > 0 && !NEGATIVE.test(clause)) {
        for (const v of negated) refused.add(v);
        said.push(clause.trim());
      } else if (NEGATIVE.test(opens ? clause.replace(/\b(that|which|who)\b.*$/, "") : clause)) {
        // A state named nowhere near the record ("cannot get new items") refuses nothing.
        const head = entity.split(" ").at(-1) ?? entity;
        const refusing =
          qualified.length > 0 ? qualified : mentioned.length === 1 && new RegExp(`\\b(${head}|it)\\b`).test(clause) ? mentioned : [];
        if (refusing.length === 0) continue;
        for (const v of refusing) refused.add(v);
        said.push(clause.trim());
      } else if (
        qualified.length > 0 &&
        (acts || limits(clause, qualified) || clause === options.summary) &&
        // A policy's permission ("confirmed reservations may change their dates") limits nothing by itself.
        !(source === "policy" && /\b(may|can)\b/.test(clause) && !/\b(only|must|needs?|required)\b/.test(clause))
      ) {
        for (const v of qualified) allowed.add(v);
        said.push(clause.trim());
      }
    }
  }
  if (allowed.size === 0 && refused.size === 0) return;
  const final = (allowed.size > 0 ? [...allowed] : values).filter((v) => !refused.has(v));
  if (final.length === 0 || final.length === values.length) return;
  c.require(
    { kind: "status-in", place: here([status.field]), values: [...final].sort() },
    source,
    `only ${/^[aeiou]/i.test(entity) ? "an" : "a"} ${entity} that is ${final.join(" or ")} (${said.join("; ")})`,
  );
}

/**
 * Whether a clause limits the tool to the states it names: "only a pending order", "only while it is
 * open", "applies to requested ones"; not "a solved ticket accepts only a status" (the record is the
 * subject, what follows "only" is something else).
 */
function limits(clause: string, qualified: readonly string[]): boolean {
  const text = clause.toLowerCase();
  if (/\b(while|applies)\b/.test(text)) return true;
  const only = text.search(/\bonly\b/);
  if (only < 0) return false;
  const first = Math.min(...qualified.map((v) => text.search(new RegExp(v.toLowerCase().replaceAll("_", "[_ ]")))).filter((i) => i >= 0));
  return only < first;
}

/**
 * The state a clause says the record "can be" put in ("only solved tickets can be closed"), when a
 * parameter of the tool sets the status to it: the clause limits the calls that set it.
 */
function settableState(c: RuleContext, clause: string, all: readonly string[]): { parameter: string; values: string[] } | null {
  const text = clause.toLowerCase();
  // "… can be closed", or '"approved" and "denied" apply only to …' (the states the call sets come first).
  const named =
    /\b(?:can|may|must)\s+(?:only\s+)?be\s+([a-z_]+)/.exec(text)?.[1] ??
    /^(.*?)\s+(?:apply|applies|are allowed|is allowed)\s+only\b/.exec(text)?.[1];
  if (!named) return null;
  const states = all.filter((v) => statusesIn(named, [v]).length > 0);
  for (const p of c.text.parameters) {
    const values = (p.enum ?? []).map(String).filter((e) => states.some((v) => v.toLowerCase() === e.toLowerCase()));
    if (values.length > 0) return { parameter: p.name, values };
  }
  return null;
}

/** The states a record must be in when a call sets it to one of `settable.values`. */
function conditional(
  c: RuleContext,
  clause: string,
  all: readonly string[],
  settable: { parameter: string; values: string[] },
  source: RuleSource,
): void {
  const status = c.target?.status;
  if (!status) return;
  const from = qualifyingStatuses(clause, all, c.target?.entity ?? "").filter((v) => !settable.values.includes(v));
  if (from.length === 0) return;
  c.requireWhen(
    { kind: "status-in", place: here([status.field]), values: [...from].sort() },
    [{ left: { kind: "parameter", name: settable.parameter }, op: "in", right: { kind: "constant", value: settable.values } }],
    source,
    `a ${c.target?.entity} is ${settable.values.join(" or ")} only from ${from.join(" or ")} (${clause.trim()})`,
  );
}

/** A verb of making right before a phrase ("place", "creates"): what follows is a record it makes. */
const MAKING = /\b(?:place|create|make|submit|open|book|issue|start|raise|file|add|enter)(?:s|es)?\s+$/;

/** The statuses a clause puts right before the entity ("a paid invoice", "closed tickets") or after "while it is", "that are". */
export function qualifyingStatuses(clause: string, mentioned: readonly string[], entity: string): string[] {
  if (mentioned.length === 0) return [];
  const alternatives = mentioned.map((v) => v.toLowerCase().replaceAll("_", "[_ ]")).join("|");
  const list = `["“'\`]?((?:${alternatives})["”'\`]?(?:\\s*(?:,|or|and|/)\\s*["“'\`]?(?:${alternatives})["”'\`]?)*)`;
  // "a draft transfer" qualifies an inventory transfer: the entity's head noun stands for it.
  const head = entity.split(" ").at(-1) ?? entity;
  const noun = `(?:${entity}s?|${head}s?|ones?)`;
  const adverb = "(?:still\\s+|already\\s+|currently\\s+)?";
  const patterns = [
    // ("no stopped order" speaks of another record than the one the tool acts on.)
    new RegExp(`(?:^|[(,]\\s*|\\b(?:an?|the|only|any|of|for|on|onto|to)\\s+)${adverb}${list}\\s+${noun}\\b`, "g"),
    new RegExp(
      `\\b(?:while|when|if|as long as|unless)\\s+(?:it|the ${entity}|the ${head})\\s+(?:is|has been)\\s+${adverb}(?:in\\s+(?:status\\s+|the\\s+)?)?${list}`,
      "g",
    ),
    new RegExp(`\\b${noun}\\s+(?:that|which)\\s+(?:is|are|has been|have been)\\s+${adverb}(?:in\\s+status\\s+)?${list}`, "g"),
    new RegExp(`\\b(?:in|with)\\s+(?:the\\s+)?(?:status|state)\\s+${list}`, "g"),
    // A list of requirements: 'Requirements: status "reserved"; …'.
    new RegExp(`^\\s*(?:the\\s+(?:${entity}|${head})'s\\s+)?status\\s+(?:is\\s+|must be\\s+)?${list}\\s*\\.?$`, "g"),
    // A transition written as an arrow: "status draft -> ready_to_ship" starts from draft.
    new RegExp(`${list}\\s*(?:->|→)`, "g"),
  ];
  const found = new Set<string>();
  const text = clause.toLowerCase();
  for (const pattern of patterns)
    for (const match of text.matchAll(pattern)) {
      // "cancel it and place a new one": the state of a record the clause makes, not of the one the tool acts on.
      if (MAKING.test(text.slice(0, match.index))) continue;
      for (const v of statusesIn(match[1] ?? "", mentioned)) found.add(v);
    }
  return [...found];
}
