// A call that acts on an entry of a list its record holds (entry-subject.ts) sets the entry's fields
// its parameters are named for: `change_booking_seat(seat, row)` gives the seat its new row. An
// optional parameter left out leaves its field as it is.
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { Condition, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { here, type RuleContext } from "./context.ts";

/** The fields of the entries of the list at `path` of the subject's records. */
function entryFields(fields: readonly Field[], path: readonly string[]): Field[] {
  const [step, ...rest] = path;
  const field = fields.find((f) => f.name === step);
  if (!field) return [];
  if (rest.length === 0) return field.items?.fields ?? [];
  return entryFields(field.fields ?? [], rest);
}

export function entryFieldsSet(c: RuleContext): void {
  const entry = c.subject.entry;
  const key = c.subject.keyParameter;
  if (!entry || !key || !c.target) return;
  const fields = entryFields(c.target.fields, entry.path);
  for (const p of c.text.parameters) {
    const field = fields.find((f) => f.name === p.name && f.name !== entry.keyField);
    if (!field || p.name === key || c.identifying.has(p.name)) continue;
    const set: Record<string, ValueExpr> = { [field.name]: { kind: "parameter", name: p.name } };
    const when: Condition[] | undefined = p.required ? undefined : [{ left: { kind: "parameter", name: p.name }, op: "given" }];
    c.effect(
      { kind: "entry-set", parameter: key, place: here(entry.path), set, keyField: entry.keyField },
      "schema",
      `the ${entry.path.join(".")} entry ${key} names gets ${field.name} from ${p.name}`,
      when,
    );
  }
}
