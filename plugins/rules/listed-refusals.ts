// A list of states a call refuses, one clause each: "Refused when the book is already laminated,
// a repair is requested or approved, or the copy is already lent (or lost)". A clause "<noun> is [already] <word> [or <word>]" names, by the first reading that fits:
// values a field of the record named after the noun holds (`repair_status`: requested), states of
// the record (lent), or, for a word like the name of a field the data leaves empty on some
// records ("laminated": `lamination`), that field being filled. The record must not be so.
import type { Condition } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { commaParts } from "../../lib/service-tools/tool-text.ts";
import { here, type RuleContext } from "./context.ts";
import { statusesIn } from "./statuses.ts";

const CLAUSE = /^(?:the|an?|its)\s+([a-z_]+)\s+is\s+(?:already\s+)?([a-z_]+(?:\s+(?:or|and)\s+[a-z_]+)*)(?:\s*\(or\s+([a-z_ /]+)\))?$/;

export function listedRefusals(c: RuleContext): void {
  const target = c.target;
  if (!target || c.subject.kind !== "change") return;
  for (const { sentence, source } of c.sentences("description")) {
    const m = /\brefused\s+(?:when|if)\s+(.+)$/.exec(sentence.replace(/\.\s*$/, ""));
    if (!m) continue;
    for (const item of topLevel(m[1] as string)) {
      const clause = CLAUSE.exec(item.trim().replace(/^or\s+/, ""));
      if (!clause) continue;
      const noun = clause[1] as string;
      const words = [clause[2], clause[3]]
        .filter((w): w is string => Boolean(w))
        .flatMap((w) => w.split(/\s+(?:or|and)\s+|\s*\/\s*/))
        .map((w) => w.trim())
        .filter(Boolean);
      const condition = refusedState(c, noun, words);
      if (condition) c.require({ kind: "compare", condition }, source, `${item.trim()} (${sentence})`);
    }
  }
}

/** What the record must not be: a field's values, its states, or a field filled. */
function refusedState(c: RuleContext, noun: string, words: readonly string[]): Condition | null {
  const target = c.target;
  if (!target) return null;
  const rows = c.records(target);
  const held = (field: string) => new Set(rows.map((r) => r[field]).filter((v): v is string => typeof v === "string"));
  // `repair_status` for "a repair is requested or approved": the values it holds that the words name.
  for (const f of target.fields) {
    if (f.name === target.status?.field || f.type === "object" || f.type === "array" || !nameWords(f.name).includes(noun)) continue;
    const values = [...held(f.name)].filter((v) => words.includes(v));
    if (values.length > 0)
      return { left: { kind: "read", place: here([f.name]) }, op: "not-in", right: { kind: "constant", value: values } };
  }
  const status = target.status;
  if (status) {
    const values = [...new Set(words.flatMap((w) => statusesIn(w, status.values)))];
    if (values.length > 0)
      return { left: { kind: "read", place: here([status.field]) }, op: "not-in", right: { kind: "constant", value: values } };
  }
  // "already laminated": a field named from the same stem ("laminat…"), empty on some records.
  if (words.length !== 1) return null;
  const stem = (words[0] as string).replace(/(?:ed|d)$/, "");
  if (stem.length < 4) return null;
  const field = target.fields.find(
    (f) =>
      f.name.startsWith(stem) &&
      f.name !== target.key &&
      rows.some((r) => r[f.name] === null) &&
      rows.some((r) => r[f.name] !== null && r[f.name] !== undefined),
  );
  return field ? { left: { kind: "read", place: here([field.name]) }, op: "absent" } : null;
}

/** The clauses of a list, split at commas outside parentheses. */
function topLevel(text: string): string[] {
  return commaParts(text);
}
