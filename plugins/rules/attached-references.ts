// A record attached to the call's record through a struct that holds its key and when it began: a
// subscription's `discount: {coupon, start, end}`, an order's `promotion: {code, applied_at}`, a
// ticket's `escalation: {team, since}`. A call given such a record's key (a coupon to apply) and
// writing nothing else into the struct fills it: the key, now for when it starts, the rest null.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { isTime, nowFor, type RuleContext } from "./context.ts";
import { namedTable } from "./use-counters.ts";

const BEGINS = /(^|_)(start|starts|started|begin|begins|since|from|applied|attached|created)(_at|_on)?$/;

export function attachedReferences(c: RuleContext): void {
  const target = c.target;
  if (!target || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  for (const p of c.text.parameters) {
    if (p.type !== "string" || c.identifying.has(p.name)) continue;
    const table = namedTable(c, p);
    if (!table || table === target) continue;
    for (const f of target.fields) {
      const holder = holderOf(f, table);
      if (!holder) continue;
      // Something else already writes the struct (or the part): it is not this call's to fill.
      if (
        c.effects.some(({ rule }) => "place" in rule && !rule.place.root && rule.place.hops.length === 0 && rule.place.path[0] === f.name)
      )
        continue;
      const fields: Record<string, ValueExpr> = {};
      for (const part of f.fields ?? []) {
        if (part === holder) fields[part.name] = { kind: "parameter", name: p.name };
        else if (isTime(part) && BEGINS.test(part.name)) fields[part.name] = nowFor(part);
        else fields[part.name] = { kind: "constant", value: null };
      }
      const when: Condition[] | undefined = p.required ? undefined : [{ left: { kind: "parameter", name: p.name }, op: "given" }];
      c.effect(
        { kind: "set", place: { hops: [], path: [f.name] }, value: { kind: "object", fields } },
        "data",
        `the ${table.entity} the call is given is attached as the ${target.entity}'s ${f.name}, from now`,
        when,
      );
    }
  }
}

/** The part of a struct field that holds a key of `table`, when the struct also says when it began. */
function holderOf(f: Field, table: Table): Field | undefined {
  if (f.type !== "object" || !f.fields) return undefined;
  const holder = f.fields.filter((part) => part.references === table.name);
  if (holder.length !== 1) return undefined;
  return f.fields.some((part) => isTime(part) && BEGINS.test(part.name)) ? holder[0] : undefined;
}
