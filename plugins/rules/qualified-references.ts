// A key parameter whose record a tool's description qualifies with a state: "Requests a payout
// over an APPROVED bank link": only records of that table in that state are accepted. The state is
// a value of the named table's status, written right before its entity's head noun; the
// requirement is on the record the parameter names.
import { nameWords } from "../../lib/data-pack/places.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import type { RuleContext } from "./context.ts";
import { statusesIn } from "./statuses.ts";

/** Words before the record in a description that say the call goes through it ("over an APPROVED link"). */
const THROUGH = String.raw`\b(?:over|through|via|using|uses?|from|into|to|with|needs?|requires?|must use)\s+(?:an?|the|its|one)\s+`;

export function qualifiedReferences(c: RuleContext): void {
  if (c.subject.kind !== "create" && c.subject.kind !== "change") return;
  const tables = [...c.tables.values()];
  for (const p of c.text.parameters) {
    if (p.name === c.subject.keyParameter) continue;
    const table = keyTable(p, tables);
    const status = table?.status;
    if (!table || !status || table === c.target) continue;
    const head = nameWords(table.entity.replaceAll(" ", "_")).at(-1) ?? "";
    // The tool's description, after a word of going through ("over an APPROVED link"). A parameter's
    // own description says as much ("Id of the OPEN order") but is not read yet: on the storefront
    // pack it refuses a payment after an unpaid order was wrongly completed (a cascade, one task).
    const said = c.text.sentences.map((s) => statedState(s, status.values, head, THROUGH)).find((v) => v !== null) ?? null;
    if (!said) continue;
    c.require(
      {
        kind: "status-in",
        place: { hops: [], root: { table: table.name, key: { kind: "parameter", name: p.name } }, path: [status.field] },
        values: [said],
      },
      "description",
      `the ${table.entity} ${p.name} names must be ${said} ("${said} ${head}")`,
    );
  }
}

/** The one state written right before the head noun (`APPROVED … link`), after `lead` when given. */
function statedState(text: string, values: readonly string[], head: string, lead: string): string | null {
  const plain = text.replaceAll("`", "");
  const found = new Set<string>();
  for (const v of values) {
    const word = v
      .toLowerCase()
      .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      .replaceAll("_", "[_ ]");
    const pattern = new RegExp(String.raw`${lead}${word}\s+(?:[a-z]+\s+)?${head}s?\b`, "i");
    if (pattern.test(plain) && statusesIn(plain, [v]).length > 0) found.add(v);
  }
  return found.size === 1 ? ([...found][0] as string) : null;
}
