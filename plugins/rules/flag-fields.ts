// Fields a record holds while a flag of it is on: a subscription with `cancel_at_period_end` true
// holds `cancel_at` (its `current_period_end`), `canceled_at` and `cancellation_details`; the ones
// with it false hold none of them. The data shows it, as it shows a state's own fields. A call that
// turns the flag on by a parameter of the flag's name fills them (another field the records copy,
// the clock, a struct from the call's words and the values the records share); one that turns it
// off empties them again, as the records without the flag hold them.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Condition, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { here, isTime, nowFor, type RuleContext } from "./context.ts";
import { sameValue } from "./creation.ts";

/** Records on each side of the flag the data must show before its fields are taken as the flag's. */
const WITNESSES = 2;

const held = (v: unknown) => v !== undefined && v !== null && v !== "";
const share = (rows: readonly Row[], name: string) => rows.filter((r) => held(r[name])).length / rows.length;

export function flagFields(c: RuleContext): void {
  const table = c.target;
  if (!table || c.subject.kind !== "change") return;
  const rows = c.records(table);
  for (const p of c.text.parameters) {
    const flag = table.fields.find((f) => f.name === p.name && f.type === "boolean" && p.type === "boolean");
    if (!flag) continue;
    const on = rows.filter((r) => r[flag.name] === true);
    const off = rows.filter((r) => r[flag.name] === false);
    if (on.length < WITNESSES || off.length < WITNESSES) continue;
    const when = (value: boolean): Condition[] => [
      { left: { kind: "parameter", name: p.name }, op: "==", right: { kind: "constant", value } },
    ];
    for (const f of table.fields) {
      if (f === flag || f.name === table.key || f.name === table.status?.field || c.writes(here([f.name]))) continue;
      if (share(on, f.name) < 1 || share(off, f.name) > 0.2) continue;
      const value = valueWhileOn(c, table, f, on);
      if (!value) continue;
      c.effect(
        { kind: "set", place: here([f.name]), value },
        "data",
        `${table.entity}s with ${flag.name} true hold ${f.name}, the others do not: set when the call turns it on`,
        when(true),
      );
      c.effect(
        { kind: "set", place: here([f.name]), value: { kind: "constant", value: null } },
        "data",
        `${table.entity}s with ${flag.name} false hold no ${f.name}: emptied when the call turns it off`,
        when(false),
      );
    }
  }
}

/** What a field holds once the flag is on: another field it equals in every such record, the clock, or a struct. */
function valueWhileOn(c: RuleContext, table: Table, f: Field, on: readonly Row[]): ValueExpr | null {
  const copied = table.fields.find(
    (g) => g !== f && g.name !== table.key && g.type === f.type && on.every((r) => held(r[g.name]) && r[g.name] === r[f.name]),
  );
  if (copied) return { kind: "read", place: here([copied.name]) };
  if (isTime(f)) return nowFor(f);
  if (f.type === "object" && f.fields && f.fields.length > 0) {
    const parts: Record<string, ValueExpr> = {};
    const taken = new Set<string>();
    const values = on.map((r) => r[f.name] as Row);
    for (const part of f.fields) {
      // `cancellation_comment` gives `cancellation_details.comment`.
      const param = c.parameterFor(`${f.name}_${part.name}`, taken);
      const alike = sameValue(values.map((v) => v?.[part.name]));
      if (param && param.type !== "array" && param.type !== "boolean" && param.type !== "object") {
        parts[part.name] = { kind: "parameter", name: param.name, otherwise: null };
        taken.add(param.name);
      } else if (alike !== undefined) parts[part.name] = { kind: "constant", value: alike };
      else parts[part.name] = { kind: "constant", value: null };
    }
    return { kind: "object", fields: parts };
  }
  return null;
}
