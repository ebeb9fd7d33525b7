// Entries of a record's list of charges handed back by name, under a condition on a record the call
// reaches: "For venues with refund_policy instant (…) the booking is voided at once: the SeatFee
// and any CoverFee are marked refunded and credited back to the member's balance". The
// names are values of the entries' kind field (as the data writes them); each entry so named is
// marked (its boolean field of the mark's name set true) and its amount goes back to the balance.
// "For X with <field> <value>": only on calls where the field the call reaches holds that value.
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { Condition, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { here, type RuleContext } from "./context.ts";
import { resolvePlace } from "./resolve.ts";

const FOR = /^for\s+[a-z]+\s+with\s+([a-z_]+)\s+([a-z_]+)\b/;
const MARKED =
  /\b((?:(?:the|any)\s+[a-z_]+(?:,\s*|\s+and\s+))+(?:the|any)\s+[a-z_]+)\s+(?:are|is)\s+marked\s+([a-z_]+)\s+and\s+(?:credited|refunded|returned)\s+(?:back\s+)?to\s+((?:the\s+)?[a-z_]+(?:'s)?(?:\s+[a-z_]+){0,2}?\s*balance)\b/;

export function refundedEntries(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const { sentence, source } of c.sentences("description")) {
    const m = MARKED.exec(sentence);
    if (!m) continue;
    const names = [...(m[1] as string).matchAll(/(?:the|any)\s+([a-z_]+)/g)].map((n) => n[1] as string);
    const mark = m[2] as string;
    const holder = resolvePlace(c, m[3] as string, (k) => k === "number");
    if (!holder) continue;
    for (const list of target.fields) {
      const parts = list.type === "array" ? (list.items?.fields ?? []) : [];
      const flag = parts.find((f) => f.name === mark && f.type === "boolean");
      const amount = parts.find((f) => f.name === "amount" || f.name === "value");
      const entries = c.entriesAt(target, [list.name]);
      const kind = parts.find(
        (f: Field) => f.type === "string" && names.every((n) => entries.some((e) => String(e[f.name]).toLowerCase() === n)),
      );
      if (!flag || !amount || !kind) continue;
      const spelt = names.map((n) => String(entries.find((e) => String(e[kind.name]).toLowerCase() === n)?.[kind.name]));
      const when = condition(c, sentence);
      if (when === null) return;
      for (const name of spelt) {
        const entry = (path: string[]): ValueExpr => ({
          kind: "element",
          of: { kind: "read", place: here([list.name]) },
          field: kind.name,
          equals: { kind: "constant", value: name },
          path,
        });
        c.effect({ kind: "add", place: holder.place, amount: entry([amount.name]), sign: 1 }, source, sentence, [
          ...when,
          { left: entry([]), op: "given" },
        ]);
      }
      c.effect(
        {
          kind: "set-each",
          place: here([list.name]),
          set: { [flag.name]: { kind: "constant", value: true } },
          only: { field: kind.name, op: "in", values: spelt },
        },
        source,
        sentence,
        when,
      );
      return;
    }
  }
}

/** "For venues with refund_policy instant": the field the call reaches holds the value; [] when the sentence sets none, null when it is not found. */
function condition(c: RuleContext, sentence: string): Condition[] | null {
  const m = FOR.exec(sentence);
  if (!m) return [];
  const place = resolvePlace(c, m[1] as string, (k) => k === "string");
  if (!place || place.place.path.at(-1) !== m[1]) return null;
  return [{ left: { kind: "read", place: place.place }, op: "==", right: { kind: "constant", value: m[2] } }];
}
