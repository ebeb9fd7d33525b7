// A payment the call makes, kept as a record of the table its verb names: "the rest is charged to
// the card" makes a charge, "the balance is billed" a bill, "the deposit is refunded" a refund. Only
// when that table's records refer to the call's own record (a charge's `invoice`): the record is
// the payment of it. Its amount is what the record still owes, its references and shared fields
// the record's, its times now, the rest as the data's records hold them.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { isTime, nowFor, type RuleContext } from "./context.ts";
import { newKeyOf } from "./counters.ts";
import { sameValue } from "./creation.ts";

/** "is charged" → charge: the nouns of the payment verbs a description uses. */
const PAID = /\b(?:is|are|gets?|will be|be)\s+(charged|billed|refunded|invoiced)\b/;
const NOUN: Record<string, string> = { charged: "charge", billed: "bill", refunded: "refund", invoiced: "invoice" };
/** What a record still owes, by the names the data gives it, most specific first. */
const OWED = ["amount_remaining", "amount_due", "balance_due", "outstanding", "balance", "total", "amount"];

export function chargedRecords(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change" || !target.key) return;
  for (const { sentence, source } of c.sentences("description")) {
    const verb = PAID.exec(sentence)?.[1];
    if (!verb) continue;
    const table = [...c.tables.values()].find((t) => t.entity.toLowerCase() === NOUN[verb]);
    if (!table || table === target) continue;
    const link = table.fields.find((f) => f.references === target.name);
    if (!link) continue;
    if (c.inserts.some((r) => r.rule.kind === "insert" && r.rule.table === table.name)) continue;
    const owed = OWED.map((name) => target.fields.find((f) => f.name === name && (f.type === "number" || f.type === "integer"))).find(
      (f) => f !== undefined,
    );
    if (!owed) continue;
    c.inserts.push({
      rule: {
        kind: "insert",
        table: table.name,
        key: newKeyOf(c.tables, c.data, table, c.records(table)),
        fields: fieldsOf(c, table, target, link.name, owed.name),
      },
      source,
      text: sentence,
    });
    return;
  }
}

function fieldsOf(c: RuleContext, table: Table, target: Table, link: string, owed: string): Record<string, ValueExpr> {
  // Values are read off the records like the new one: payments of a record (their link set) in the
  // state a new payment starts in. A failed charge is not captured; a one-off charge has its own text.
  const all = c.records(table);
  const status = table.status;
  const like = all.filter((r) => r[link] !== null && r[link] !== undefined && (!status?.initial || r[status.field] === status.initial));
  const rows = like.length >= 3 ? like : all;
  const fields: Record<string, ValueExpr> = {};
  const own = (path: string): ValueExpr => ({ kind: "read", place: { hops: [], path: [path] } });
  for (const f of table.fields) {
    const param = c.text.parameters.find((p) => p.name === f.name && p.type !== "array" && !c.identifying.has(p.name));
    const shared = target.fields.find((g) => g.name === f.name && g.name !== target.key && !isTime(g));
    if (f.name === table.key) fields[f.name] = { kind: "new-key" };
    else if (f.name === link) fields[f.name] = own(target.key);
    else if (param) fields[f.name] = { kind: "parameter", name: param.name, otherwise: null };
    else if (isTime(f) || f.format === "date-time" || /(^|_)(created|at)$/.test(f.name)) fields[f.name] = nowFor(f);
    else if (table.status && f.name === table.status.field && table.status.initial)
      fields[f.name] = { kind: "constant", value: table.status.initial };
    else if (f.name === "amount" && (f.type === "number" || f.type === "integer")) fields[f.name] = own(owed);
    else if (sameValue(rows.map((r) => r[f.name])) !== undefined)
      fields[f.name] = { kind: "constant", value: sameValue(rows.map((r) => r[f.name])) };
    // The record's own references and texts (its customer, its currency), where the data's records do not all agree.
    else if (shared && (f.references || f.type === "string")) fields[f.name] = own(shared.name);
    else if (f.type === "number" || f.type === "integer") fields[f.name] = { kind: "constant", value: 0 };
    else if (f.nullable || rows.some((r) => r[f.name] === null)) fields[f.name] = { kind: "constant", value: null };
  }
  return fields;
}
