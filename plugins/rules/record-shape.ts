// A new record shaped as the data's records are: a field every record holds, null in some of them
// (`shipped_at`, `note`, `via_followup_source_id`), is held by the new one too, null when nothing
// sets it and when the optional parameter that sets it is left out (a list held empty: empty); text
// the data writes as decimals keeps their places.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { RuleContext } from "./context.ts";

/**
 * Decimal text as the data writes it ("15.00" in every record): a parameter that sets such a field is
 * written with as many places ("15" → "15.00").
 */
export function keepDecimalText(c: RuleContext, table: Table, fields: Record<string, ValueExpr>): void {
  const rows = c.records(table);
  for (const f of table.fields) {
    const value = fields[f.name];
    if (f.type !== "string" || value?.kind !== "parameter" || value.path) continue;
    const written = rows.map((r) => r[f.name]).filter((v): v is string => typeof v === "string");
    const places = written.map((v) => /^-?\d+\.(\d+)$/.exec(v)?.[1]?.length);
    if (written.length < 2 || places.some((p) => p === undefined) || new Set(places).size !== 1) continue;
    fields[f.name] = { kind: "fixed", value, decimals: places[0] as number };
  }
}

/** The new record's fields with the data's null-holding fields kept (the fields given are changed in place). */
export function keepNullFields(c: RuleContext, table: Table, fields: Record<string, ValueExpr>): void {
  const rows = c.records(table);
  if (rows.length < 2) return;
  for (const f of table.fields) {
    if (f.name === table.key || !rows.every((r) => Object.hasOwn(r, f.name))) continue;
    const value = fields[f.name];
    // A list the data holds empty in some records (`[]`: no limit): an optional parameter left out leaves it empty, not missing.
    if (f.type === "array" && rows.some((r) => Array.isArray(r[f.name]) && (r[f.name] as unknown[]).length === 0)) {
      if (value?.kind === "parameter" && !value.path && value.otherwise === undefined && c.parameter(value.name)?.required === false)
        fields[f.name] = { ...value, otherwise: [] };
      continue;
    }
    if (!rows.some((r) => r[f.name] === null)) continue;
    if (value === undefined) fields[f.name] = { kind: "constant", value: null };
    else if (value.kind === "parameter" && !value.path && value.otherwise === undefined && c.parameter(value.name)?.required === false)
      fields[f.name] = { ...value, otherwise: null };
  }
}
