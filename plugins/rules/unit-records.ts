// A create tool given lines of units (`tickets: [{class_id, quantity}]`), as order APIs take them:
// "One Attendee is created per ticket" makes a record per unit — per element, as many as its
// quantity, each holding the element's own references — and "Updates quantity_sold on the Ticket
// Classes" moves the count of the record each line names by the line's quantity.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Effect, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { here, type RuleContext } from "./context.ts";

/** An array parameter of lines: the element's reference fields (to their tables) and its one count. */
interface Lines {
  parameter: string;
  unit: string;
  count: string;
  references: { field: string; table: Table }[];
}

const COUNTED = /^(?:quantity|qty|count|number|units|seats)$/;

/** The array parameters whose elements name a record and count units of it. */
function linesOf(c: RuleContext): Lines[] {
  const properties = (c.text.spec.parameters.properties ?? {}) as Record<
    string,
    { type?: string; items?: { properties?: Record<string, { type?: string }> } }
  >;
  const out: Lines[] = [];
  for (const p of c.text.parameters) {
    const element = properties[p.name]?.items?.properties;
    if (p.type !== "array" || !element) continue;
    const counts = Object.entries(element).filter(([name, s]) => s.type === "integer" && COUNTED.test(name));
    const references = Object.keys(element).flatMap((name) => {
      const table = [...c.tables.values()].find(
        (t) => t.key && (name === `${singular(t.name)}_id` || name === `${t.entity.replaceAll(" ", "_")}_id`),
      );
      return table ? [{ field: name, table }] : [];
    });
    if (counts.length !== 1 || references.length === 0) continue;
    out.push({ parameter: p.name, unit: singular(nameWords(p.name).at(-1) ?? p.name), count: counts[0]?.[0] as string, references });
  }
  return out;
}

/** Both readings, on a create tool's description. */
export function unitRecords(c: RuleContext): void {
  if (c.subject.kind !== "create") return;
  for (const lines of linesOf(c)) {
    perUnit(c, lines);
    countedOnNamed(c, lines);
  }
}

/** "one attendee is created per ticket": the insert of that table made once per unit of each line. */
function perUnit(c: RuleContext, lines: Lines): void {
  const per = new RegExp(`\\b(?:per|for each|for every|each)\\s+${lines.unit}s?\\b`);
  for (const r of [...c.effects, ...c.inserts]) {
    const rule = r.rule;
    if (rule.kind !== "insert" || rule.each || !per.test(r.text.toLowerCase())) continue;
    const table = c.tables.get(rule.table);
    if (!table) continue;
    const fields: Record<string, ValueExpr> = { ...rule.fields };
    // The element's references the record holds too (each attendee's ticket class).
    for (const ref of lines.references)
      if (table.fields.some((f) => f.name === ref.field)) fields[ref.field] = { kind: "item", path: [ref.field] };
    // A count of its own on the record is one: the record is one unit.
    const own = table.fields.find((f) => f.name === lines.count && (f.type === "integer" || f.type === "number"));
    if (own) fields[own.name] = { kind: "constant", value: 1 };
    r.rule = { ...rule, fields, each: lines.parameter, times: [lines.count] } as Effect;
  }
}

const UPDATES =
  /\b(?:updates|increments|increases|raises|adds to|bumps)\s+(?:the\s+)?([a-z_]+)\s+(?:on|of|in)\s+(?:the\s+)?([a-z][a-z ,]*?)(?=\s*(?:[.;]|$))/g;

/**
 * "Updates quantity_sold on the Ticket Classes and the Discount": each line's named record's count
 * goes up by its quantity; a record the call names otherwise (the discount its promo code names,
 * within the same event) goes up by every line's quantity.
 */
function countedOnNamed(c: RuleContext, lines: Lines): void {
  for (const { sentence, source } of c.sentences("description")) {
    for (const m of sentence.toLowerCase().matchAll(UPDATES)) {
      for (const object of (m[2] as string).split(/\s*,\s*(?:and\s+)?(?:the\s+)?|\s+and\s+(?:the\s+)?/)) {
        const words = nameWords(object.trim().replace(/\s+/g, "_")).map(singular).join(" ");
        const ref = lines.references.find((x) => words === x.table.entity || words.endsWith(` ${x.table.entity}`));
        const table = ref?.table ?? [...c.tables.values()].find((t) => words === t.entity || words.endsWith(` ${t.entity}`));
        const field = table?.fields.find((f) => f.name === m[1] && (f.type === "integer" || f.type === "number"));
        if (!table || !field) continue;
        const raised = `${field.name} raised by ${ref ? "its line's" : "every line's"} ${lines.count} (${sentence.trim()})`;
        const common = { kind: "add-each" as const, place: here([]), list: lines.parameter, path: [field.name], sign: 1 as const };
        const amount: ValueExpr = { kind: "item", path: [lines.count] };
        if (ref) {
          c.effect(
            { ...common, named: { table: table.name, field: ref.field }, amount },
            source,
            `each ${table.entity} a line names has ${raised}`,
          );
          continue;
        }
        const where = namedBy(c, table);
        if (where.length > 0)
          c.effect(
            { ...common, matching: { table: table.name, where }, amount },
            source,
            `the ${table.entity} the call names has ${raised}`,
          );
      }
    }
  }
}

/**
 * How the call names a record of `table` by other than its key: a parameter whose description
 * speaks of the table and whose name ends in one of its fields (`promo_code`, "Discount code to
 * apply" → `code`), and the parent both the table and the call name (the same event).
 */
function namedBy(c: RuleContext, table: Table): { field: string; value: ValueExpr }[] {
  const said = (p: { description?: string }) => new RegExp(`\\b${table.entity}\\b`, "i").test(p.description ?? "");
  const by = c.text.parameters.find(
    (p) => p.type === "string" && said(p) && table.fields.some((f) => f.name === nameWords(p.name).at(-1) && f.name !== table.key),
  );
  if (!by) return [];
  const where: { field: string; value: ValueExpr }[] = [
    { field: nameWords(by.name).at(-1) as string, value: { kind: "parameter", name: by.name } },
  ];
  for (const f of table.fields) {
    const parent = f.references ? c.parameter(f.name) : undefined;
    if (parent?.required) where.push({ field: f.name, value: { kind: "parameter", name: parent.name } });
  }
  return where;
}
