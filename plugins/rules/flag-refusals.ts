// A call refused for a record that lacks a flag, as a text names it with "non-": "rejected for a
// non-tradable asset", "non-refundable fares cannot be changed". The record is one the call names:
// by its key, or by a field of its own the call gives (`sku` of a part); its boolean field of that
// name must not be false. A flag another sentence asks of some calls only ("fractional orders must
// use a fractionable asset") is no refusal of every call, and is left alone.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Condition, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { keyTable } from "../../lib/service-tools/subject.ts";
import { here, type RuleContext } from "./context.ts";

const REFUSAL = /\b(?:rejected|refused|cannot|can ?not|can't|may not|must not|not allowed|denied|fails?|40\d|42\d)\b/;

export function flagRefusals(c: RuleContext): void {
  if (c.subject.kind !== "create" && c.subject.kind !== "change") return;
  const all = c.sentences();
  for (const { sentence, source } of all) {
    const text = sentence.replaceAll("`", "");
    if (!REFUSAL.test(text)) continue;
    for (const m of text.matchAll(/\bnon[- ]([a-z]+)\b/g)) {
      const word = m[1] as string;
      for (const table of c.tables.values()) {
        const flag = table.fields.find((f) => f.type === "boolean" && nameWords(f.name).join(" ") === word);
        if (!flag) continue;
        // The record must be named after the flag ("a non-tradable or non-fractionable asset").
        const entity = nameWords(table.entity.replaceAll(" ", "_")).join("[ _]");
        if (!new RegExp(String.raw`\bnon[- ]${word}\b(?:[a-z ,-]*?)\b${entity}s?\b`).test(text)) continue;
        if (
          askedOfSome(
            all.map((s) => s.sentence),
            word,
          )
        )
          continue;
        const read = flagOf(c, table, flag.name);
        if (!read) continue;
        c.require(
          { kind: "compare", condition: { left: read, op: "!=", right: { kind: "constant", value: false } } },
          source,
          `${/^[aeiou]/.test(table.entity) ? "an" : "a"} ${table.entity} whose ${flag.name} is false is refused (${m[0]} ${table.entity})`,
        );
      }
    }
  }
}

/**
 * "Fractional and gift_note pledges must use cadence=once and a splittable hive": the calls
 * the subject names need the record they name to have the flag, and an enum parameter the value
 * written after it. Each word of the subject that names calls is one kind of them: a parameter's
 * name (the calls that give it), or "fractional" (the calls whose quantity, the parameter the text
 * glosses as fractional, is not whole).
 */
export function flagsAskedOfSome(c: RuleContext): void {
  if (c.subject.kind !== "create" && c.subject.kind !== "change") return;
  for (const { sentence, source } of c.sentences()) {
    const text = sentence.replaceAll("`", "");
    const m = /^(?:.*?[.;:]\s+)?([a-z_ ]+?)\s+(?:must use|must have|must be for|need|needs|require|requires)\s+([^.;]+)/.exec(text);
    if (!m) continue;
    const kinds = callKinds(c, m[1] as string);
    if (kinds.length === 0) continue;
    const asked = m[2] as string;
    for (const table of c.tables.values()) {
      const entity = nameWords(table.entity.replaceAll(" ", "_")).join("[ _]");
      for (const f of table.fields) {
        if (f.type !== "boolean" || !new RegExp(String.raw`\ban?\s+${nameWords(f.name).join("[ _]")}\s+${entity}\b`).test(asked)) continue;
        const read = flagOf(c, table, f.name);
        if (!read) continue;
        for (const when of kinds)
          c.requireWhen(
            { kind: "compare", condition: { left: read, op: "==", right: { kind: "constant", value: true } } },
            when,
            source,
            sentence,
          );
      }
    }
    for (const [, name, value] of asked.matchAll(/\b([a-z_]+)\s*=\s*([a-z_]+)\b/g)) {
      const p = c.parameter(name as string);
      if (!p?.enum?.includes(value as string)) continue;
      const rule = {
        kind: "compare" as const,
        condition: { left: { kind: "parameter" as const, name: p.name }, op: "==" as const, right: { kind: "constant" as const, value } },
      };
      for (const when of kinds) c.requireWhen(rule, when, source, sentence);
    }
  }
}

/** The kinds of call a subject names ("fractional and gift_note pledges"), each as its conditions. */
function callKinds(c: RuleContext, subject: string): Condition[][] {
  const out: Condition[][] = [];
  for (const word of subject.split(/\s+/)) {
    const p = c.parameter(word);
    if (p && !p.required) out.push([{ left: { kind: "parameter", name: p.name }, op: "given" }]);
    if (word !== "fractional") continue;
    const glossed = /\b([a-z_]+)\s*\([^)]*\bfractional/.exec(
      c
        .sentences("description")
        .map((s) => s.sentence)
        .join(" "),
    )?.[1];
    const quantity = glossed ? c.parameter(glossed) : undefined;
    if (!quantity) continue;
    const q: ValueExpr = { kind: "parameter", name: quantity.name };
    const whole: ValueExpr = { kind: "arith", op: "//", left: q, right: { kind: "constant", value: 1 } };
    out.push([
      { left: q, op: "given" },
      { left: { kind: "arith", op: "-", left: q, right: whole }, op: "!=", right: { kind: "constant", value: 0 } },
    ]);
  }
  return out;
}

/** What a text says of an option the service turns down: "the service refuses it", "it is not available". */
const TURNED_DOWN =
  /\b(?:(?:the )?service refuses it|(?:it )?is (?:refused|rejected|not available|not supported|unavailable)|cannot be (?:used|set|enabled|turned on))\b/i;

/**
 * A flag argument the service turns down, as a sentence that starts with its name says it:
 * "shareWithPublic exists only for club accounts; on this account the service refuses it".
 * Setting it is refused; leaving it out or false goes through. `policy` is all of the policy's
 * sentences, since one that speaks of an argument need not name its tool.
 */
export function refusedFlagArguments(c: RuleContext, policy: readonly string[]): void {
  if (c.subject.kind !== "create" && c.subject.kind !== "change") return;
  const said = [
    ...c.sentences("description").map(({ written, source }) => ({ sentence: written, source })),
    ...policy.map((sentence) => ({ sentence, source: "policy" as const })),
  ];
  for (const p of c.text.parameters) {
    if (p.type !== "boolean" || c.identifying.has(p.name)) continue;
    const literal = p.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const opens = new RegExp(`^\\W*(?:the\\s+|setting\\s+)?${literal}\\b`);
    const others = c.text.parameters.filter((q) => q.name !== p.name).map((q) => q.name.toLowerCase());
    const found = said.find(({ sentence }) => {
      const text = sentence.replaceAll("`", "");
      const refusal = TURNED_DOWN.exec(text);
      if (!opens.test(text) || !refusal) return false;
      // The refusal is the flag's own: no other argument is named before it ("listed defaults to true
      // and shared to false; … is refused" speaks of the pair).
      const before = new Set(
        text
          .slice(0, refusal.index)
          .toLowerCase()
          .match(/[a-z_][a-z0-9_]*/g) ?? [],
      );
      return !others.some((name) => before.has(name));
    });
    if (!found) continue;
    c.require(
      { kind: "compare", condition: { left: { kind: "parameter", name: p.name }, op: "!=", right: { kind: "constant", value: true } } },
      found.source,
      `${p.name} set to true is refused: ${found.sentence.trim()}`,
    );
  }
}

/** "fractional orders must use a fractionable asset": a sentence that asks the flag of some calls only. */
function askedOfSome(sentences: readonly string[], word: string): boolean {
  return sentences.some((s) => {
    const text = s.replaceAll("`", "");
    return new RegExp(String.raw`\b(?:must|need|needs|require|requires)\b[^.;]*?(?<!non[- ])\b${word}\b`).test(text);
  });
}

/** The flag of the record the call names: the tool's own, one named by a key parameter, or by a field of its own the call gives. */
function flagOf(c: RuleContext, table: Table, flag: string): ValueExpr | null {
  if (c.target === table && c.subject.kind === "change") return { kind: "read", place: here([flag]) };
  for (const p of c.text.parameters) {
    if (p.type !== "string" && p.type !== "integer") continue;
    if (keyTable(p, [...c.tables.values()]) === table)
      return { kind: "match", table: table.name, where: [{ field: table.key, value: { kind: "parameter", name: p.name } }], field: flag };
    const own = table.fields.find((f) => f.name === p.name && f.name !== table.key);
    if (own && distinct(c, table, own.name))
      return { kind: "match", table: table.name, where: [{ field: own.name, value: { kind: "parameter", name: p.name } }], field: flag };
  }
  return null;
}

/** Whether no two records of the table hold the same value of a field (it names one record). */
function distinct(c: RuleContext, table: Table, field: string): boolean {
  const values = c.records(table).map((r) => r[field]);
  return values.length > 0 && new Set(values.map((v) => JSON.stringify(v))).size === values.length;
}
