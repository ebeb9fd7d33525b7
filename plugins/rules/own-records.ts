// Who acts may not act on themself: "HR admins only; never on their own record", "a manager may not
// approve their own request", "not for their own account". Two parameters name records of one table,
// one plainly (`employee_id`, the record acted on) and one under a role (`acting_employee_id`, who
// acts); or the record the tool acts on refers to that table (a request's `employee_id`). The words
// forbid the two being the same person, so the call is refused when they are.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import type { Parameter } from "../../lib/service-tools/tool-text.ts";
import type { RuleContext } from "./context.ts";

/** "never on their own record", "may not approve their own request", "not to his or her own account". */
const OWN = /\b(?:never|not|cannot|can't|may\s+not|must\s+not|no\s+one)\b[^.;]*?\b(?:their|his|her|his\s+or\s+her|one's)\s+own\b/;

export function ownRecords(c: RuleContext): void {
  if (c.subject.kind !== "change" && c.subject.kind !== "create") return;
  const said = c.sentences("description").find(({ sentence }) => OWN.test(sentence));
  if (!said) return;
  const tables = [...c.tables.values()];
  const keyed = c.text.parameters.flatMap((p) => {
    const table = keyTable(p, tables);
    return table && p.type !== "array" ? [{ parameter: p, table }] : [];
  });
  for (const actor of keyed) {
    if (!underRole(actor.parameter, actor.table)) continue;
    const other = actedOn(c, actor.table, keyed);
    if (!other) continue;
    c.require(
      { kind: "compare", condition: { left: { kind: "parameter", name: actor.parameter.name }, op: "!=", right: other } },
      said.source,
      said.sentence,
    );
    return;
  }
}

/** A parameter naming a record under a role of its own (`acting_employee_id`, `approver_id` of employees): more words than the table's own key. */
function underRole(p: Parameter, table: Table): boolean {
  const own = nameWords(table.entity.replaceAll(" ", "_"));
  const words = nameWords(p.name).filter((w) => w !== "id");
  return words.length > own.length && own.every((w) => words.includes(w));
}

/**
 * The record of the same table the call acts on: the parameter naming it plainly (its entity's key),
 * else the field of the tool's own record that refers to that table.
 */
function actedOn(c: RuleContext, table: Table, keyed: readonly { parameter: Parameter; table: Table }[]): ValueExpr | null {
  const plain = keyed.find((k) => k.table === table && !underRole(k.parameter, table));
  if (plain) return { kind: "parameter", name: plain.parameter.name };
  if (c.subject.kind !== "change" || !c.target || c.target === table) return null;
  const refers = c.target.fields.filter((f) => f.references === table.name);
  return refers.length === 1 ? { kind: "read", place: { hops: [], path: [refers[0]?.name as string] } } : null;
}
