// A change to every element of a list the tool's record holds, as descriptions state it: "every
// fulfillment not yet COMPLETED or CANCELED becomes CANCELED", "each line item is set to returned",
// "all segments that are still open become closed". The list is the record's list of records its
// noun names; the field is the elements' one whose values hold the new state.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { RuleSource } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { here, type RuleContext } from "./context.ts";

const EACH =
  /\b(?:every|each|all(?: the)?|all of the)\s+([a-z][a-z_ ]*?)\s+(?:(?:on|of|for|in|under)\s+(?:the|this|its)\s+[a-z_ ]+?\s+)?(?:(?:that|which|still)\s+(?:is|are)\s+)?(?:(not\s+(?:yet\s+|already\s+)?|still\s+)?([a-z_]+(?:(?:,\s*|,?\s+or\s+)[a-z_]+)*)\s+)?(?:becomes?|is set to|are set to|is marked(?: as)?|are marked(?: as)?|turns|moves to|move to)\s+["“]?([a-z_]+)["”]?(?:\s+with\s+([a-z_]+)\s+(?:set to\s+)?(?:null|none))?/i;

/** Effects on every element (or every element in some states) of a list of the tool's record. */
export function eachElementStates(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const { written, source } of c.sentences("description")) {
    for (const clause of written.replace(/`/g, "").split(/;|:\s|,\s+and\s+(?=every|each|all)/i)) {
      const m = EACH.exec(clause);
      if (!m) continue;
      const noun = nameWords(m[1] as string).map(singular);
      const list = target.fields.find(
        (f) => f.type === "array" && f.items?.fields && nameWords(f.name).map(singular).join(" ") === noun.join(" "),
      );
      if (!list?.items?.fields) {
        ownedRecords(c, noun, m, source, clause.trim());
        continue;
      }
      const values = elementValues(c, list);
      const state = stateField(list.items.fields, values, m[4] as string);
      if (!state) continue;
      const known = values.get(state.name) ?? [];
      const spell = (word: string) => known.find((v) => v.toLowerCase() === word.toLowerCase()) ?? null;
      const value = spell(m[4] as string);
      if (value === null) continue;
      const listed = m[3] ? (m[3] as string).split(/,\s*|,?\s+or\s+/).map(spell) : [];
      // A condition that names no state of the elements ("every item shipped late") is not read.
      if (m[3] && listed.some((v) => v === null)) continue;
      c.effect(
        {
          kind: "set-each",
          place: here([list.name]),
          set: { [state.name]: { kind: "constant", value } },
          ...(m[3] ? { only: { field: state.name, op: m[2] && /not/.test(m[2]) ? "not-in" : "in", values: listed as string[] } } : {}),
        },
        source,
        clause.trim(),
      );
    }
  }
}

/** The values each field of a list's elements holds over the data (its enum, else what the records hold). */
function elementValues(c: RuleContext, list: Field): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of list.items?.fields ?? []) {
    if (f.type !== "string") continue;
    const seen = new Set<string>((f.enum ?? []).map(String));
    for (const record of c.records())
      for (const element of (record[list.name] as unknown[] | undefined) ?? [])
        if (element && typeof element === "object") {
          const v = (element as Record<string, unknown>)[f.name];
          if (typeof v === "string") seen.add(v);
        }
    out.set(f.name, [...seen]);
  }
  return out;
}

/** The elements' field whose values hold the new state (a status or state field first). */
function stateField(fields: readonly Field[], values: ReadonlyMap<string, string[]>, word: string): Field | null {
  const holds = fields.filter((f) => (values.get(f.name) ?? []).some((v) => v.toLowerCase() === word.toLowerCase()));
  return holds.find((f) => /(^|_)(status|state)$/.test(f.name)) ?? holds[0] ?? null;
}

/** "every Card on the account that is not already canceled becomes canceled": the records of another table that refer to the tool's record. */
function ownedRecords(c: RuleContext, noun: readonly string[], m: RegExpExecArray, source: RuleSource, text: string): void {
  const target = c.target as Table;
  for (const table of c.tables.values()) {
    if (table === target || nameWords(table.entity).map(singular).join(" ") !== noun.join(" ")) continue;
    const link = table.fields.find((f) => f.references === target.name);
    if (!link) continue;
    const values = new Map<string, string[]>();
    for (const f of table.fields)
      if (f.type === "string")
        values.set(f.name, [
          ...new Set([
            ...(f.enum ?? []).map(String),
            ...c
              .records(table)
              .map((r) => r[f.name])
              .filter((v): v is string => typeof v === "string"),
          ]),
        ]);
    const state = stateField(table.fields, values, m[4] as string);
    if (!state) return;
    const known = values.get(state.name) ?? [];
    const spell = (word: string) => known.find((v) => v.toLowerCase() === word.toLowerCase()) ?? null;
    const value = spell(m[4] as string);
    const listed = m[3] ? (m[3] as string).split(/,\s*|,?\s+or\s+/).map(spell) : [];
    if (value === null || (m[3] && listed.some((v) => v === null))) return;
    // "… becomes "available" with order_id null": the link let go too, when it is the field that holds it.
    const cleared =
      m[5] && table.fields.some((f) => f.name === m[5] && f.nullable) ? { [m[5]]: { kind: "constant" as const, value: null } } : {};
    c.effect(
      {
        kind: "set-each",
        place: here([]),
        of: { table: table.name, field: link.name },
        set: { [state.name]: { kind: "constant", value }, ...cleared },
        ...(m[3] ? { only: { field: state.name, op: m[2] && /not/.test(m[2]) ? "not-in" : "in", values: listed as string[] } } : {}),
      },
      source,
      text,
    );
    return;
  }
}
