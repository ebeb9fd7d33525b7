// Entries a description writes out as a literal: 'A payment {type "charge", payment_method,
// amount_in_cents, created_at today} is added', 'a tender {id = payment id, type CARD, amount_money}
// is appended to the order'. API references describe the records a call appends this way; each
// field of the literal is a constant (a quoted or upper-case word, a number), the clock (today,
// now), the parameter of its name, or a value the resolver grounds ("= deposit").
import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { commaParts } from "../../lib/service-tools/tool-text.ts";
import { nowFor, type RuleContext } from "./context.ts";
import { type Candidate, resolvePlace, resolveValue } from "./resolve.ts";

/** Brace literals masked as ⦃n⦄ (innermost first, so an outer literal refers to the inner ones). */
export function maskLiterals(text: string, literals: string[]): string {
  let out = text;
  for (let round = 0; round < 4 && /\{[^{}]{0,400}\}/.test(out); round++)
    out = out.replace(/\{([^{}]{0,400})\}/g, (_, body: string) => {
      literals.push(body);
      return `⦃${literals.length - 1}⦄`;
    });
  return out;
}

/** The fragments of a masked sentence that append a literal entry: 'a payment ⦃0⦄ is added'. */
export function literalClauses(masked: string): string[] {
  const out: string[] = [];
  for (const m of masked.matchAll(
    /(?:^|[,;:(]\s*|\band\s+)(?:(?:otherwise|then|else)\s+)?((?:an?|one|the|new)\s+[A-Za-z][A-Za-z_ ]{0,40}?\s*⦃\d+⦄\s*(?:is|are)\s+(?:added|appended|recorded|stored|pushed)(?:\s+(?:to|in|on|onto)\s+(?:the\s+)?[A-Za-z_' ]{1,60}?)?)(?=[,.;)]|\s+and\b|$)/gi,
  ))
    out.push((m[1] as string).trim());
  // '`cancellation` is set to {"canceled_at": <current time>, "canceled_by": null}': a struct set whole.
  for (const m of masked.matchAll(
    /(?:^|[,;:(]\s*|\band\s+)([A-Za-z_][A-Za-z0-9_.]*)\s+(?:is|are)\s+set\s+to\s+(⦃\d+⦄)(?=[,.;)]|\s+and\b|$)/gi,
  ))
    out.push(`sets ${m[1]} to ${m[2]}`);
  // "Sets status {status, last_changed: today, last_changed_by: acting employee}": a struct set part by part.
  for (const m of masked.matchAll(/(?:^|[;.]\s*|\band\s+)(sets?\s+[A-Za-z_][A-Za-z0-9_.]*\s*⦃\d+⦄)(?=[,.;)]|\s+and\b|$)/gi))
    out.push((m[1] as string).trim());
  return out;
}

/** A struct field set part by part from a literal; true when it made the rules. */
export function literalStruct(
  c: RuleContext,
  body: string,
  literals: readonly string[],
  quotes: readonly string[],
  emit: (place: Candidate, value: ValueExpr) => void,
): boolean {
  const m = /^sets?\s+([a-z_][a-z0-9_.]*)\s*⦃(\d+)⦄$/.exec(body);
  if (!m || !c.target) return false;
  const whole = resolvePlace(
    c,
    (m[1] as string).replace(/^[a-z_]+\./, (t) => (c.tables.has(t.slice(0, -1)) ? "" : t)),
    (k) => k === "object",
  );
  if (!whole || whole.table !== c.target) return false;
  const parts = whole.field.fields ?? [];
  let made = false;
  for (const part of (literals[Number(m[2])] ?? "").split(/\s*,\s*/)) {
    const item = /^([a-z_][a-z0-9_]*)\s*(?:(?:=|:)\s*(.+))?$/i.exec(part.trim());
    const field = parts.find((f) => f.name === item?.[1]);
    if (!item || !field) continue;
    const text = item[2]?.trim();
    const value =
      text === undefined
        ? (() => {
            const p = c.text.parameters.find((q) => q.name === field.name);
            return p ? ({ kind: "parameter", name: p.name } as const) : null;
          })()
        : literalValue(c, field.name, text, quotes, parts);
    if (!value) continue;
    const place = resolvePlace(c, `${whole.place.path.join(".")}.${field.name}`);
    if (!place || place.table !== c.target) continue;
    emit(place, value);
    made = true;
  }
  return made;
}

/**
 * A struct field set whole from a literal ('sets cancellation to {"canceled_at": <current time>,
 * "canceled_by": null}'): each part a constant, the clock or a parameter; true when it made the rule.
 */
export function literalObject(
  c: RuleContext,
  body: string,
  literals: readonly string[],
  quotes: readonly string[],
  emit: (place: Candidate, value: ValueExpr) => void,
): boolean {
  const m = /^sets?\s+([a-z_][a-z0-9_.]*)\s+to\s+⦃(\d+)⦄$/.exec(body);
  if (!m || !c.target) return false;
  const whole = resolvePlace(c, m[1] as string, (k) => k === "object");
  if (!whole || whole.table !== c.target) return false;
  const known = whole.field.fields ?? [];
  const fields: Record<string, ValueExpr> = {};
  for (const part of (literals[Number(m[2])] ?? "").split(/\s*,\s*/)) {
    const item = /^(?:⟦(\d+)⟧|([a-z_][a-z0-9_]*))\s*:\s*(.+)$/i.exec(part.trim());
    if (!item) return false;
    const name = item[1] !== undefined ? (quotes[Number(item[1])] ?? "") : (item[2] as string);
    // A struct the data holds says which parts it has; one it never holds yet takes the literal's.
    if (!/^[a-z_][a-z0-9_]*$/i.test(name) || (known.length > 0 && !known.some((f) => f.name === name))) return false;
    const text = (item[3] as string)
      .trim()
      .replace(/^<\s*(?:the\s+)?(current time|now|current date|today(?:'s date)?)\s*>$/i, (_, w: string) =>
        /time|now/i.test(w) ? "now" : "today",
      );
    const value = literalValue(c, name, text, quotes, known);
    if (!value) return false;
    fields[name] = value;
  }
  if (Object.keys(fields).length === 0) return false;
  emit(whole, { kind: "object", fields });
  return true;
}

const APPENDED =
  /^(?:an?|one|the|new)?\s*([a-z][a-z_ ]*?)\s*⦃(\d+)⦄\s*(?:is|are)\s+(?:added|appended|recorded|stored|pushed)(?:\s+(?:to|in|on|onto)\s+(.+))?$/;

/** An entry the clause appends to a list of the tool's record, written as a literal; true when it made the rule. */
export function literalEntry(
  c: RuleContext,
  body: string,
  literals: readonly string[],
  quotes: readonly string[],
  emit: (place: Candidate, element: Record<string, ValueExpr>) => void,
  /** A second entry in the same list (a capture, then a refund), which a settling sentence may append. */
  again = false,
): boolean {
  const m = APPENDED.exec(body);
  if (!m || !c.target) return false;
  const noun = nameWords((m[1] as string).trim().replaceAll(" ", "_")).map(singular);
  const head = noun.at(-1);
  if (!head) return false;
  const lists = (phrase: string) => resolvePlace(c, phrase, (k) => k === "array");
  const named = m[3] ? (lists(m[3]) ?? lists(`${m[3].replace(/^the\s+/, "")}'s ${head}s`)) : null;
  // Without a destination, the record's own list of that kind ("a payment … is added": its payments).
  const own = c.target.fields.find((f) => f.type === "array" && nameWords(f.name).map(singular).at(-1) === head);
  const place = named ?? (own ? lists(own.name) : null) ?? listHolding(c, literalNames(literals[Number(m[2])] ?? ""));
  if (!place || place.table !== c.target || (c.writes(place.place) && !again)) return false;
  const fields = place.field.items?.fields ?? [];
  const element: Record<string, ValueExpr> =
    c.entryFromCall(
      fields,
      quotes,
      { name: place.place.path.at(-1) as string, entries: c.entriesAt(place.table, place.place.path) },
      again,
    ) ?? {};
  const known = new Set(fields.map((f) => f.name));
  for (const part of topLevelParts(literals[Number(m[2])] ?? "")) {
    const item = /^([a-z_][a-z0-9_]*)\s*(?:(?:=|:)\s*(.+)|\s+(.+))?$/i.exec(part.trim());
    if (!item) continue;
    const field = item[1] as string;
    if (known.size > 0 && !known.has(field)) continue;
    const value =
      literalValue(c, field, (item[2] ?? item[3])?.trim(), quotes, fields) ?? ((item[2] ?? item[3]) ? null : namedRecordField(c, field));
    if (value) element[field] = value;
  }
  if (Object.keys(element).length === 0) return false;
  emit(place, element);
  return true;
}

/** A literal's parts, split at commas outside brackets ("amount = min(a, b), created_at today"). */
function topLevelParts(literal: string): string[] {
  const parts = commaParts(literal).map((p) => p.trim());
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

/** The field names a literal lists (`{policy_id, kind, start_date}`, or `name = value` parts). */
function literalNames(literal: string): string[] {
  return literal
    .split(/\s*,\s*/)
    .map((part) => /^([a-z_][a-z0-9_]*)\b/i.exec(part.trim())?.[1])
    .filter((n): n is string => n !== undefined);
}

/**
 * "the new entry {policy_id, kind, start_date} is appended", no list named: the one list of records
 * of the tool's record whose elements hold every field the literal lists.
 */
function listHolding(c: RuleContext, names: readonly string[]): Candidate | null {
  if (!c.target || names.length < 2) return null;
  const holding = c.target.fields.filter(
    (f) => f.type === "array" && f.items?.fields && names.every((n) => f.items?.fields?.some((g) => g.name === n)),
  );
  return holding.length === 1 ? resolvePlace(c, (holding[0] as Field).name, (k) => k === "array") : null;
}

/**
 * A field of an entry the call gives no value of, held by the record a key parameter names (the
 * kind of the policy `policy_id` names): read there.
 */
function namedRecordField(c: RuleContext, field: string): ValueExpr | null {
  for (const p of c.text.parameters) {
    const table = keyTable(p, [...c.tables.values()]);
    if (!table || table === c.target || !table.fields.some((f) => f.name === field)) continue;
    return { kind: "lookup", table: table.name, key: { kind: "parameter", name: p.name }, path: [field] };
  }
  return null;
}

function literalValue(
  c: RuleContext,
  field: string,
  text: string | undefined,
  quotes: readonly string[],
  fields: readonly Field[],
): ValueExpr | null {
  const param = c.text.parameters.find((p) => p.name === field);
  if (text === undefined || text === "") return param ? { kind: "parameter", name: param.name } : null;
  if (/^⦃\d+⦄$/.test(text)) return null;
  const quote = /^⟦(\d+)⟧$/.exec(text);
  if (quote) return { kind: "constant", value: quotes[Number(quote[1])] ?? "" };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: "constant", value: Number(text) };
  if (/^(null|none)$/i.test(text)) return { kind: "constant", value: null };
  if (/^(true|false)$/i.test(text)) return { kind: "constant", value: text.toLowerCase() === "true" };
  if (/^today$/i.test(text)) return { kind: "today" };
  if (/^now$/i.test(text)) return nowFor(fields.find((f) => f.name === field) ?? {});
  if (/^[A-Z][A-Z0-9_]+$/.test(text)) return { kind: "constant", value: text };
  return resolveValue(c, text, quotes);
}
