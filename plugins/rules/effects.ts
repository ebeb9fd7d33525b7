// What a service tool changes: the state its record moves to (its description "the status becomes
// 'returned'", else its verb against the data's own statuses), the fields that move with it (the
// data's records in that state hold them and the others do not: `cancel_reason` ← reason), related
// records ("the item becomes available"), dates that move ("14 days later"), money (a charge drawn
// from a payment method's balance and recorded, a refund mirrored and credited back), and the
// fields its parameters set.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { arrays, fieldAt, leaves, nameWords, overlap, reachable } from "../../lib/data-pack/places.ts";
import { participle, VERBS } from "../../lib/domain-model/lexicon.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { clausesOf, readClause } from "./clauses.ts";
import { heldAt, here, nowFor, type RuleContext } from "./context.ts";
import { statusesIn } from "./requirements.ts";
import { changeSlots, slotPool } from "./slots.ts";

const BECOMES =
  /\b(?:status\s+)?(?:becomes?|is changed to|changes to|changed to|is set to|will be set to|moves? to|is marked(?: as)?|will be changed to)\s+['"‘“]?([a-z][a-z _()-]*?)['"’”]?(?:[.,;]|\s+and\b|\s+if\b|$)/;
const NOT_STATUS_VERBS = new Set("update modify change edit set renew pay reschedule rename adjust replace move".split(" "));

/** The state the tool leaves its record in, or null. */
export function targetStatus(c: RuleContext): { value: string; source: "description" | "name" | "data"; text: string } | null {
  const status = c.target?.status;
  if (!status || c.subject.kind !== "change") return null;
  // enable_roaming turns a flag on; the record's own status stays.
  if (toggleOf(c)) return null;
  const entity = c.target?.entity ?? "";
  for (const { sentence, source } of c.sentences()) {
    if (source !== "description") continue;
    const match = BECOMES.exec(sentence);
    if (!match) continue;
    const before = sentence.slice(0, match.index);
    // "the item becomes available" speaks of another record.
    const subjectWords = before.split(/\s+/).slice(-3).join(" ");
    if (!subjectWords.includes(entity) && !subjectWords.includes("status") && !subjectWords.includes("it")) continue;
    const value = (match[1] as string).trim();
    const known = status.values.find((v) => v === value) ?? statusesIn(value, status.values)[0] ?? value;
    return { value: known, source: "description", text: sentence };
  }
  if (NOT_STATUS_VERBS.has(c.text.verb)) return null;
  const verb = c.text.verb;
  const byParticiple = status.values.find((v) => v === participle(verb) || v === `${verb}ed` || v === `${verb}d`);
  if (byParticiple) return { value: byParticiple, source: "name", text: `${verb} → ${byParticiple}` };
  const byStem = status.values.find((v) => nameWords(v).some((w) => w === verb || w.startsWith(verb.replace(/e$/, ""))));
  if (byStem) return { value: byStem, source: "data", text: `${verb} → the data's state ${byStem}` };
  // A status verb whose state the sample never shows (no record cancelled yet): its participle,
  // written as the data writes its states.
  const state = VERBS.status.has(verb) ? participle(verb) : "";
  if (state && state !== verb && !status.values.includes(state)) {
    const upper = status.values.every((v) => v === v.toUpperCase());
    const value = upper ? state.toUpperCase() : state;
    return { value, source: "name", text: `${verb} → ${value} (a state the data's records do not show yet)` };
  }
  return null;
}

export function deriveEffects(c: RuleContext, to: ReturnType<typeof targetStatus>, allowed: readonly string[] | null): void {
  const target = c.target;
  if (!target || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  if (c.subject.kind === "change") {
    const pool = slotPool(c, target);
    const slots = pool ? changeSlots(c, pool, to?.value ?? null, allowed) : null;
    slots?.before();
    if (to && target.status) {
      c.effect(
        { kind: "set", place: here([target.status.field]), value: { kind: "constant", value: to.value } },
        to.source,
        `the ${target.entity} becomes ${to.value} (${to.text})`,
      );
      transitionFields(c, target, to.value, allowed);
      transitionArrays(c, target, to.value, allowed);
      describedRefunds(c, target);
    }
    const toggle = toggleOf(c);
    if (toggle)
      c.effect(
        { kind: "set", place: toggle.place, value: { kind: "constant", value: toggle.value } },
        "name",
        `${c.text.name} turns ${toggle.place.path.join(".")} ${toggle.value ? "on" : "off"} (true/false in the data)`,
      );
    relatedStatuses(c);
    dateShifts(c);
    money(c);
    // What the description's and policy's own clauses say it changes, on any record they name.
    for (const clause of clausesOf(c.sentences())) readClause(c, clause);
    numbersSet(c);
    parameterFields(c);
    slots?.after();
  }
}

/** Fields the data's records in the new state hold and the others do not, set from parameters, today or now. */
function transitionFields(c: RuleContext, table: Table, to: string, allowed: readonly string[] | null): void {
  const field = table.status?.field as string;
  const rows = c.records(table);
  const after = rows.filter((r) => r[field] === to);
  const before = rows.filter((r) => r[field] !== to && (!allowed || allowed.includes(String(r[field]))));
  if (after.length === 0) return;
  const share = (set: Row[], name: string) =>
    set.length === 0 ? 0 : set.filter((r) => r[name] !== undefined && r[name] !== null).length / set.length;
  const taken = new Set<string>([c.subject.keyParameter ?? ""]);
  for (const f of table.fields) {
    if (f.name === field || f.name === table.key) continue;
    if (share(after, f.name) < 0.8 || share(before, f.name) > 0.2) continue;
    const param = c.parameterFor(f.name, taken);
    let value: ValueExpr | null = null;
    if (param) {
      value = { kind: "parameter", name: param.name };
      taken.add(param.name);
    } else if (f.format === "date") value = { kind: "today" };
    else if (f.format === "date-time") value = nowFor(f);
    if (value)
      c.effect(
        { kind: "set", place: here([f.name]), value },
        "data",
        `${table.entity}s that are ${to} in the data hold ${f.name}, the others do not: it is set from ${param ? param.name : value.kind}`,
      );
  }
}

/**
 * Arrays of entries that grow with the transition: kinds of entries only records in the new state
 * hold. An entry that mirrors an earlier one (a refund of each payment: the same amount and method)
 * is a mirror, with its amount credited back to a balance when the description says so; another is
 * an entry appended from the call (a replacement charge).
 */
function transitionArrays(c: RuleContext, table: Table, to: string, allowed: readonly string[] | null): void {
  const status = table.status?.field as string;
  const rows = c.records(table);
  const after = rows.filter((r) => r[status] === to);
  const before = rows.filter((r) => r[status] !== to && (!allowed || allowed.includes(String(r[status]))));
  for (const f of table.fields) {
    const elementFields = f.items?.fields;
    if (f.type !== "array" || !elementFields) continue;
    const kindField =
      elementFields.find((e) => e.enum && e.type === "string") ??
      elementFields.find((e) => e.type === "string" && /(^|_)(kind|type)$/.test(e.name));
    if (!kindField) {
      negatedMirror(c, table, f, elementFields, after, to);
      continue;
    }
    const kindsOf = (set: Row[]) =>
      new Set(set.flatMap((r) => ((r[f.name] as Row[] | undefined) ?? []).map((e) => String(e[kindField.name]))));
    const beforeKinds = kindsOf(before);
    const newKinds = [...kindsOf(after)].filter((k) => !beforeKinds.has(k));
    for (const kind of newKinds) {
      const amountField = elementFields.find((e) => e.type === "number" || e.type === "integer");
      const mirrored = amountField ? mirrorOf(after, f.name, kindField.name, kind, amountField.name) : null;
      if (mirrored) {
        // What a mirror entry does not copy from its twin: its kind, and dates it has its own of.
        const set: Record<string, ValueExpr> = { [kindField.name]: { kind: "constant", value: kind } };
        for (const e of elementFields) {
          if (e.format !== "date" && e.format !== "date-time") continue;
          if (differsFromTwin(after, f.name, kindField.name, kind, amountField?.name as string, e.name))
            set[e.name] = e.format === "date" ? { kind: "today" } : nowFor(e);
        }
        const methodField = elementFields.find((e) => /(method|source|account|card)/.test(e.name) && e.type === "string");
        const map = methodField ? c.mapFor(methodField.name) : null;
        const credits = c
          .sentences()
          .some(({ sentence }) => /\b(refund|credit|added back|returned to|added to)/.test(sentence) && /\bbalance\b/.test(sentence));
        const balance = map?.entryFields.find((e) => e.name === "balance" || /balance/.test(e.name));
        c.effect(
          {
            kind: "mirror",
            place: here([f.name]),
            match: { field: kindField.name, value: mirrored },
            set,
            ...(map && methodField && balance && credits
              ? {
                  credit: {
                    ...heldAt(map),
                    entryField: methodField.name,
                    amountField: amountField?.name as string,
                    balanceField: balance.name,
                  },
                }
              : {}),
          },
          "data",
          `every ${mirrored} entry of ${f.name} gets a ${kind} entry of the same amount (${table.entity}s that are ${to} in the data hold them)${map && credits ? `, credited back to the ${map.field.name.replaceAll("_", " ")} balance` : ""}`,
        );
      } else {
        const element = entryFromCall(c, elementFields, kindField.name, kind);
        if (element)
          c.effect(
            { kind: "append", place: here([f.name]), element },
            "data",
            `a ${kind} entry is appended to ${f.name} (${table.entity}s that are ${to} in the data hold one)`,
          );
      }
    }
  }
}

/** The kind of entry each `kind` entry copies (same amount in the same record), when they all do. */
function mirrorOf(rows: Row[], array: string, kindField: string, kind: string, amountField: string): string | null {
  const sources = new Map<string, number>();
  let count = 0;
  for (const row of rows) {
    const entries = (row[array] as Row[] | undefined) ?? [];
    for (const entry of entries.filter((e) => e[kindField] === kind)) {
      count += 1;
      const twin = entries.find((e) => e[kindField] !== kind && e[amountField] === entry[amountField]);
      if (!twin) return null;
      const k = String(twin[kindField]);
      sources.set(k, (sources.get(k) ?? 0) + 1);
    }
  }
  if (count === 0) return null;
  return [...sources].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** Whether `kind` entries hold another value of `field` than the entries they mirror. */
function differsFromTwin(rows: Row[], array: string, kindField: string, kind: string, amountField: string, field: string): boolean {
  for (const row of rows) {
    const entries = (row[array] as Row[] | undefined) ?? [];
    for (const entry of entries.filter((e) => e[kindField] === kind)) {
      const twin = entries.find((e) => e[kindField] !== kind && e[amountField] === entry[amountField]);
      if (twin && twin[field] !== entry[field]) return true;
    }
  }
  return false;
}

/** An entry made from the call: the amount charged, the method named, the kind, today's date. */
function entryFromCall(c: RuleContext, fields: readonly Field[], kindField: string, kind: string): Record<string, ValueExpr> | null {
  const element: Record<string, ValueExpr> = { [kindField]: { kind: "constant", value: kind } };
  const taken = new Set<string>([c.subject.keyParameter ?? ""]);
  for (const f of fields) {
    if (f.name === kindField) continue;
    const param = c.parameterFor(f.name, taken);
    if (param && param.type !== "array") {
      element[f.name] = { kind: "parameter", name: param.name };
      taken.add(param.name);
    } else if (f.type === "number" || f.type === "integer") {
      const amount = chargedAmount(c);
      if (amount) element[f.name] = amount;
    } else if (f.format === "date") element[f.name] = { kind: "today" };
    else if (f.format === "date-time") element[f.name] = nowFor(f);
  }
  return Object.keys(element).length > 1 ? element : null;
}

/**
 * What the call charges: an amount parameter, else the number the description says is charged
 * ("the book's replacement cost is charged", "deducted by the invoice total"), else, for a bill
 * settled "in full", the record's own total.
 */
export function chargedAmount(c: RuleContext): ValueExpr | null {
  const param = c.text.parameters.find(
    (p) => (p.type === "number" || p.type === "integer") && /(amount|price|cost|fee|sum|total)/.test(p.name),
  );
  if (param) return { kind: "parameter", name: param.name };
  const phrases: string[] = [];
  for (const { sentence } of c.sentences()) {
    for (const m of sentence.matchAll(/\b(?:the\s+)?([a-z' ]+?)\s+(?:is|are|will be)\s+(?:charged|billed|deducted|paid)\b/g))
      phrases.push(m[1] as string);
    for (const m of sentence.matchAll(
      /\b(?:charged|billed|deducted|debited|reduced|paid|settled)\s+(?:by|with|for|at)\s+(?:the\s+|its\s+)?([a-z' ]+?)(?:[.,;]|\s+to\b|$)/g,
    ))
      phrases.push(m[1] as string);
  }
  for (const phrase of phrases) {
    const place = c.numberNamed(phrase.replace(/'s\b/g, ""));
    if (place) return { kind: "read", place };
  }
  if (c.sentences().some(({ sentence }) => /\bin full\b/.test(sentence)) && c.target) {
    const total = c.target.fields.find(
      (f) => (f.type === "number" || f.type === "integer") && /^(total|amount|amount_due|balance_due|price|total_price)$/.test(f.name),
    );
    if (total) return { kind: "read", place: here([total.name]) };
  }
  return null;
}

/** "The item becomes available": a record the target names moves to one of its states. */
function relatedStatuses(c: RuleContext): void {
  const target = c.target as Table;
  for (const { table, hops } of reachable(c.tables, target).slice(1)) {
    if (!table.status) continue;
    const field = table.status.field;
    for (const { sentence, source } of c.sentences()) {
      if (source !== "description") continue;
      const pattern = new RegExp(
        `\\bthe ${table.entity}\\s+(?:becomes?|is|will be)\\s+(?:marked\\s+(?:as\\s+)?)?['"]?([a-z_ ]+?)['"]?(?:\\s+again)?(?:[.,;]|\\s+and\\b|$)`,
        "g",
      );
      for (const m of sentence.matchAll(pattern)) {
        const value = table.status.values.find((v) => v === m[1]?.trim()) ?? statusesIn(m[1] ?? "", table.status.values)[0];
        if (value) c.effect({ kind: "set", place: { hops, path: [field] }, value: { kind: "constant", value } }, source, sentence);
      }
    }
  }
}

/** "Its due date moves 14 days later": a date of the record shifts. */
function dateShifts(c: RuleContext): void {
  const target = c.target as Table;
  for (const { sentence, source } of c.sentences()) {
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
function money(c: RuleContext): void {
  const target = c.target as Table;
  const method = c.text.parameters.find((p) => p.type === "string" && c.mapFor(p.name));
  const amount = chargedAmount(c);
  for (const { sentence, source } of c.sentences()) {
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

/** An entry of a history array, from what the data's entries hold: the amount, the method, the usual kind, today. */
function recordedEntry(c: RuleContext, array: Field, owner: Table, place: Place, amount: ValueExpr): Record<string, ValueExpr> | null {
  const fields = array.items?.fields ?? [];
  const element: Record<string, ValueExpr> = {};
  const taken = new Set<string>([c.subject.keyParameter ?? ""]);
  const entries = c.records(owner).flatMap((r) => (valueIn(r, place.path) as Row[] | undefined) ?? []);
  for (const f of fields) {
    const param = c.parameterFor(f.name, taken);
    if (param && param.type !== "array") {
      element[f.name] = { kind: "parameter", name: param.name };
      taken.add(param.name);
    } else if (f.type === "number" || f.type === "integer") element[f.name] = amount;
    else if (f.format === "date") element[f.name] = { kind: "today" };
    else if (f.type === "string") {
      // A kind the data's entries all (or mostly) share: `fine_payment`, `replacement`.
      const values = entries.map((e) => e[f.name]).filter((v) => v !== undefined && v !== null);
      const distinct = new Set(values.map(String));
      const common = mostCommon(values.map(String));
      if (common !== undefined && (f.enum || distinct.size === 1)) element[f.name] = { kind: "constant", value: common };
    } else if (f.format === "date-time") element[f.name] = nowFor(f);
  }
  return Object.keys(element).length > 0 ? element : null;
}

/** Fields the parameters set: a whole struct from its parts (an address), else each field named. */
function parameterFields(c: RuleContext): void {
  const target = c.target as Table;
  // A key of another record the target refers to by a same-named field is what it now refers to
  // (change_line_plan: the line's plan_id becomes the given plan).
  for (const p of c.text.parameters) {
    const field = target.fields.find((f) => f.name === p.name && f.references && f.references !== target.name);
    if (!field || c.identifying.has(p.name) || c.writes(here([field.name]))) continue;
    c.effect(
      { kind: "set", place: here([field.name]), value: { kind: "parameter", name: p.name } },
      "schema",
      `the ${target.entity}'s ${field.name.replaceAll("_", " ")} becomes the given one`,
    );
  }
  const used = new Set<string>([...c.identifying]);
  // Slots read the parameters without storing them: a new date and time are still the record's.
  for (const r of [...c.requires, ...c.effects]) if (!r.rule.kind.startsWith("slot-")) for (const p of parametersOf(r.rule)) used.add(p);
  const free = c.text.parameters.filter((p) => !used.has(p.name) && !keyTable(p, [...c.tables.values()]));
  if (free.length === 0) return;
  // A struct whose parts the parameters are (street, city, zip → address).
  for (const field of target.fields) {
    if (field.type !== "object" || !field.fields) continue;
    const parts = field.fields.filter((f) => free.some((p) => p.name === f.name));
    if (parts.length >= 2 && parts.length >= field.fields.length - 1) {
      const fields: Record<string, ValueExpr> = {};
      for (const part of field.fields) {
        const param = free.find((p) => p.name === part.name);
        fields[part.name] = param ? { kind: "parameter", name: param.name } : { kind: "constant", value: "" };
        if (param) used.add(param.name);
      }
      c.effect(
        { kind: "set", place: here([field.name]), value: { kind: "object", fields } },
        "schema",
        `the ${field.name.replaceAll("_", " ")} is replaced by the given ${parts.map((p) => p.name).join(", ")}`,
      );
    }
  }
  for (const p of free) {
    if (used.has(p.name)) continue;
    const leaf =
      leaves(target.fields).find((l) => l.path.at(-1) === p.name) ??
      leaves(target.fields).find((l) => overlap(p.name, l.path.at(-1) as string) >= 1 && l.path.length === 1);
    const field = leaf ?? (target.fields.find((f) => f.name === p.name) ? { path: [p.name] } : null);
    if (!field || field.path[0] === target.key || field.path[0] === target.status?.field) continue;
    if (fieldAt(target, field.path)?.references) continue;
    used.add(p.name);
    c.effect(
      { kind: "set", place: here(field.path), value: { kind: "parameter", name: p.name } },
      "schema",
      `${field.path.join(".")} is set to ${p.name}`,
    );
  }
}

function parametersOf(rule: object): string[] {
  const out: string[] = [];
  const visit = (value: unknown) => {
    if (!value || typeof value !== "object") return;
    const v = value as Record<string, unknown>;
    if (v.kind === "parameter" && typeof v.name === "string") out.push(v.name);
    if (typeof v.parameter === "string") out.push(v.parameter);
    for (const item of Object.values(v)) visit(item);
  };
  visit(rule);
  return out;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** "the amount due becomes 0": a number of the record set to a constant. */
function numbersSet(c: RuleContext): void {
  for (const { sentence, source } of c.sentences()) {
    for (const match of sentence.matchAll(
      /\b(?:the\s+)?([a-z][a-z ]*?)\s+(?:becomes|is set to|goes to|drops to|is reset to)\s+(-?\d+(?:\.\d+)?)\b/g,
    )) {
      const place = c.numberNamed(match[1] as string);
      if (!place || place.hops.length > 0 || c.writes(place)) continue;
      c.effect({ kind: "set", place, value: { kind: "constant", value: Number(match[2]) } }, source, sentence);
    }
  }
}

const ON = new Set(["enable", "activate", "allow", "unmute", "unblock"]);
const OFF = new Set(["disable", "deactivate", "disallow", "mute", "block"]);

/**
 * A flag the tool turns on or off: `enable_roaming`, `turn_off_autopay`, `disable_data` — the
 * verb (or `turn`/`switch` with `on`/`off`) and a boolean field of the record named by the rest of
 * the name (`roaming_enabled`, `autopay`). Null when the name speaks of no such field.
 */
export function toggleOf(c: RuleContext): { place: Place; value: boolean } | null {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return null;
  const words = c.text.words;
  let on: boolean | null = ON.has(c.text.verb) ? true : OFF.has(c.text.verb) ? false : null;
  let rest = words.slice(1);
  if (on === null && ["turn", "switch", "toggle", "opt"].includes(c.text.verb) && ["on", "off", "in", "out"].includes(words[1] ?? "")) {
    on = words[1] === "on" || words[1] === "in";
    rest = words.slice(2);
  }
  if (on === null) return null;
  const entity = new Set(nameWords(target.entity.replaceAll(" ", "_")));
  const object = rest.filter((w) => !entity.has(w) && !["for", "the", "a", "of"].includes(w));
  if (object.length === 0) return null;
  const flags = leaves(target.fields).filter((l) => l.field.type === "boolean");
  const hit = flags.find((l) => object.every((w) => nameWords(l.path.at(-1) as string).includes(w)));
  if (!hit) return null;
  const negative = /(disabled|off|blocked|muted|paused)$/.test(hit.path.at(-1) as string);
  return { place: here(hit.path), value: negative ? !on : on };
}

/**
 * "The refund goes to the original payment method": every payment of the record mirrored by a
 * refund, when the data shows no refund to learn from. Only for a tool that is given no payment
 * method of its own (then the refund goes where the caller says, not back where it came from).
 */
function describedRefunds(c: RuleContext, target: Table): void {
  if (c.effects.some((r) => r.rule.kind === "mirror")) return;
  const said = c.sentences().find(({ sentence }) => /\brefund/.test(sentence) && /\boriginal\b/.test(sentence));
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
    const credits = c.sentences().some(({ sentence }) => /\b(refund|credit|added)/.test(sentence) && /\bbalance\b/.test(sentence));
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

/**
 * Entries with no kind, where records in the new state hold, for each positive amount, the same
 * entry with the amount negated (a refund of each payment, written as `-amount`): a mirror that
 * negates, credited back to a balance when the description says so.
 */
function negatedMirror(c: RuleContext, table: Table, f: Field, elements: readonly Field[], after: Row[], to: string): void {
  const amount = elements.find((e) => e.type === "number" || e.type === "integer");
  if (!amount || after.length === 0) return;
  const others = elements.filter((e) => e !== amount).map((e) => e.name);
  const mirrored = after.every((row) => {
    const entries = (row[f.name] as Row[] | undefined) ?? [];
    const negatives = entries.filter((e) => typeof e[amount.name] === "number" && (e[amount.name] as number) < 0);
    return (
      negatives.length > 0 &&
      negatives.every((n) =>
        entries.some((p) => p[amount.name] === -(n[amount.name] as number) && others.every((o) => p[o] === n[o] || !(o in n))),
      )
    );
  });
  if (!mirrored) return;
  const methodField = elements.find((e) => /(method|source|account|card|payment_id)/.test(e.name) && e.type === "string");
  const map = methodField ? c.mapFor(methodField.name) : null;
  const balance = map?.entryFields.find((e) => /balance/.test(e.name));
  const credits = c
    .sentences()
    .some(({ sentence }) => /\b(refund|credit|added back|returned to|added to)/.test(sentence) && /\bbalance\b/.test(sentence));
  c.effect(
    {
      kind: "mirror",
      place: here([f.name]),
      match: { field: amount.name, value: null },
      set: {},
      negate: amount.name,
      ...(map && methodField && balance && credits
        ? { credit: { ...heldAt(map), entryField: methodField.name, amountField: amount.name, balanceField: balance.name } }
        : {}),
    },
    "data",
    `every payment of ${f.name} gets its negation appended (${table.entity}s that are ${to} in the data hold them)`,
  );
}
