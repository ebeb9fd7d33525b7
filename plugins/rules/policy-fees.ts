// A fee the policy's fee table sets, charged alongside the call: "the fee is charged immediately as a
// separate posted Transaction (amount `-fee`, …)", with the policy's "Outgoing ACH transfer,
// `same_day`: 500 cents". The fee depends on the value of the one parameter whose values the table
// lines quote; each value gets its own entry (the signed fee, for the side the call names) and its
// own balance moves ("available balance drops by amount + fee, current balance drops by the fee").
import type { Condition, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { objectWords } from "../../lib/service-tools/subject.ts";
import { tableNamed } from "./clauses.ts";
import type { RuleContext } from "./context.ts";
import { newKeyOf } from "./counters.ts";
import { amountOf, balanceHolder, entryFields, sideOf } from "./paired-postings.ts";

const CHARGED =
  /\bthe\s+(fee|charge|commission|surcharge)\s+is\s+charged\b[^(]*?\bas\s+an?\s+(?:separate\s+)?(?:posted\s+)?([a-z ]+?)\s*\(([^)]*)\)/;
/** "available balance drops by amount + fee", "current balance drops by the fee" */
const DROPS =
  /\b(\w+)\s+(balance|total)\s+(?:drops|goes down|decreases|is reduced)\s+by\s+(?:the\s+)?(amount\s*\+\s*(?:the\s+)?fee|fee|amount)\b/g;

/** The fee entries and balance moves, one set per value of the parameter the policy's fee lines quote. */
export function policyFees(c: RuleContext, policy: readonly string[]): void {
  const target = c.target;
  if (!target || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  const said = c.sentences("description");
  const charged = said.map((s) => ({ ...s, m: CHARGED.exec(s.sentence) })).find((s) => s.m);
  if (!charged?.m) return;
  const table = tableNamed(c, charged.m[2] as string);
  const fees = feeTable(c, policy);
  const side = sideOf(c, "source", -1);
  const amount = amountOf(c, "amount");
  if (!table || table === target || !fees || !side) return;
  for (const { value, cents } of fees.values) {
    const when: Condition[] = [{ left: { kind: "parameter", name: fees.parameter }, op: "==", right: { kind: "constant", value } }];
    const fee: ValueExpr = { kind: "constant", value: cents };
    const fields = entryFields(c, table, side, fee);
    if (!fields) return;
    c.inserts.push({
      rule: { kind: "insert", table: table.name, key: newKeyOf(c.tables, c.data, table, c.records(table)), fields },
      source: "policy",
      text: `${charged.sentence} (${fees.parameter} ${value}: ${cents})`,
      when,
    });
    for (const { sentence } of said) {
      for (const d of sentence.matchAll(DROPS)) {
        const [word, noun, by] = [d[1] as string, d[2] as string, (d[3] as string).replace(/\s+/g, " ")];
        const holder = balanceHolder(c, side.field, [word], noun);
        const number = holder?.fields.find((f) => nameWords(f.name).join(" ") === `${word} ${noun}`);
        const moved: ValueExpr | null = by.startsWith("amount")
          ? amount && by.includes("fee")
            ? { kind: "arith", op: "+", left: amount, right: fee }
            : amount
          : fee;
        if (!holder || !number || !moved) continue;
        c.effect(
          { kind: "add", place: { hops: [{ field: side.field, table: holder.name }], path: [number.name] }, amount: moved, sign: -1 },
          "policy",
          sentence,
          when,
        );
      }
    }
  }
}

/**
 * The policy's fee lines for this tool: lines that name its object ("ACH transfer") and quote a
 * value of one of its parameters with an amount in cents, one line per value.
 */
function feeTable(c: RuleContext, policy: readonly string[]): { parameter: string; values: { value: string; cents: number }[] } | null {
  const object = objectWords(c.text.words).join(" ");
  const lines = policy.map((l) => l.toLowerCase()).filter((l) => object.length > 0 && l.includes(object) && /\d\s*cents\b/.test(l));
  for (const p of c.text.parameters) {
    if (!p.enum || p.enum.length < 2) continue;
    const values: { value: string; cents: number }[] = [];
    for (const v of p.enum) {
      const line = lines.find((l) => new RegExp(`[\`'"]${String(v)}[\`'"]`).test(l));
      const cents = line ? /(\d[\d,]*)\s*cents\b/.exec(line.slice(line.indexOf(String(v)))) : null;
      if (cents) values.push({ value: String(v), cents: Number((cents[1] as string).replaceAll(",", "")) });
    }
    if (values.length === p.enum.length) return { parameter: p.name, values };
  }
  return null;
}
