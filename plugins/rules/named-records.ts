// Records of another table that a call's array argument names, and what happens to each: "each given
// item becomes status "started" with order_id set to this order". The argument is the one whose name
// has the noun's word and whose elements are keys of a table; the state is a value of that table's
// status; the field set "to this <record>" is the one that refers to the tool's own table.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { clausesOf } from "./clauses.ts";
import type { RuleContext } from "./context.ts";

const EACH =
  /^(?:each|every)\s+(?:given|listed|named)?\s*(\w+)\s+(?:becomes|is set to|is marked|gets)\s+(?:status\s+)?⟦(\d+)⟧(?:\s+with\s+([a-z][a-z0-9_]*)\s+set\s+to\s+(?:this|the)\s+(\w+))?/;

/** A `set-each` effect for each clause that says what becomes of every record an array argument names. */
export function namedRecords(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const clause of clausesOf(c.sentences("description"))) {
    const m = EACH.exec(clause.text);
    if (!m) continue;
    const noun = singular(m[1] as string);
    const param = c.text.parameters.find((p) => p.type === "array" && nameWords(p.name).map(singular).includes(noun));
    if (!param) continue;
    const table = keyTable({ name: param.name.replace(/_ids$/, "_id").replace(/s$/, ""), type: "string" }, [...c.tables.values()]);
    if (!table || table === target) continue;
    const value = clause.quotes[Number(m[2])];
    const fields: Record<string, ValueExpr> = {};
    const status = stateField(c, table, value);
    if (!status || value === undefined) continue;
    fields[status] = { kind: "constant", value };
    const field = m[3] ? table.fields.find((f) => f.name === m[3] && f.references === target.name) : undefined;
    if (field && target.key) fields[field.name] = { kind: "read", place: { hops: [], path: [target.key] } };
    c.effect({ kind: "set-each", table: table.name, each: param.name, fields }, clause.source, clause.sentence);
  }
}

/** The field of `table`'s records that holds states: its status, else one whose values hold `value`. */
function stateField(c: RuleContext, table: Table, value: string | undefined): string | null {
  if (table.status) return table.status.field;
  const rows = c.records(table);
  return table.fields.find((f) => f.type === "string" && rows.some((r) => r[f.name] === value))?.name ?? null;
}
