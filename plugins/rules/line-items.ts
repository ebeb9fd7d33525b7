// A new record's list of line items, given as a parameter, completed as the service stores it:
// each element's fields the call does not give, read from the record the element names (a line's
// `sku` from its inventory item, its `unit_price` from its product); and the record's totals over
// the list (`total_quantity`: the sum of the lines' quantities).
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import type { RuleContext } from "./context.ts";

const TOTAL = /^(?:total_(.+)|(.+)_total)$/;

/** The new record's fields with its lists of items completed and its totals summed (the fields given are changed in place). */
export function completeLineItems(c: RuleContext, table: Table, fields: Record<string, ValueExpr>): void {
  const properties = (c.text.spec.parameters.properties ?? {}) as Record<string, { items?: { properties?: Record<string, unknown> } }>;
  for (const f of table.fields) {
    const value = fields[f.name];
    const elements = f.items?.fields;
    if (f.type !== "array" || !elements || value?.kind !== "parameter" || value.path) continue;
    const given = new Set(Object.keys(properties[value.name]?.items?.properties ?? {}));
    if (given.size === 0) continue;
    const added: Record<string, ValueExpr> = {};
    for (const e of elements) {
      if (given.has(e.name)) continue;
      const read = fromNamedRecord(c, elements, given, e);
      if (read) added[e.name] = read;
    }
    if (Object.keys(added).length > 0) fields[f.name] = { kind: "elements", of: value, fields: added };
    for (const total of table.fields) {
      const m = TOTAL.exec(total.name);
      const part = m ? (m[1] ?? m[2]) : undefined;
      if (!part || (total.type !== "number" && total.type !== "integer")) continue;
      const summed = elements.find((e) => e.name === part && (e.type === "number" || e.type === "integer"));
      if (summed && given.has(summed.name)) fields[total.name] = { kind: "sum", of: value, path: [summed.name] };
    }
  }
}

/** An element's field read from the record another of its fields names (`inventory_item_id` → the item's `sku`). */
function fromNamedRecord(c: RuleContext, elements: readonly Field[], given: ReadonlySet<string>, wanted: Field): ValueExpr | null {
  for (const e of elements) {
    if (!given.has(e.name) || !e.references) continue;
    const other = c.tables.get(e.references);
    const field = other?.fields.find((g) => g.name === wanted.name && g.name !== other.key);
    if (other && field) return { kind: "lookup", table: other.name, key: { kind: "item", path: [e.name] }, path: [field.name] };
  }
  return null;
}
