// A code the call writes from a number the data counts: "a confirmation number ("CNF" followed by
// the service's next confirmation number)", "a ticket_code (the venue's code_prefix followed
// by the service's next ticket number)". The field is the record's
// text field the phrase names; the number is the counter of the single-record table whose
// `next_…` field the words name, and it moves on; the prefix is the quoted text, or the value of a
// field the call reaches (no rule when that field is not found: a code without its prefix is wrong).
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Place, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { here, type RuleContext } from "./context.ts";
import { resolvePlace } from "./resolve.ts";

const CODE =
  /\b(?:an?\s+|the\s+)?([a-z][a-z_ ]*?)\s*\(\s*(?:"([^"]+)"|(?:the\s+)?([a-z][a-z_' ]*?))\s+followed\s+by\s+(?:the\s+)?(?:[a-z]+'s\s+)?next\s+([a-z][a-z_ ]*?)\s*\)/g;

export function countedCodes(c: RuleContext): void {
  const target = c.target;
  if (!target || (c.subject.kind !== "change" && c.subject.kind !== "create")) return;
  for (const { written, source, sentence } of c.sentences("description")) {
    for (const m of written.matchAll(CODE)) {
      const field = codeField(target, (m[1] as string).toLowerCase());
      const counter = counterNamed(c, (m[4] as string).toLowerCase());
      if (!field || !counter || c.writes(here([field]))) continue;
      let value: ValueExpr | null = null;
      if (m[2] !== undefined) value = { kind: "next", counter, prefix: m[2] };
      else {
        const place = resolvePlace(c, (m[3] as string).toLowerCase(), (k) => k === "string");
        const token = place?.place.path.at(-1) ?? "";
        // Only the field the phrase writes out (`code_prefix`), not a near one.
        if (place && (m[3] as string).includes(token))
          value = {
            kind: "concat",
            parts: [
              { kind: "read", place: place.place, after: true },
              { kind: "next", counter, prefix: "" },
            ],
          };
      }
      if (value) c.effect({ kind: "set", place: here([field]), value }, source, sentence);
    }
  }
}

/** The record's text field a phrase names ("confirmation number" → `confirmation`, "ticket_code"). */
function codeField(target: Table, phrase: string): string | null {
  const said = new Set(nameWords(phrase.replaceAll(" ", "_")));
  const fits = target.fields.filter(
    (f) => (f.type === "string" || f.nullable) && !f.references && nameWords(f.name).every((w) => said.has(w)),
  );
  fits.sort((a, b) => nameWords(b.name).length - nameWords(a.name).length);
  return fits[0]?.name ?? null;
}

/** The counter a phrase names ("ticket number" → `next_ticket_number`), on a single-record table. */
function counterNamed(c: RuleContext, phrase: string): Place | null {
  const said = nameWords(phrase.replaceAll(" ", "_")).filter((w) => w !== "number");
  for (const table of c.tables.values()) {
    if (table.storage !== "single") continue;
    for (const f of table.fields) {
      const m = /^next_(.+)$/.exec(f.name);
      if (!m || (f.type !== "integer" && f.type !== "number")) continue;
      const words = nameWords(m[1] as string).filter((w) => w !== "number");
      if (words.length > 0 && words.join(" ") === said.join(" ")) return { hops: [], root: { table: table.name }, path: [f.name] };
    }
  }
  return null;
}
