// A value unique within a parent, as references say it of codes and names: "Codes are unique per
// Event (case-insensitive)", a parameter "Ticket Class name, unique within the Event". A new record
// whose value another record of the same parent already holds is refused (compared in any case).
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import type { RuleContext } from "./context.ts";

const UNIQUE =
  /\b([a-z_]+)s?\s+(?:are|is|must be)\s+unique\s+(?:per|within|in|for|across)\s+(?:the|an?|each|its)?\s*([a-z][a-z ]*?)(?=\s*(?:[,.;(]|$))/g;
const UNIQUE_PARAMETER = /\bunique\s+(?:per|within|in|for)\s+(?:the|an?|each|its)?\s*([a-z][a-z ]*?)(?=\s*(?:[,.;(]|$))/;

/** The parent table a phrase names (`event` → events) that the tool's record refers to, and the field it does it by. */
function parentOf(c: RuleContext, target: Table, phrase: string): { field: string } | null {
  const words = nameWords(phrase.trim().replace(/\s+/g, "_")).map(singular).join(" ");
  const table = [...c.tables.values()].find((t) => t.entity === words);
  const link = table ? target.fields.find((f) => f.references === table.name) : undefined;
  return link ? { field: link.name } : null;
}

/** Refusals of a new record whose value is already held in its parent. */
export function uniqueValues(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "create") return;
  const found: { field: string; parent: string; text: string }[] = [];
  for (const { sentence } of c.sentences("description"))
    for (const m of sentence.toLowerCase().matchAll(UNIQUE)) {
      const field = singular(m[1] as string);
      const parent = parentOf(c, target, m[2] as string);
      if (parent && target.fields.some((f) => f.name === field)) found.push({ field, parent: parent.field, text: sentence });
    }
  for (const p of c.text.parameters) {
    const m = UNIQUE_PARAMETER.exec((p.description ?? "").toLowerCase());
    const parent = m ? parentOf(c, target, m[1] as string) : null;
    if (parent && target.fields.some((f) => f.name === p.name))
      found.push({ field: p.name, parent: parent.field, text: p.description ?? "" });
  }
  for (const { field, parent, text } of found) {
    const value = c.parameter(field);
    const owner = c.parameter(parent);
    if (!value || !owner?.required) continue;
    const where: { field: string; value: ValueExpr }[] = [
      { field, value: { kind: "parameter", name: value.name } },
      { field: parent, value: { kind: "parameter", name: owner.name } },
    ];
    c.require(
      {
        kind: "compare",
        condition: { left: { kind: "aggregate", op: "count", table: target.name, where }, op: "==", right: { kind: "constant", value: 0 } },
      },
      "description",
      `a ${target.entity} whose ${field} another of the same ${parent} holds is refused (${text.trim()})`,
    );
  }
}
