// Money moved between two records as a pair of ledger entries: "two Transactions are posted, first
// on the source account with amount `-amount`, then on the destination account with amount
// `+amount`" (or, shorter, "(source `-amount` first, then destination `+amount`)"), and "both
// accounts' current and available balances change by the amount". A book transfer, a journal entry,
// a stock move between two bins: each side is named by its role word (source, destination), which
// picks the field (or parameter) that holds that side's key; each entry gets the side and the signed
// amount, and each balance the sentence names moves by the same signed amount. An opening
// "without approval (`require_approval` false or omitted)" puts the pair under that condition.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, Effect, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { tableNamed } from "./clauses.ts";
import { nowFor, type RuleContext } from "./context.ts";
import { newKeyOf } from "./counters.ts";
import { sameValue } from "./creation.ts";

const POSTED = /\btwo\s+([a-z_ ]+?)\s+are\s+(?:posted|created|recorded|written|made|booked|inserted)\b/;
/** "first on the source account with amount `-amount`, then on the destination account with amount `+amount`" */
const LONG =
  /\bfirst\s+on\s+the\s+(\w+)\s+\w+\s+with\s+(?:amount\s+)?`?([-+]?)([a-z_]+)`?,?\s+then\s+on\s+the\s+(\w+)\s+\w+\s+with\s+(?:amount\s+)?`?([-+]?)([a-z_]+)`?/;
/** "(source `-amount` first, then destination `+amount`" */
const SHORT = /\b(\w+)\s+`?([-+])([a-z_]+)`?\s+first,?\s+then\s+(\w+)\s+`?([-+])([a-z_]+)`?/;
/** "without approval (`require_approval` false or omitted)": a flag the pair is under. */
const UNDER = /\(`?([a-z][a-z0-9_]*)`?\s+(false|true)(\s+or\s+omitted)?\)/;
/** "both accounts' current and available balances change by the amount" */
const BALANCES =
  /\bboth\s+\w+'?\s+((?:\w+\s*,\s*)*\w+(?:\s+and\s+\w+)?)\s+(balances?|totals?|counts?)\s+(?:change|move|are adjusted)\s+by\s+the\s+amount/;

export interface Side {
  /** The side's key: a parameter of the call, or a field of the tool's record. */
  key: ValueExpr;
  /** The field that holds it on the tool's record (for the balances reached from it). */
  field: string;
  sign: 1 | -1;
}

/** The two entries (and balance moves) a sentence states, for the tool's record or the one it creates. */
export function pairedPostings(c: RuleContext): void {
  const target = c.target;
  if (!target || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  const said = c.sentences("description");
  for (const [at, { sentence, source }] of said.entries()) {
    const posted = POSTED.exec(sentence);
    const sides = LONG.exec(sentence) ?? SHORT.exec(sentence);
    if (!posted || !sides) continue;
    const table = tableNamed(c, singular((posted[1] as string).split(" ").at(-1) as string));
    if (!table || table === target) continue;
    const amount = amountOf(c, sides[3] as string);
    const first = sideOf(c, sides[1] as string, sides[2] === "-" ? -1 : 1);
    const second = sideOf(c, sides[4] as string, sides[5] === "-" ? -1 : 1);
    if (!amount || !first || !second || first.field === second.field) continue;
    const when = flagCondition(c, sentence.slice(0, posted.index));
    // What another reading made of the same words (one entry, unsigned) gives way to the pair.
    for (let i = c.inserts.length - 1; i >= 0; i--) {
      const r = c.inserts[i];
      if (r?.rule.kind === "insert" && r.rule.table === table.name && r.text.toLowerCase() === sentence) c.inserts.splice(i, 1);
    }
    for (const side of [first, second]) {
      const fields = entryFields(c, table, side, amount);
      if (!fields) break;
      const rows = c.records(table);
      c.inserts.push({
        rule: { kind: "insert", table: table.name, key: newKeyOf(c.tables, c.data, table, rows), fields },
        source,
        text: sentence,
        ...(when.length > 0 ? { when } : {}),
      });
    }
    // The balances the pair moves, said with it or in the sentence after it.
    for (const next of [sentence, said[at + 1]?.sentence ?? ""]) if (balances(c, next, [first, second], amount, when, source)) break;
  }
}

/** The amount the entries carry: a parameter of that name, else the tool's record's field. */
export function amountOf(c: RuleContext, name: string): ValueExpr | null {
  if (c.parameter(name)) return { kind: "parameter", name };
  if (c.subject.kind === "change" && c.target?.fields.some((f) => f.name === name))
    return { kind: "read", place: { hops: [], path: [name] } };
  return null;
}

/**
 * A side by its role word: of the keys of one table (parameters, or fields of the tool's record),
 * the one whose name says the word, else the one whose name says no role (`account_id` is the
 * source when `destination_account_id` is the destination).
 */
export function sideOf(c: RuleContext, role: string, sign: 1 | -1): Side | null {
  const fields = (c.target?.fields ?? []).filter((f) => f.references && f.type === "string");
  const candidates: { name: string; key: ValueExpr; table: string }[] =
    c.subject.kind === "create"
      ? c.text.parameters.flatMap((p) => {
          const f = fields.find((g) => g.name === p.name);
          return f ? [{ name: p.name, key: { kind: "parameter", name: p.name } as ValueExpr, table: f.references as string }] : [];
        })
      : fields.map((f) => ({
          name: f.name,
          key: { kind: "read", place: { hops: [], path: [f.name] } } as ValueExpr,
          table: f.references as string,
        }));
  const said = candidates.find((k) => nameWords(k.name).includes(role));
  const plain = said ?? roleless(candidates, role) ?? (candidates.length === 1 ? candidates[0] : undefined);
  return plain ? { key: plain.key, field: plain.name, sign } : null;
}

/** The key with no role word of its own, among keys of a table another key names with a role. */
function roleless<T extends { name: string; table: string }>(candidates: readonly T[], role: string): T | undefined {
  for (const k of candidates) {
    const others = candidates.filter((o) => o !== k && o.table === k.table);
    const extra = others.find(
      (o) => nameWords(o.name).length > nameWords(k.name).length && nameWords(k.name).every((w) => nameWords(o.name).includes(w)),
    );
    if (extra && !nameWords(extra.name).includes(role)) return k;
  }
  return undefined;
}

/** "(`require_approval` false or omitted)" before the entries: the flag's condition. */
export function flagCondition(c: RuleContext, before: string): Condition[] {
  const m = UNDER.exec(before);
  const param = m ? c.parameter(m[1] as string) : undefined;
  if (!m || !param || param.type !== "boolean") return [];
  return m[2] === "false"
    ? [{ left: { kind: "parameter", name: param.name }, op: "!=", right: { kind: "constant", value: true } }]
    : [{ left: { kind: "parameter", name: param.name }, op: "==", right: { kind: "constant", value: true } }];
}

/** One entry: its side's key, the signed amount, the clock, values the call or the record share by name, the data's constants. */
export function entryFields(c: RuleContext, table: Table, side: Side, amount: ValueExpr): Record<string, ValueExpr> | null {
  const rows = c.records(table);
  const sideField = table.fields.find(
    (f) => f.references && f.references === c.target?.fields.find((g) => g.name === side.field)?.references,
  );
  const amountField = table.fields.find((f) => (f.type === "number" || f.type === "integer") && nameWords(f.name).includes("amount"));
  if (!sideField || !amountField) return null;
  const signed: ValueExpr = side.sign < 0 ? { kind: "arith", op: "-", left: { kind: "constant", value: 0 }, right: amount } : amount;
  const fields: Record<string, ValueExpr> = {};
  for (const f of table.fields) fields[f.name] = valueFor(c, table, f, rows) ?? { kind: "constant", value: null };
  fields[sideField.name] = side.key;
  fields[amountField.name] = signed;
  return fields;
}

function valueFor(c: RuleContext, table: Table, f: Field, rows: readonly Record<string, unknown>[]): ValueExpr | null {
  if (f.name === table.key) return { kind: "new-key" };
  if (f.format === "date-time" || /_at$/.test(f.name)) return nowFor(f);
  if (c.subject.kind === "create" && c.parameter(f.name) && c.parameter(f.name)?.type !== "array")
    return { kind: "parameter", name: f.name };
  if (c.target?.fields.some((g) => g.name === f.name && g.type === f.type))
    return { kind: "read", place: { hops: [], path: [f.name] }, ...(c.subject.kind === "create" ? {} : { after: true }) };
  const same = sameValue(rows.map((r) => r[f.name]));
  return same !== undefined ? { kind: "constant", value: same } : null;
}

/** "both accounts' current and available balances change by the amount": each named balance of each side moves by its signed amount. */
function balances(
  c: RuleContext,
  sentence: string,
  sides: readonly Side[],
  amount: ValueExpr,
  when: Condition[],
  source: Parameters<RuleContext["effect"]>[1],
): boolean {
  const m = BALANCES.exec(sentence);
  if (!m) return false;
  // An unsigned reading of the same words ("change by the amount": up on both) gives way to the signed pair.
  for (let i = c.effects.length - 1; i >= 0; i--) {
    const r = c.effects[i];
    if (r?.rule.kind === "add" && r.text.toLowerCase() === sentence) c.effects.splice(i, 1);
  }
  const words = (m[1] as string).split(/\s*,\s*|\s+and\s+/).map((w) => w.trim());
  const noun = singular(m[2] as string);
  for (const side of sides) {
    const holder = balanceHolder(c, side.field, words, noun);
    if (!holder) continue;
    for (const word of words) {
      const field = holder.fields.find(
        (f) => (f.type === "number" || f.type === "integer") && nameWords(f.name).join(" ") === `${word} ${noun}`,
      );
      if (!field) continue;
      const rule: Effect = {
        kind: "add",
        place: { hops: [{ field: side.field, table: holder.name }], path: [field.name] },
        amount,
        sign: side.sign,
      };
      c.effect(rule, source, sentence, when);
    }
  }
  return true;
}

/** The table whose records are keyed by the side's key and keep the named numbers (an account's balances). */
export function balanceHolder(c: RuleContext, field: string, words: readonly string[], noun: string): Table | null {
  const values = new Set(
    c
      .records()
      .map((r) => r[field])
      .filter((v): v is string => typeof v === "string"),
  );
  for (const t of c.tables.values()) {
    if (t.storage === "single" || !words.every((w) => t.fields.some((f) => nameWords(f.name).join(" ") === `${w} ${noun}`))) continue;
    const keys = new Set(Object.keys(c.data[t.name] ?? {}));
    const held = [...values].filter((v) => keys.has(v)).length;
    if (values.size === 0 ? keys.size > 0 : held / values.size >= 0.9) return t;
  }
  return null;
}
