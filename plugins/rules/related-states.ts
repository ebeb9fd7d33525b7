// What a call does to records its record refers to, or that refer to it, in state words: "the unit
// becomes occupied", "the guest's old unit becomes empty and Dirty and the new one occupied", "its
// unit is released", "its folios are closed". A state word is a value of one of the related
// record's fields (`condition` Dirty) or a yes/no field it names (`isOccupied`), or its opposite
// ("empty": not occupied). Descriptions of real services say this of rooms, seats, vehicles and
// bills alike; the record's own status is the status passes' to read, not this module's.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, Hop, Place, Requirement, RuleSource, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { leaves, nameWords, reachable } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import type { RuleContext } from "./context.ts";
import { isRequirementList } from "./requirement-lists.ts";
import { kindScope } from "./state-scope.ts";
import { spelt } from "./statuses.ts";

/** Words that say the opposite of a yes/no field's name ("empty" of `isOccupied`). */
const OPPOSITES: Record<string, readonly string[]> = {
  occupied: ["empty", "vacant", "free", "unoccupied"],
  available: ["unavailable", "taken", "booked", "reserved"],
  active: ["inactive"],
  enabled: ["disabled"],
  open: ["closed"],
  locked: ["unlocked"],
  assigned: ["unassigned"],
  visible: ["hidden"],
  online: ["offline"],
  blocked: ["unblocked"],
};

/** Verbs that say a record the tool's record holds lets go of it: the reference is cleared. */
const RELEASED = /^(released|unassigned|freed|detached|removed)$/;

const VERB = "(?:becomes?|is|are|will be|turns|goes|gets)";
const WORDS = String.raw`((?:not\s+)?[a-z_-]+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+)(?:not\s+)?[a-z_-]+)*)`;

/** Words that make the state after them a condition of the call ("while the event is live"). */
const CONDITION_BEFORE = /\b(?:while|whilst|as long as|only if|provided|if|unless|when|until)\s*$/;

interface StateSet {
  path: string[];
  value: unknown;
}

/** Effects on related records that the description states in state words. */
export function relatedStates(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  const reached = reachable(c.tables, target, 1).slice(1);
  for (const { written, source } of c.sentences("description")) {
    const sentence = written.replace(/`/g, "").toLowerCase();
    const when = stateCondition(target, sentence);
    for (const { table, hops } of reached) {
      referredStates(c, { table, hops: hops as Hop[] }, sentence, source, when);
      referredRequirements(c, { table, hops: hops as Hop[] }, sentence, source, when);
    }
    owningStates(c, target, sentence, source, when);
  }
  for (const { table, hops } of reached) assignedReference(c, { table, hops: hops as Hop[] });
}

/**
 * What the related record must be for the call to go through: "with a unit assigned that is Clean
 * and not occupied" (the one the record holds, which it must hold), "the new unit must be Clean and
 * empty" (the one the call names).
 */
function referredRequirements(
  c: RuleContext,
  { table, hops }: { table: Table; hops: Hop[] },
  sentence: string,
  source: RuleSource,
  when: Condition[],
): void {
  const entity = table.entity;
  const holder = referenceHolder(hops);
  const require = (place: (path: string[]) => Place, words: string, text: string, held: boolean) => {
    const sets = statesOf(c, table, stateWords(words));
    if (sets.length === 0) return;
    // A state word is a state the record must be in (which also needs the reference held); a yes/no, a condition on it.
    const rules: Requirement[] = sets.map((s) =>
      typeof s.value === "string"
        ? { kind: "status-in", place: place(s.path), values: [s.value] }
        : {
            kind: "compare",
            condition: { left: { kind: "read", place: place(s.path) }, op: "==", right: { kind: "constant", value: s.value } },
          },
    );
    if (held && !rules.some((r) => r.kind === "status-in"))
      rules.unshift({ kind: "compare", condition: { left: { kind: "read", place: { hops: [], path: holder } }, op: "given" } });
    for (const rule of rules)
      if (when.length > 0) c.requireWhen(rule, when, source, text);
      else c.require(rule, source, text);
  };
  const held = new RegExp(
    String.raw`\bwith\s+(?:an?|its|the)\s+${entity}\s+(?:assigned|attached|allocated)\s+(?:that|which)\s+is\s+${WORDS}`,
  ).exec(sentence);
  if (held) require((path) => ({ hops, path }), held[1] as string, held[0], true);
  // "Only for an active attendee of a live event": the record it belongs to must be in that state.
  const own = c.target?.entity;
  const of = own
    ? new RegExp(String.raw`\bonly\s+(?:for|on|to)\b[^.;]*?\b${own}\s+of\s+an?\s+([a-z_-]+)\s+${entity}\b`).exec(sentence)
    : null;
  if (of) require((path) => ({ hops, path }), of[1] as string, of[0], false);
  const named = new RegExp(String.raw`\bthe\s+new\s+${entity}\s+must\s+be\s+${WORDS}`).exec(sentence);
  const param = named ? namingParameter(c, table) : null;
  if (named && param) require((path) => newPlace(table, param, path), named[1] as string, named[0], false);
}

/** The field that holds the reference of the first hop: a struct (`unit: {id, name}`) or the key itself (`unit_id`). */
function referenceHolder(hops: readonly Hop[]): string[] {
  const reference = (hops[0] as Hop).field.split(".");
  return reference.length > 1 ? reference.slice(0, 1) : reference;
}

/** "For an InHouse reservation …": the sentence holds only for a record in that state. */
function stateCondition(target: Table, sentence: string): Condition[] {
  const status = target.status;
  if (!status) return [];
  const m = new RegExp(String.raw`^(?:for|on|with)\s+an?\s+([a-z_-]+)\s+${target.entity}\b`).exec(sentence);
  const value = m ? status.values.find((v) => v.toLowerCase() === m[1]) : undefined;
  return value ? [{ left: { kind: "read", place: { hops: [], path: [status.field] } }, op: "==", right: { kind: "constant", value } }] : [];
}

/** The record the target refers to (the unit of a reservation): old, new, or the one it holds. */
function referredStates(
  c: RuleContext,
  { table, hops }: { table: Table; hops: Hop[] },
  sentence: string,
  source: RuleSource,
  when: Condition[],
): void {
  const entity = table.entity;
  const holder = referenceHolder(hops);
  const held: Condition = { left: { kind: "read", place: { hops: [], path: holder } }, op: "given" };
  const pattern = new RegExp(
    String.raw`\b(?:the|its)\s+(?:[a-z]+'s\s+)?(?:(old|new|previous|former|current)\s+)?${entity}\s+${VERB}\s+${WORDS}`,
    "g",
  );
  for (const m of sentence.matchAll(pattern)) {
    // "approve (… while the event is live)": a state the call finds the record in, not one it sets.
    if (CONDITION_BEFORE.test(sentence.slice(0, m.index ?? 0))) continue;
    const which = m[1] === "new" ? "new" : "held";
    const words = stateWords(m[2] as string);
    if (which === "held" && words.length === 1 && RELEASED.test(words[0] as string)) {
      if (!releasable(c, holder)) continue;
      c.effect({ kind: "set", place: { hops: [], path: holder }, value: { kind: "constant", value: null } }, source, m[0], when);
      continue;
    }
    const sets = statesOf(c, table, words);
    if (sets.length === 0) continue;
    // "Requirements: …; the customer is not archived": a state the record must already be in, not one it is put in.
    if (isRequirementList(sentence)) {
      if (which === "held")
        for (const s of sets)
          c.require(
            {
              kind: "compare",
              condition: { left: { kind: "read", place: { hops, path: s.path } }, op: "==", right: { kind: "constant", value: s.value } },
            },
            source,
            m[0],
          );
      continue;
    }
    const named = which === "new" ? namingParameter(c, table) : null;
    if (which === "new" && !named) continue;
    const changes = (place: (path: string[]) => Place, extra: Condition[]) => {
      for (const s of sets)
        c.effect({ kind: "set", place: place(s.path), value: { kind: "constant", value: s.value } }, source, m[0], [...when, ...extra]);
    };
    if (which === "new") changes((path) => newPlace(table, named as string, path), []);
    else changes((path) => ({ hops, path }), [held]);
    // "… becomes empty and Dirty and the new one occupied": the record the call now names.
    const rest = sentence.slice((m.index ?? 0) + m[0].length - (m[2] as string).length);
    const next = new RegExp(String.raw`\band\s+the\s+new\s+(?:one|${entity})\s+(?:${VERB}\s+)?${WORDS}`).exec(rest);
    const param = next ? namingParameter(c, table) : null;
    if (next && param) {
      assignReference(c, table, hops, param, source, sentence);
      for (const s of statesOf(c, table, stateWords(next[1] as string)))
        c.effect(
          { kind: "set", place: newPlace(table, param, s.path), value: { kind: "constant", value: s.value } },
          source,
          next[0],
          when,
        );
    }
  }
}

/** "Assigns a unit to a reservation": the reference now names the record the call gives (after what befalls the old one). */
function assignedReference(c: RuleContext, { table, hops }: { table: Table; hops: Hop[] }): void {
  const first = c.sentences("description")[0]?.written.toLowerCase() ?? "";
  const assigned = new RegExp(String.raw`^(?:assigns?|allocates?|attaches|links?)\s+(?:an?|the)\s+${table.entity}\b`).test(first);
  const param = assigned ? namingParameter(c, table) : null;
  if (param) assignReference(c, table, hops, param, "description", first);
}

/** The place of a field of the record of `table` a parameter names. */
function newPlace(table: Table, parameter: string, path: string[]): Place {
  return { hops: [], root: { table: table.name, key: { kind: "parameter", name: parameter } }, path };
}

/** The parameter that names a record of `table` (its key). */
function namingParameter(c: RuleContext, table: Table): string | null {
  const required = c.requires.find((r) => r.rule.kind === "record-exists" && r.rule.table === table.name);
  if (required && required.rule.kind === "record-exists") return required.rule.parameter;
  return null;
}

/**
 * The target's reference set to the record a parameter names: the key itself, or a struct of it
 * and the fields the record shares with it (`{id, name}` of a unit).
 */
function assignReference(c: RuleContext, table: Table, hops: Hop[], parameter: string, source: RuleSource, text: string): void {
  const target = c.target as Table;
  const reference = (hops[0] as Hop).field.split(".");
  const key: ValueExpr = { kind: "parameter", name: parameter };
  if (reference.length === 1) {
    c.effect({ kind: "set", place: { hops: [], path: reference }, value: key }, source, text);
    return;
  }
  const struct = target.fields.find((f) => f.name === reference[0]);
  if (!struct?.fields || reference.length !== 2) return;
  const fields: Record<string, ValueExpr> = {};
  for (const f of struct.fields) {
    if (f.name === reference[1]) fields[f.name] = key;
    else if (table.fields.some((t) => t.name === f.name)) fields[f.name] = { kind: "lookup", table: table.name, key, path: [f.name] };
  }
  c.effect({ kind: "set", place: { hops: [], path: [struct.name] }, value: { kind: "object", fields } }, source, text);
}

/** Whether the data shows records without the reference (null): clearing it is a state they have. */
function releasable(c: RuleContext, holder: string[]): boolean {
  return c.records().some((r) => valueIn(r, holder) === null);
}

/** "its folios are closed": the records of another table that refer to the target. */
function owningStates(c: RuleContext, target: Table, sentence: string, source: RuleSource, when: Condition[]): void {
  for (const table of c.tables.values()) {
    if (table === target) continue;
    const link = table.fields.find((f) => f.references === target.name);
    if (!link) continue;
    // Its plural as the table names it (`entries`), or the entity with an s.
    const plural = `(?:${nameWords(table.name).join(" ")}|${table.entity}s)`;
    const m = new RegExp(String.raw`\b(?:its|the\s+[a-z]+'s|all\s+(?:its|the))\s+${plural}\s+${VERB}\s+${WORDS}`).exec(sentence);
    if (!m) continue;
    const sets = statesOf(c, table, stateWords(m[1] as string));
    if (sets.length === 0 || sets.some((s) => s.path.length !== 1)) continue;
    const set = Object.fromEntries(sets.map((s) => [s.path[0] as string, { kind: "constant", value: s.value } as ValueExpr]));
    c.effect({ kind: "set-each", place: { hops: [], path: [] }, of: { table: table.name, field: link.name }, set }, source, m[0], when);
  }
  keptEntries(c, target, sentence, source, when);
}

/**
 * "its PAYOUT entry becomes void": the record of a kind (a value of one of its fixed-list fields)
 * that refers to the tool's record takes the state, a status word the data may not show yet, as
 * the data spells its states. Under the kind of the tool's record the clause opens on ("a canceled
 * OUTGOING transfer … and its TRANS activity becomes canceled": outgoing ones only).
 */
function keptEntries(c: RuleContext, target: Table, sentence: string, source: RuleSource, when: Condition[]): void {
  for (const table of c.tables.values()) {
    if (table === target || !table.status) continue;
    const link = table.fields.find((f) => f.references === target.name);
    if (!link) continue;
    const entity = table.entity.replaceAll("_", " ");
    const m = new RegExp(String.raw`\bits\s+([a-z_]+)\s+${entity}\s+${VERB}\s+([a-z_]+)\b`).exec(sentence);
    if (!m) continue;
    const kind = table.fields.flatMap((f) =>
      f.type === "string" && f.name !== table.status?.field && (f.enum?.length ?? 0) >= 2
        ? (f.enum ?? []).filter((v) => String(v).toLowerCase() === m[1]).map((v) => ({ field: f.name, value: v }))
        : [],
    );
    if (kind.length !== 1) continue;
    const word = m[2] as string;
    const value = table.status.values.find((v) => v.toLowerCase() === word) ?? spelt(word, table.status.values);
    const only = kind[0] as { field: string; value: string | number };
    const clause = sentence.split(/;\s*/).find((part) => part.includes(m[0])) ?? sentence;
    const scoped = kindScope(c, clause.trim())?.when ?? [];
    c.effect(
      {
        kind: "set-each",
        place: { hops: [], path: [] },
        of: { table: table.name, field: link.name },
        set: { [table.status.field]: { kind: "constant", value } },
        only: { field: only.field, op: "in", values: [only.value] },
      },
      source,
      m[0],
      [...when, ...scoped],
    );
  }
}

/** The words of a list of states, up to the first that is not one ("empty and dirty and the new one" → empty, dirty). */
function stateWords(list: string): string[] {
  const out: string[] = [];
  for (const part of list.split(/\s*,\s*|\s+and\s+|\s+or\s+/)) {
    if (/^(the|a|an|its|their|these|those|and|or|with|to|by|from|for|on|in|at)$/.test(part.split(/\s+/)[0] as string)) break;
    out.push(part.trim());
  }
  return out;
}

/** What each state word sets on a record of `table`; none when a word is not one of its states. */
function statesOf(c: RuleContext, table: Table, words: readonly string[]): StateSet[] {
  const out: StateSet[] = [];
  for (const word of words) {
    const s = stateOf(c, table, word);
    if (!s) return [];
    out.push(s);
  }
  return out;
}

function stateOf(c: RuleContext, table: Table, word: string): StateSet | null {
  const negated = /^not\s+/.test(word);
  const bare = word.replace(/^not\s+/, "");
  const all = leaves(table.fields);
  for (const { path, field } of all) {
    if (field.type !== "boolean") continue;
    const name = nameWords(path.at(-1) as string).filter((w) => !/^(is|has|was)$/.test(w));
    if (name.length !== 1) continue;
    const yes = name[0] as string;
    const opposite = OPPOSITES[yes]?.includes(bare) || bare === `un${yes}` || bare === `in${yes}` || bare === `dis${yes}`;
    if (bare === yes || opposite) return { path, value: (bare === yes) !== negated };
  }
  if (negated) return null;
  const holders = all.filter(
    ({ path, field }) =>
      field.type === "string" && !field.references && valuesAt(c, table, path, field).some((v) => v.toLowerCase() === bare),
  );
  const chosen = holders.find(({ path }) => /(status|state|condition)$/i.test(path.at(-1) as string)) ?? holders[0];
  if (!chosen) return null;
  const value = valuesAt(c, table, chosen.path, chosen.field).find((v) => v.toLowerCase() === bare);
  return { path: chosen.path, value };
}

/** The values a string field holds: its enum and what the data's records hold. */
function valuesAt(c: RuleContext, table: Table, path: readonly string[], field: Field): string[] {
  const seen = new Set((field.enum ?? []).map(String));
  for (const r of c.records(table)) {
    const v = valueIn(r, path);
    if (typeof v === "string") seen.add(v);
  }
  return [...seen];
}
