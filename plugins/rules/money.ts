// Money and the entries that record it: what a call charges (an amount parameter, a number the
// description names, a bill's total "in full"), entries of a history made from the call (a charge, a
// payment) or mirroring earlier ones (a refund of each payment), as the data's own entries show them.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { here, isTime, nowFor, type RuleContext } from "./context.ts";

/** The kind of entry each `kind` entry copies (same amount in the same record), when they all do. */
export function mirrorOf(rows: Row[], array: string, kindField: string, kind: string, amountField: string): string | null {
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
export function differsFromTwin(rows: Row[], array: string, kindField: string, kind: string, amountField: string, field: string): boolean {
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
export function entryOfKind(c: RuleContext, fields: readonly Field[], kindField: string, kind: string): Record<string, ValueExpr> | null {
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
    else if (isTime(f)) element[f.name] = nowFor(f);
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

/** An entry of a history array, from what the data's entries hold: the amount, the method, the usual kind, today. */
export function recordedEntry(
  c: RuleContext,
  array: Field,
  owner: Table,
  place: Place,
  amount: ValueExpr,
): Record<string, ValueExpr> | null {
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
    } else if (isTime(f)) element[f.name] = nowFor(f);
  }
  return Object.keys(element).length > 0 ? element : null;
}

export function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
