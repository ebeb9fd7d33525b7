// Rules from the data's own examples: fields that records in the new state hold and the others do
// not (a `cancel_reason` set from the reason), entries of a history that records in the new state
// hold (a refund mirroring each payment, credited back to a balance), pools of open slots a booking
// takes and a cancellation gives back, and numbers the data keeps for the next key.
import type { Field, Table } from "../../../lib/contracts/domain-schema.ts";
import type { Row } from "../../../lib/contracts/domain-state.ts";
import type { Condition, ValueExpr } from "../../../lib/contracts/tool-rules.ts";
import { heldAt, here, isTime, nowFor, type RuleContext } from "../context.ts";
import { differsFromTwin, entryOfKind, mirrorOf } from "../money.ts";
import { changeSlots, slotPool } from "../slots.ts";

/**
 * What the data shows a change does: slots a booking or a move takes (`before`, first of all
 * effects), fields and history entries records in the new state hold (`transitions`), slots it
 * gives back (`after`, last).
 */
export function dataPass(
  c: RuleContext,
  to: string | null,
  allowed: readonly string[] | null,
): { transitions: (required?: readonly string[] | null) => void; after: () => void } {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return { transitions: () => {}, after: () => {} };
  const pool = slotPool(c, target);
  const slots = pool ? changeSlots(c, pool, to, allowed) : null;
  slots?.before();
  return {
    transitions: (required) => {
      if (!target.status) return;
      if (to) {
        transitionFields(c, target, to, allowed, [], required ?? null);
        transitionArrays(c, target, to, allowed);
        return;
      }
      // patch_task(status: "completed" | "needsAction"): the state an argument sets, each with
      // the fields records in that state hold, on the calls that set it.
      const field = target.status.field;
      const param = c.text.parameters.find((p) => p.name === field && p.enum && p.enum.length > 0);
      if (!param) return;
      const set = (param.enum ?? []).filter((v): v is string => typeof v === "string" && target.status?.values.includes(v) === true);
      const on = (value: string): Condition[] => [
        { left: { kind: "parameter", name: param.name }, op: "==", right: { kind: "constant", value } },
      ];
      for (const value of set) transitionFields(c, target, value, null, on(value));
      // After every state's fields are set: what one state leaves out, another's records hold.
      for (const value of set) transitionClears(c, target, value, on(value));
    },
    after: () => slots?.after(),
  };
}

/** Fields the data's records in the new state hold and the others do not, set from parameters, today or now. */
function transitionFields(
  c: RuleContext,
  table: Table,
  to: string,
  allowed: readonly string[] | null,
  when: Condition[] = [],
  required: readonly string[] | null = null,
): void {
  const field = table.status?.field as string;
  const rows = c.records(table);
  const after = rows.filter((r) => r[field] === to);
  const before = rows.filter((r) => r[field] !== to && (!allowed || allowed.includes(String(r[field]))));
  if (after.length === 0) return;
  const taken = new Set<string>([c.subject.keyParameter ?? ""]);
  for (const f of table.fields) {
    if (f.name === field || f.name === table.key) continue;
    if (heldShare(after, (r) => r[f.name]) < 0.8 || heldShare(before, (r) => r[f.name]) > 0.2) continue;
    const param = c.parameterFor(f.name, taken);
    let value: ValueExpr | null = null;
    if (param) {
      value = { kind: "parameter", name: param.name };
      taken.add(param.name);
    } else if (!fewWitnesses(after, before, (r) => r[f.name], f.name, to)) {
      if (f.format === "date") value = { kind: "today" };
      else if (isTime(f)) value = nowFor(f);
    }
    // A value the description states for the field ("the order gets chosen_plan") wins over one guessed from the data.
    if (value && !c.writes(here([f.name]), "description") && !(when.length > 0 && c.writes(here([f.name]))))
      c.effect(
        { kind: "set", place: here([f.name]), value },
        "data",
        `${table.entity}s that are ${to} in the data hold ${f.name}, the others do not: it is set from ${param ? param.name : value.kind}`,
        when,
      );
  }
  const from = required ? rows.filter((r) => r[field] !== to && required.includes(String(r[field]))) : before;
  stateStamps(c, table, to, after, before, from, when);
}

/** The share of the records that hold a value where `read` looks (none of an empty set). */
function heldShare(rows: readonly Row[], read: (r: Row) => unknown): number {
  return rows.length === 0 ? 0 : rows.filter((r) => read(r) !== undefined && read(r) !== null).length / rows.length;
}

/**
 * Too few records in the new state to tell a time of that state from a time they merely happen to
 * hold (the one voided invoice holds a due date, as some open ones do): with fewer than three, the
 * records in other states must hold none of it, or the time's name must say the state (`voided_at`
 * for void, `canceled_at` for canceled).
 */
function fewWitnesses(after: readonly Row[], before: readonly Row[], read: (r: Row) => unknown, name: string, state: string): boolean {
  if (after.length >= 3 || heldShare(before, read) === 0) return false;
  const word = name.toLowerCase().split(/[_\W]+/)[0] ?? "";
  const stem = state.toLowerCase().replace(/e?d$/, "");
  return !(stem.length >= 3 && word.startsWith(stem.slice(0, Math.max(3, stem.length - 1))));
}

/**
 * Times kept in a struct of stamps, one per state (`status_transitions.voided_at`): a part records in
 * the new state hold and the others leave empty is stamped now. What the record still owes goes to 0
 * when every record in the new state holds 0 and the records it may come from hold more (a voided
 * invoice's `amount_remaining`).
 */
function stateStamps(c: RuleContext, table: Table, to: string, after: Row[], before: Row[], from: Row[], when: Condition[]): void {
  for (const f of table.fields) {
    if (f.type !== "object" || !f.fields) continue;
    for (const part of f.fields) {
      if (!isTime(part)) continue;
      const read = (r: Row) => (r[f.name] as Row | null | undefined)?.[part.name];
      const place = here([f.name, part.name]);
      // A struct the description sets whole (a copy of the entry chosen) keeps its own stamps.
      if (
        heldShare(after, read) < 0.8 ||
        heldShare(before, read) > 0.2 ||
        c.writes(place) ||
        c.writes(here([f.name])) ||
        fewWitnesses(after, before, read, part.name, to)
      )
        continue;
      c.effect(
        { kind: "set", place, value: nowFor(part) },
        "data",
        `${table.entity}s that are ${to} in the data hold ${f.name}.${part.name}, the others do not: it is stamped now`,
        when,
      );
    }
  }
  // Owing is judged on the records the call may act on (the states it requires), where it says.
  if (from.length === 0) return;
  for (const f of table.fields) {
    if ((f.type !== "number" && f.type !== "integer") || f.name === table.key || c.writes(here([f.name]))) continue;
    if (!/(remaining|outstanding|owed|due)$/.test(f.name)) continue;
    const zero = after.every((r) => r[f.name] === 0);
    const owing = from.filter((r) => typeof r[f.name] === "number" && (r[f.name] as number) > 0).length / from.length;
    if (!zero || owing < 0.8) continue;
    c.effect(
      { kind: "set", place: here([f.name]), value: { kind: "constant", value: 0 } },
      "data",
      `${table.entity}s that are ${to} in the data owe nothing (${f.name} 0), the ones it comes from do`,
      when,
    );
  }
}

/**
 * Fields no record in the state an argument sets holds, while the records of the other states all
 * do (a completion time, on a task set back to needing action): the field leaves the record. Only
 * fields no argument gives, which the service itself keeps.
 */
function transitionClears(c: RuleContext, table: Table, to: string, when: Condition[]): void {
  const field = table.status?.field as string;
  const rows = c.records(table);
  const after = rows.filter((r) => r[field] === to);
  const others = rows.filter((r) => r[field] !== to);
  if (after.length < 2 || others.length < 2) return;
  for (const f of table.fields) {
    if (f.name === field || f.name === table.key || c.parameterFor(f.name, new Set())) continue;
    const read = (r: Row) => r[f.name];
    if (heldShare(after, read) > 0 || heldShare(others, read) < 1) continue;
    c.effect(
      { kind: "unset", place: here([f.name]) },
      "data",
      `${table.entity}s that are ${to} in the data never hold ${f.name}, the others all do: it leaves the ${table.entity}`,
      when,
    );
  }
}

/**
 * Arrays of entries that grow with the transition: kinds of entries only records in the new state
 * hold. An entry that mirrors an earlier one (a refund of each payment: the same amount and method)
 * is a mirror, with its amount credited back to a balance when the description says so; another is
 * an entry appended from the call (a replacement charge).
 */
function transitionArrays(c: RuleContext, table: Table, to: string, allowed: readonly string[] | null): void {
  const status = table.status?.field as string;
  const rows = c.records(table);
  const after = rows.filter((r) => r[status] === to);
  const before = rows.filter((r) => r[status] !== to && (!allowed || allowed.includes(String(r[status]))));
  for (const f of table.fields) {
    const elementFields = f.items?.fields;
    if (f.type !== "array" || !elementFields) continue;
    const kindField =
      elementFields.find((e) => e.enum && e.type === "string") ??
      elementFields.find((e) => e.type === "string" && /(^|_)(kind|type)$/.test(e.name));
    if (!kindField) {
      negatedMirror(c, table, f, elementFields, after, to);
      continue;
    }
    const kindsOf = (set: Row[]) =>
      new Set(set.flatMap((r) => ((r[f.name] as Row[] | undefined) ?? []).map((e) => String(e[kindField.name]))));
    const beforeKinds = kindsOf(before);
    const newKinds = [...kindsOf(after)].filter((k) => !beforeKinds.has(k));
    for (const kind of newKinds) {
      // An entry of this kind the description already writes out is not guessed again from the data.
      const stated = c.effects.some((r) => {
        if (r.rule.kind !== "append" || r.rule.place.hops.length > 0 || r.rule.place.path.join(".") !== f.name) return false;
        const value = r.rule.element[kindField.name];
        return value?.kind === "constant" && value.value === kind;
      });
      if (stated) continue;
      const amountField = elementFields.find((e) => e.type === "number" || e.type === "integer");
      const mirrored = amountField ? mirrorOf(after, f.name, kindField.name, kind, amountField.name) : null;
      if (mirrored) {
        // What a mirror entry does not copy from its twin: its kind, and dates it has its own of.
        const set: Record<string, ValueExpr> = { [kindField.name]: { kind: "constant", value: kind } };
        for (const e of elementFields) {
          if (e.format !== "date" && e.format !== "date-time") continue;
          if (differsFromTwin(after, f.name, kindField.name, kind, amountField?.name as string, e.name))
            set[e.name] = e.format === "date" ? { kind: "today" } : nowFor(e);
        }
        const methodField = elementFields.find((e) => /(method|source|account|card)/.test(e.name) && e.type === "string");
        const map = methodField ? c.mapFor(methodField.name) : null;
        const credits = c
          .sentences()
          .some(({ sentence }) => /\b(refund|credit|added back|returned to|added to)/.test(sentence) && /\bbalance\b/.test(sentence));
        const balance = map?.entryFields.find((e) => e.name === "balance" || /balance/.test(e.name));
        c.effect(
          {
            kind: "mirror",
            place: here([f.name]),
            match: { field: kindField.name, value: mirrored },
            set,
            ...(map && methodField && balance && credits
              ? {
                  credit: {
                    ...heldAt(map),
                    entryField: methodField.name,
                    amountField: amountField?.name as string,
                    balanceField: balance.name,
                  },
                }
              : {}),
          },
          "data",
          `every ${mirrored} entry of ${f.name} gets a ${kind} entry of the same amount (${table.entity}s that are ${to} in the data hold them)${map && credits ? `, credited back to the ${map.field.name.replaceAll("_", " ")} balance` : ""}`,
        );
      } else {
        const element = entryOfKind(c, elementFields, kindField.name, kind);
        if (element)
          c.effect(
            { kind: "append", place: here([f.name]), element },
            "data",
            `a ${kind} entry is appended to ${f.name} (${table.entity}s that are ${to} in the data hold one)`,
          );
      }
    }
  }
}

/**
 * Entries with no kind, where records in the new state hold, for each positive amount, the same
 * entry with the amount negated (a refund of each payment, written as `-amount`): a mirror that
 * negates, credited back to a balance when the description says so.
 */
function negatedMirror(c: RuleContext, table: Table, f: Field, elements: readonly Field[], after: Row[], to: string): void {
  const amount = elements.find((e) => e.type === "number" || e.type === "integer");
  if (!amount || after.length === 0) return;
  const others = elements.filter((e) => e !== amount).map((e) => e.name);
  const mirrored = after.every((row) => {
    const entries = (row[f.name] as Row[] | undefined) ?? [];
    const negatives = entries.filter((e) => typeof e[amount.name] === "number" && (e[amount.name] as number) < 0);
    return (
      negatives.length > 0 &&
      negatives.every((n) =>
        entries.some((p) => p[amount.name] === -(n[amount.name] as number) && others.every((o) => p[o] === n[o] || !(o in n))),
      )
    );
  });
  if (!mirrored) return;
  const methodField = elements.find((e) => /(method|source|account|card|payment_id)/.test(e.name) && e.type === "string");
  const map = methodField ? c.mapFor(methodField.name) : null;
  const balance = map?.entryFields.find((e) => /balance/.test(e.name));
  const credits = c
    .sentences()
    .some(({ sentence }) => /\b(refund|credit|added back|returned to|added to)/.test(sentence) && /\bbalance\b/.test(sentence));
  c.effect(
    {
      kind: "mirror",
      place: here([f.name]),
      match: { field: amount.name, value: null },
      set: {},
      negate: amount.name,
      ...(map && methodField && balance && credits
        ? { credit: { ...heldAt(map), entryField: methodField.name, amountField: amount.name, balanceField: balance.name } }
        : {}),
    },
    "data",
    `every payment of ${f.name} gets its negation appended (${table.entity}s that are ${to} in the data hold them)`,
  );
}
