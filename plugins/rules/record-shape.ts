// A new record shaped as the data's records are: a field every record holds, null in some of them
// (`shipped_at`, `note`, `via_followup_source_id`), is held by the new one too, null when nothing
// sets it and when the optional parameter that sets it is left out.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { RuleContext } from "./context.ts";

/** The new record's fields with the data's null-holding fields kept (the fields given are changed in place). */
export function keepNullFields(c: RuleContext, table: Table, fields: Record<string, ValueExpr>): void {
  const rows = c.records(table);
  if (rows.length < 2) return;
  for (const f of table.fields) {
    if (f.name === table.key || !rows.every((r) => Object.hasOwn(r, f.name)) || !rows.some((r) => r[f.name] === null)) continue;
    const value = fields[f.name];
    if (value === undefined) fields[f.name] = { kind: "constant", value: null };
    else if (value.kind === "parameter" && !value.path && value.otherwise === undefined && c.parameter(value.name)?.required === false)
      fields[f.name] = { ...value, otherwise: null };
  }
}
