// A kind a new record takes from the data's records of the same shape: a balance history's `type`
// is "adjustment" on every entry that refers to no invoice and no credit note, "credit_note" on the
// ones a credit note made. A new entry the call makes with those references null is of the first
// kind. Only a text field every record holds, that nothing else sets, and on which the records of
// the new one's shape all agree.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { RuleContext } from "./context.ts";

const isNull = (v: ValueExpr | undefined) => v?.kind === "constant" && v.value === null;
const holds = (v: unknown) => v !== null && v !== undefined;

/** The new record's unset text fields, from the records null where it is null (the fields given are changed in place). */
export function kindredValues(c: RuleContext, table: Table, fields: Record<string, ValueExpr>): void {
  const rows = c.records(table);
  if (rows.length < 2) return;
  // The references the new record leaves null that some records hold: what tells its shape apart.
  const shape = table.fields.filter((f) => f.references && isNull(fields[f.name]) && rows.some((r) => holds(r[f.name])));
  if (shape.length === 0) return;
  const alike = rows.filter((r) => shape.every((f) => !holds(r[f.name])));
  if (alike.length === 0 || alike.length === rows.length) return;
  for (const f of table.fields) {
    if (fields[f.name] !== undefined || f.name === table.key || f.type !== "string" || f.references) continue;
    if (!rows.every((r) => typeof r[f.name] === "string")) continue;
    const values = new Set(alike.map((r) => r[f.name]));
    // Records of the other shapes hold other values: the field tells the shapes apart, it is no free text.
    const others = new Set(rows.filter((r) => !alike.includes(r)).map((r) => r[f.name]));
    const [value] = values;
    if (values.size === 1 && typeof value === "string" && !others.has(value)) fields[f.name] = { kind: "constant", value };
  }
}
