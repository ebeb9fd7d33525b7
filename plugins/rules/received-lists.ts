// What a record "gets" from a call, said as one list: "On success the order gets selected_plan, a
// receipt ("rcp_…"), deposit, status confirmed, and a new Ticket ("tkt_…", numbered after the
// receipt) with status issued". Each item is read by its shape: `status X` is the state the call
// leads to (statuses.ts reads it), a bare field the call has a parameter of takes that parameter, a
// struct field named after an entry the call picks (`selected_plan`, the plan `plan_id` names)
// takes that entry, a struct with a quoted key prefix gets its key from the data's counter, and "a
// new X" is a record of X's table the call makes (after the record's own changes, so its key comes
// after the struct's).
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { inserted, tableNamed } from "./clauses.ts";
import { here, type RuleContext } from "./context.ts";
import { structKeyFromCounter } from "./counters.ts";
import { structOf } from "./creation.ts";
import { receivedItems } from "./received-items.ts";

/** The changes the other items of a "gets" list make (the state is statuses.ts's). */
export function receivedLists(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const { sentence, source } of c.sentences("description")) {
    for (const item of receivedItems(sentence, target.entity)) {
      // "a new Ticket ("tkt_…") with status issued": a record of the table the noun names.
      const made = /^an?\s+new\s+([a-z][a-z_ ]*?)(?:\s*\(|\s+with\b|$)/.exec(item);
      if (made) {
        const table = tableNamed(c, made[1] as string);
        if (table && table !== c.target && !c.inserts.some((r) => r.rule.kind === "insert" && r.rule.table === table.name))
          inserted(c, { text: item, written: item, quotes: [], literals: [], source, sentence: item }, table, item, undefined);
        continue;
      }
      // `a receipt ("rcp_…")`: a struct of the record, keyed from the counter its kind's keys come from.
      const keyed = /^an?\s+([a-z][a-z_]*)\s*\(\s*["“]?[a-z]+_/.exec(item);
      const named = keyed?.[1] ?? /^([a-z][a-z_]*)$/.exec(item)?.[1];
      const field = named ? target.fields.find((f) => f.name === named) : undefined;
      if (!field || c.writes(here([field.name]))) continue;
      const value = keyed ? keyedStruct(c, target, field) : (givenValue(c, field) ?? pickedEntry(c, field));
      if (!value) continue;
      const param = value.kind === "parameter" && c.parameter(value.name)?.required === false ? value.name : null;
      c.effect(
        { kind: "set", place: here([field.name]), value },
        source,
        sentence,
        param ? [{ left: { kind: "parameter", name: param }, op: "given" }] : undefined,
      );
    }
  }
}

/** A struct shaped as the data's records hold it, its key the counter's next. */
function keyedStruct(c: RuleContext, target: Table, field: Field): ValueExpr | null {
  if (field.type !== "object" || !field.fields?.some((f) => f.name === "id")) return null;
  const key = structKeyFromCounter(c.tables, c.data, target, field.name, "id");
  if (!key) return null;
  const struct = structOf(
    c,
    field,
    c.records(target).map((r) => r[field.name]),
    new Set(c.text.parameters.map((p) => p.name)),
  );
  return struct.kind === "object" ? { kind: "object", fields: { ...struct.fields, id: key } } : null;
}

/** A field the call has a parameter of the same name for (not the key it is found by). */
function givenValue(c: RuleContext, field: Field): ValueExpr | null {
  const param = c.parameter(field.name);
  return param && !c.identifying.has(param.name) && param.type !== "array" ? { kind: "parameter", name: param.name } : null;
}

/**
 * `selected_plan`: the entry of the record's list of plans the call names (by the `entry-of`
 * requirement on `plan_id`), copied whole.
 */
function pickedEntry(c: RuleContext, field: Field): ValueExpr | null {
  if (field.type !== "object") return null;
  const words = nameWords(field.name);
  for (const { rule } of c.requires) {
    if (rule.kind !== "entry-of" || !rule.keyField || rule.place.hops.length > 0 || rule.place.root) continue;
    const list = rule.place.path.at(-1) as string;
    if (words.at(-1) !== singular(list)) continue;
    const entries = c.records().flatMap((r: Row) => (Array.isArray(r[list]) ? (r[list] as unknown[]) : []));
    if (entries.length === 0) continue;
    return {
      kind: "element",
      of: { kind: "read", place: rule.place },
      field: rule.keyField,
      equals: { kind: "parameter", name: rule.parameter },
      path: [],
    };
  }
  return null;
}
