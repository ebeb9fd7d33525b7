// Records a create tool makes alongside the one it creates, as descriptions say it: "Creates a
// booking with one or more reservations … Each new reservation … gets its own guest folio". The
// array parameter named after a table that refers to the created record becomes records of that
// table, one per element (keyed as the data keys them: the owner's key, `-`, their number), and
// each of them gets the records of the table the sentence names that refer to it.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { NewKey, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { nowFor, type RuleContext } from "./context.ts";
import { keyFormula } from "./inserted-keys.ts";

/** Each element of an array parameter made a record of the table it names, with the records each gets. */
export function nestedRecords(c: RuleContext): void {
  const made = c.target;
  if (!made || c.subject.kind !== "create") return;
  const said = c.sentences("description").map((s) => s.written.toLowerCase());
  for (const p of c.text.parameters) {
    if (p.type !== "array") continue;
    const child = [...c.tables.values()].find(
      (t) => t !== made && nameWords(t.name).map(singular).join(" ") === nameWords(p.name).map(singular).join(" "),
    );
    const link = child?.fields.find((f) => f.references === made.name);
    if (!child || !link) continue;
    // The description must say the elements are records of their own: "with one or more reservations", "each new reservation".
    const plural = nameWords(child.name).join(" ");
    if (
      !said.some((s) =>
        new RegExp(`\\b(?:with|of)\\s+(?:one or more|several|multiple|\\d+|some)\\s+${plural}\\b|\\beach new ${child.entity}\\b`).test(s),
      )
    )
      continue;
    const fields = childFields(c, child, { [link.name]: { kind: "read", place: { hops: [], path: [made.key] } } }, p.name);
    const key = ownedKey(c, child, fields);
    if (!key) continue;
    const alongside: { table: string; key: NewKey; fields: Record<string, ValueExpr> }[] = [];
    for (const other of c.tables.values()) {
      if (other === made || other === child) continue;
      const back = other.fields.find((f) => f.references === child.name);
      if (!back) continue;
      const gets = new RegExp(
        `\\beach (?:new )?${child.entity}\\b[^.]*?\\b(?:gets|has|receives|is given)\\s+(?:its own|an?|one)\\s+(?:[a-z]+\\s+)?${other.entity}\\b`,
      );
      if (!said.some((s) => gets.test(s))) continue;
      const ownerOfMade = other.fields.find((f) => f.references === made.name);
      const given: Record<string, ValueExpr> = { [back.name]: { kind: "inserted" } };
      if (ownerOfMade) given[ownerOfMade.name] = { kind: "read", place: { hops: [], path: [made.key] } };
      const otherFields = childFields(c, other, given, null);
      const otherKey = ownedKey(c, other, otherFields);
      if (otherKey) alongside.push({ table: other.name, key: otherKey, fields: otherFields });
    }
    c.effect(
      { kind: "insert", table: child.name, key, fields, each: p.name, ...(alongside.length > 0 ? { alongside } : {}) },
      "description",
      `each element of \`${p.name}\` is a new ${child.entity}${alongside.map((a) => `, with its own ${c.tables.get(a.table)?.entity}`).join("")}`,
    );
  }
}

/** The key of a new record of `table`, as the data builds it from the record it belongs to. */
function ownedKey(c: RuleContext, table: Table, fields: Record<string, ValueExpr>): NewKey | null {
  const formula = keyFormula(c.records(table), table, fields);
  return formula ? { prefix: "", digits: 0, sequential: false, formula } : null;
}

/**
 * A new record's fields: those given, the element's own (`arrival` of a reservation), its first
 * state, times from the clock, and what every record of the data holds alike or empty.
 */
function childFields(c: RuleContext, table: Table, given: Record<string, ValueExpr>, element: string | null): Record<string, ValueExpr> {
  const rows = c.records(table);
  const properties = c.text.spec.parameters.properties as Record<string, { items?: { properties?: object } }> | undefined;
  const elementFields = new Set(Object.keys((element ? properties?.[element]?.items?.properties : undefined) ?? {}));
  const out: Record<string, ValueExpr> = {};
  for (const f of table.fields) {
    if (f.name === table.key) {
      out[f.name] = { kind: "new-key" };
      continue;
    }
    const value = given[f.name] ?? firstValue(f, table, rows, elementFields);
    if (value) out[f.name] = value;
  }
  return out;
}

/** A new record's value of a field no argument gives: the element's, its first state, or what the data's records start with. */
function firstValue(
  f: Field,
  table: Table,
  rows: readonly Record<string, unknown>[],
  elementFields: ReadonlySet<string>,
): ValueExpr | null {
  if (elementFields.has(f.name)) return { kind: "item", path: [f.name] };
  if (table.status?.field === f.name) return { kind: "constant", value: table.status.initial };
  const values = rows.map((r) => r[f.name]);
  // A time some records do not hold yet (checked in, canceled) is null on a new one; the others are now.
  if (f.format === "date-time") return values.some((v) => v === null) ? { kind: "constant", value: null } : nowFor(f);
  if (f.type === "array") return { kind: "constant", value: [] };
  const first = JSON.stringify(values[0]);
  if (values.length > 0 && values.every((v) => JSON.stringify(v) === first) && typeof values[0] !== "object")
    return { kind: "constant", value: values[0] as string | number | boolean };
  if (values.some((v) => v === null)) return { kind: "constant", value: null };
  // Amounts start at nothing: a number, or a struct of an amount and what every record holds alike (`{amount: 0, currency: "EUR"}`).
  if (f.type === "number" || f.type === "integer") return { kind: "constant", value: 0 };
  if (f.type === "object" && f.fields && f.fields.some((g) => g.type === "number" || g.type === "integer")) {
    const struct: Record<string, unknown> = {};
    for (const g of f.fields) {
      const parts = values.map((v) => (v as Record<string, unknown> | undefined)?.[g.name]);
      if (g.type === "number" || g.type === "integer") struct[g.name] = 0;
      else if (parts.length > 0 && parts.every((v) => typeof v !== "object" && v === parts[0])) struct[g.name] = parts[0];
      else return null;
    }
    return { kind: "constant", value: struct as never };
  }
  return null;
}
