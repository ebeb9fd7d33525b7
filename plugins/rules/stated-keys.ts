// A new record's key as the description spells it out, where the data's keys show no pattern to
// follow (random ids): 'The new id is "0PL" followed by (number of stored playlists + 1)
// zero-padded to 19 digits', 'its key is "INV-" then the count of existing invoices plus one,
// padded with zeros to 6 digits'. The key is that prefix and that count, so a later call can name
// the new record by the key the service would have given it.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { NewKey, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import type { RuleContext } from "./context.ts";

/** `<the new id> is "<prefix>" followed by (the number of <stored> <records> + 1) zero-padded to <n> digits`. */
const STATED =
  /\b(?:new|its|the)\s+(?:record's\s+)?(?:id|key|identifier)\s+(?:is|will be|becomes)\s+["'`]([^"'`]*)["'`]\s*(?:,\s*)?(?:followed by|then|and then|\+)\s+\(?\s*(?:the\s+)?(?:number|count)\s+of\s+(?:(?:stored|existing|current)\s+)?([a-z][a-z_ ]*?)(?:\s+(?:stored|in the data|already there))?\s*(?:\+\s*1|plus\s+(?:1|one))\s*\)?\s*,?\s*(?:(?:left-)?(?:zero-)?padded(?:\s+with\s+zeros?)?|zero-filled)\s+to\s+(\d+)\s+digits/i;

/** The key a create tool's description states, built from the count of the records it names. */
export function statedNewKey(c: RuleContext): NewKey | null {
  const own = c.target;
  if (!own) return null;
  for (const { written } of c.sentences("description")) {
    const m = STATED.exec(written.replace(/\s+/g, " "));
    if (!m) continue;
    const [, prefix, noun, width] = m as unknown as [string, string, string, string];
    const counted = tableNamed(c, noun.trim()) ?? own;
    const digits = Number(width);
    const formula: ValueExpr = {
      kind: "concat",
      parts: [
        { kind: "constant", value: prefix },
        {
          kind: "digits",
          value: {
            kind: "arith",
            op: "+",
            left: { kind: "aggregate", op: "count", table: counted.name, where: [] },
            right: { kind: "constant", value: 1 },
          },
          digits,
        },
      ],
    };
    return { prefix, digits, sequential: true, formula };
  }
  return null;
}

/** The table whose name (or entity) the words name, in the singular or the plural. */
function tableNamed(c: RuleContext, noun: string): Table | null {
  const words = nameWords(noun.replaceAll(" ", "_")).map(singular).join(" ");
  for (const table of c.tables.values()) {
    const names = [table.name, table.entity.replaceAll(" ", "_")].map((n) => nameWords(n).map(singular).join(" "));
    if (names.includes(words)) return table;
  }
  return null;
}
