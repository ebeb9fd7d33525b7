// Status values the service's texts name join the ones its data shows: a status the policy lists or
// a description sets ("Sets the bill status to AWAITING_PAYMENT") is a state of the record even when
// no record of the data is in it yet. A value is taken only where a sentence speaks of a record's
// status and writes the value as the data writes its own (the same case and shape, or quoted);
// a value that differs from a known one only by case is the known one, never a new state.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";

type Style = "upper" | "capitalised" | "lower";

function styleOf(value: string): Style | null {
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/.test(value)) return "upper";
  if (/^[A-Z][a-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/.test(value)) return "capitalised";
  if (/^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/.test(value)) return "lower";
  return null;
}

const Q = "['\"\\x60]"; // a quote: ' " or a backtick
const VALUE = `${Q}?[A-Za-z][A-Za-z0-9_-]*${Q}?`;
/**
 * "its status becomes Held", "status set to AWAITING_PAYMENT", "the status is one of 'open',
 * 'paid' or 'void'": a status, a few words, a verb that says what it is, then the values.
 */
const SAID = new RegExp(
  `\\b(?:status|state)(?:es)?\\b(?:\\s+\\w+){0,3}?\\s+(?:is|are|be|becomes?|to|as|remains?|stays?|:)\\s+(?:(?:one|any) of\\s+)?(${VALUE}(?:\\s*(?:,|or|and|, or|, and|/)\\s*${VALUE})*)`,
  "gi",
);
const QUOTED = new RegExp(`^${Q}.*${Q}$`);
const UNQUOTE = new RegExp(`^${Q}|${Q}$`, "g");

function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim().length > 0);
}

/** The values a sentence says a status is or becomes, each with the words just before the status (`the loan`). */
function namedIn(sentence: string): { value: string; quoted: boolean; before: string; words: string }[] {
  const out: { value: string; quoted: boolean; before: string; words: string }[] = [];
  for (const m of sentence.matchAll(SAID)) {
    const before = sentence.slice(Math.max(0, (m.index ?? 0) - 40), m.index ?? 0);
    for (const raw of (m[1] as string).split(/\s*(?:,|\bor\b|\band\b|\/)\s*/)) {
      const value = raw.replace(UNQUOTE, "").trim();
      if (value.length >= 2) out.push({ value, quoted: QUOTED.test(raw), before, words: m[0] });
    }
  }
  return out;
}

/** Which table a status phrase is about: the records named just before it (`the loan status`, `a bill's status`) or in it (`status of the order`). */
function ownerOf(phrase: { before: string; words: string }, tables: readonly Table[]): Table | undefined {
  const named = (t: Table) => [t.entity, t.name, t.entity.replace(/_/g, " ")].map((n) => n.toLowerCase());
  const before = phrase.before
    .toLowerCase()
    .replace(/['’]s\s*$/, " ")
    .trimEnd();
  const inside = /\bof\s+(?:the|a|an|its|this|that)?\s*(\w+)/i.exec(phrase.words)?.[1]?.toLowerCase();
  return (
    tables.find((t) => named(t).some((n) => before.endsWith(n))) ?? (inside ? tables.find((t) => named(t).includes(inside)) : undefined)
  );
}

const STOP = new Set([
  "ID",
  "API",
  "URL",
  "USD",
  "EUR",
  "GB",
  "MB",
  "OK",
  "JSON",
  "UTC",
  "NOT",
  "AND",
  "OR",
  "THE",
  "ONLY",
  "MUST",
  "NEVER",
]);

/**
 * Tables with the status values their texts name added after the data's own (in the order first
 * named). A sentence of the policy or of a tool's description counts for a table when it names the
 * table's records (`bill`, `bills`), or, from a tool's description, when the tool acts on it.
 */
export function withNamedStatuses(
  tables: readonly Table[],
  tools: readonly { spec: ToolSpec; table?: string }[],
  policy: string | null,
): Table[] {
  const withStatus = tables.filter((t) => t.status);
  if (withStatus.length === 0) return [...tables];
  const texts: { sentence: string; table?: string }[] = [
    ...(policy ? sentences(policy).map((sentence) => ({ sentence })) : []),
    ...tools.flatMap(({ spec, table }) => sentences(spec.description).map((sentence) => ({ sentence, ...(table ? { table } : {}) }))),
  ];
  const added = new Map<string, string[]>();
  // A field's or a table's name quoted in a sentence is not a state.
  const fieldNames = new Set(tables.flatMap((t) => [t.name, t.entity, ...t.fields.map((f) => f.name)]).map((n) => n.toLowerCase()));
  const known = new Map(withStatus.map((t) => [t.name, new Set((t.status?.values ?? []).map((v) => v.toLowerCase()))]));
  for (const { sentence, table: own } of texts) {
    for (const phrase of namedIn(sentence)) {
      // The records the phrase names, else the tool's own, else the one table that has a status.
      const table =
        ownerOf(phrase, withStatus) ?? (own ? withStatus.find((t) => t.name === own) : withStatus.length === 1 ? withStatus[0] : undefined);
      if (!table?.status) continue;
      const styles = new Set(table.status.values.map(styleOf));
      const style = styleOf(phrase.value);
      const seen = known.get(table.name) as Set<string>;
      // An unquoted word counts only in a style no ordinary word has (AWAITING_PAYMENT, Held).
      if (!style || !styles.has(style) || (!phrase.quoted && style === "lower")) continue;
      if (STOP.has(phrase.value) || seen.has(phrase.value.toLowerCase()) || fieldNames.has(phrase.value.toLowerCase())) continue;
      seen.add(phrase.value.toLowerCase());
      added.set(table.name, [...(added.get(table.name) ?? []), phrase.value]);
    }
  }
  return tables.map((t) => {
    const extra = added.get(t.name);
    if (!extra || !t.status) return t;
    const field = t.status.field;
    // The field's enum too: the code's record types allow what the rules may write.
    const fields = t.fields.map((f) => (f.name === field && f.enum ? { ...f, enum: [...f.enum, ...extra] } : f));
    return { ...t, fields, status: { ...t.status, values: [...t.status.values, ...extra] } };
  });
}
