// A call allowed only while a record related to the tool's record is in some states, as a
// description names that record, its field and the states together: "only labels the carrier has
// not scanned (tracker status unknown or pre_transit) can be refunded", "only while the order's
// payment status is authorized", "only if its invoice status is draft or open". The related record
// is one the tool's record names (its order) or one that names it (the tracker whose shipment_id is
// the shipment's). When there is no such record, nothing is required of it. The related record is found by
// its fields (`match`), so that a call on a record without one is not refused for that.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, Hop, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords, reachable } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { here, type RuleContext } from "./context.ts";
import { referringHops } from "./referring-records.ts";

const VALUE = "[a-z][a-z0-9_-]*";
const VALUES = String.raw`(${VALUE}(?:(?:\s*,\s*|\s+or\s+|\s*\/\s*)${VALUE})*)`;

/** Requirements on a related record's state, where the description names it with its field and states. */
export function relatedConditions(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  // One way to each related table: the records that name this one first (a shipment's trackers),
  // else the record this one names (its order).
  const related = new Map<string, { table: Table; finds: (field?: string) => ValueExpr }>();
  for (const { table, hop } of referringHops(c, target))
    related.set(table.name, {
      table,
      finds: (field) => match(table, hop.field, { kind: "read", place: here([target.key]) }, field),
    });
  for (const { table, hops } of reachable(c.tables, target, 1).slice(1))
    if (!related.has(table.name))
      related.set(table.name, {
        table,
        finds: (field) => match(table, table.key, { kind: "read", place: here((hops[0] as Hop).field.split(".")) }, field),
      });
  for (const { sentence, source } of c.sentences("description")) {
    const text = sentence.replaceAll("`", "");
    // A restriction, not a statement of what happens: "only …", "can only", "must".
    if (!/\bonly\b|\bmust\b/.test(text)) continue;
    for (const { table, finds } of related.values()) {
      for (const field of table.fields.filter((f) => f.type === "string")) {
        const known = statesOf(c, table, field.name);
        if (known.size < 2) continue;
        const fieldWords = nameWords(field.name).join("[ _]");
        // "(tracker status unknown or pre_transit)", "the order's payment status is authorized"
        const pattern = new RegExp(
          String.raw`\b${table.entity.replaceAll(" ", "[ _]")}(?:'s)?\s+${fieldWords}\s+(?:is\s+|of\s+)?${VALUES}`,
          "g",
        );
        for (const m of text.matchAll(pattern)) {
          const words = (m[1] as string).split(/\s*,\s*|\s+or\s+|\s*\/\s*/);
          const values = words.flatMap((w) => known.get(w) ?? []);
          // Every word a state the data shows (a trailing word of the prose ends the list).
          if (values.length === 0 || values.length < words.length - 1 || values.length === known.size) continue;
          const there: Condition[] = [{ left: finds(), op: "given" }];
          const condition: Condition = { left: finds(field.name), op: "in", right: { kind: "constant", value: values } };
          c.requireWhen({ kind: "compare", condition }, there, source, m[0]);
        }
      }
    }
  }
}

/** The first record of `table` whose `field` holds `value` (its key, or with `of` that field of it); null when none does. */
function match(table: Table, field: string, value: ValueExpr, of?: string): ValueExpr {
  return { kind: "match", table: table.name, where: [{ field, value }], ...(of ? { field: of } : {}) };
}

/** The values a text field of a table takes (its enum, else what the data holds), by their words in lower case. */
function statesOf(c: RuleContext, table: Table, field: string): Map<string, string> {
  const enumed = table.fields.find((f) => f.name === field)?.enum;
  const values = enumed
    ? enumed.map(String)
    : c
        .records(table)
        .map((r) => valueIn(r, [field]))
        .filter((v): v is string => typeof v === "string");
  return new Map(values.map((v) => [v.toLowerCase(), v]));
}
