// What a call does to the record that refers back to the tool's record, as descriptions say it:
// "the open accommodation charges are removed from its folio" (the folio is the record whose
// `reservationId` names the reservation). The entries leave the referring record's list of them;
// words before the list's noun that are values of one of its entries' fields say which ones.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Hop } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { singular } from "../../lib/domain-model/words.ts";
import type { RuleContext } from "./context.ts";

/** The records of other tables that name the target by a field of theirs, each with the hop that reaches one. */
export function referringHops(c: RuleContext, target: Table): { table: Table; hop: Hop }[] {
  const out: { table: Table; hop: Hop }[] = [];
  for (const table of c.tables.values()) {
    if (table === target) continue;
    const link = table.fields.find((f) => f.references === target.name);
    if (link) out.push({ table, hop: { field: link.name, table: table.name, back: true } });
  }
  return out;
}

/** "The open accommodation charges are removed from its folio": entries leave the referring record's list. */
export function referringRemovals(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const { table, hop } of referringHops(c, target)) {
    const pattern = new RegExp(
      String.raw`\b(?:the\s+|all\s+)?((?:[a-z-]+\s+){0,3}?)([a-z]+)\s+(?:are|is)\s+(?:removed|deleted|dropped|taken off|cleared)\s+from\s+(?:its|the|their)\s+${table.entity}s?\b`,
      "g",
    );
    for (const { written, source } of c.sentences("description")) {
      const sentence = written.toLowerCase();
      for (const m of sentence.matchAll(pattern)) {
        const noun = singular(m[2] as string);
        const list = table.fields.find((f) => f.type === "array" && f.items?.fields && nameWords(f.name).map(singular).join(" ") === noun);
        if (!list?.items?.fields) continue;
        // Which entries: a word before the noun that is a value one of their fields holds ("accommodation").
        const words = (m[1] as string).trim().split(/\s+/).filter(Boolean);
        let which: { field: string; value: string } | null = null;
        for (const f of list.items.fields) {
          if (f.type !== "string") continue;
          const seen = new Set<string>((f.enum ?? []).map(String));
          for (const r of c.records(table))
            for (const e of (valueIn(r, [list.name]) as unknown[] | undefined) ?? [])
              if (e && typeof e === "object" && typeof (e as Record<string, unknown>)[f.name] === "string")
                seen.add((e as Record<string, unknown>)[f.name] as string);
          const value = [...seen].find((v) => words.includes(v.toLowerCase()));
          if (value) {
            which = { field: f.name, value };
            break;
          }
        }
        if (!which) continue;
        c.effect(
          {
            kind: "remove-values",
            place: { hops: [hop], path: [list.name] },
            values: { kind: "constant", value: [which.value] },
            field: which.field,
          },
          source,
          m[0],
        );
      }
    }
  }
}
