// Counts given back when a record's own records are let go, as references say it of seats and
// tickets: "all its Attendees are cancelled and their Ticket Class quantity is released". Each of
// the records the tool's record lists (its `attendee_ids`) takes one off the usage count of the
// record it refers to (the ticket class's `quantity_sold`): what a sale counted, the cancel returns.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { here, type RuleContext } from "./context.ts";

const RELEASED =
  /\btheir\s+([a-z][a-z ]*?)\s+([a-z_]+)\s+(?:is|are)\s+(?:released|freed|given back|returned)\b|\b(?:releases|frees)\s+their\s+([a-z][a-z ]*?)\s+([a-z_]+)\b/;
/** A count of uses a sale raises: sold, used, taken, booked, reserved. */
const USAGE = /_(?:sold|used|taken|booked|reserved|issued|redeemed)$/;

const words = (text: string) => nameWords(text.replace(/\s+/g, "_")).map(singular).join(" ");

/** The effects, on a change tool's description. */
export function releasedCounts(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const { sentence, source } of c.sentences("description")) {
    const m = RELEASED.exec(sentence.toLowerCase());
    if (!m) continue;
    const phrase = words((m[1] ?? m[3]) as string);
    const said = (m[2] ?? m[4]) as string;
    // "their": the records of the tool's record named before it, which its list holds the keys of.
    const before = sentence.toLowerCase().slice(0, m.index);
    for (const child of c.tables.values()) {
      if (child === target || !new RegExp(`\\b${child.entity}s?\\b`).test(before)) continue;
      const list = target.fields.find((f) => f.type === "array" && f.name === `${child.entity.replaceAll(" ", "_")}_ids`);
      const link = child.fields.find((f) => f.references && c.tables.get(f.references)?.entity === phrase);
      const counted = link ? c.tables.get(link.references as string) : undefined;
      const field = counted ? usageField(counted, said) : undefined;
      if (!list || !link || !counted?.key || !field) continue;
      c.effect(
        {
          kind: "add-each",
          place: here([list.name]),
          matching: {
            table: counted.name,
            where: [{ field: counted.key, value: { kind: "lookup", table: child.name, key: { kind: "item" }, path: [link.name] } }],
          },
          path: [field.name],
          amount: { kind: "constant", value: 1 },
          sign: -1,
        },
        source,
        `each of ${list.name} gives one back to its ${counted.entity}'s ${field.name} (${sentence.trim()})`,
      );
      return;
    }
  }
}

/** The field a phrase names (`quantity_sold`), or the one usage count its word starts (`quantity` → `quantity_sold`). */
function usageField(table: Table, said: string): Field | undefined {
  const numeric = (f: Field) => f.type === "integer" || f.type === "number";
  return (
    table.fields.find((f) => f.name === said && numeric(f)) ??
    table.fields.find((f) => numeric(f) && f.name.startsWith(`${said}_`) && USAGE.test(f.name))
  );
}
