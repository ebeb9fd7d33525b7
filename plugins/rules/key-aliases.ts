// Words a service takes in place of a key: "Calendar id, or primary.", "Task list id, or @default.",
// "the user id, or me". The word stands for the one record the data marks with a flag of that name
// (`primary: true`, `isDefault: true`), so a call that says `primary` acts on that record, as the
// service resolves it before anything else.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ServiceModel } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import type { RuleContext } from "./context.ts";

export type KeyAlias = NonNullable<ServiceModel["aliases"]>[number];

/** "… id, or primary", "… id or `@default`": the word said as the other way to name a record. */
const OR_WORD = /\bid\b[^.;]*?,?\s+or\s+["'`]?(@?[a-z][a-z_-]*)["'`]?\s*(?:[.;)]|$)/i;

/** The aliases of the call's key and reference parameters that the data can resolve. */
export function keyAliases(c: RuleContext): KeyAlias[] {
  const out: KeyAlias[] = [];
  const tables = [...c.tables.values()];
  for (const p of c.text.parameters) {
    if (p.type !== "string") continue;
    const table = p.name === c.subject.keyParameter && c.target ? c.target : (keyTable(p, tables) ?? undefined);
    if (!table || table.storage) continue;
    const said = OR_WORD.exec(p.description);
    if (!said) continue;
    const alias = said[1] as string;
    const flag = flagFor(c, table, alias.replace(/^@/, "").toLowerCase());
    if (flag) out.push({ parameter: p.name, alias, table: table.name, field: flag });
  }
  return out;
}

/** The boolean field named by the word (`primary`, `isDefault`, `is_default`) that exactly one record holds true. */
function flagFor(c: RuleContext, table: Table, word: string): string | null {
  for (const field of table.fields) {
    if (field.type !== "boolean") continue;
    const words = nameWords(field.name).filter((w) => w !== "is");
    if (words.join("_") !== word) continue;
    const marked = c.records(table).filter((r) => r[field.name] === true);
    if (marked.length === 1) return field.name;
  }
  return null;
}
