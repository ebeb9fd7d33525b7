// A list a call gives whole, kept as the data keeps its entries: "Creates a Manifest with its
// lines ("mline_…", numbered after it in order)". Each given element becomes an entry: its
// key from the counter the quoted prefix's keys come from (after the record's own), the values every
// entry in the data holds alike (`object: "ManifestLine"`), the clock for its times, and numbers the
// data writes as decimal text (`"12.50"`) written so.
import type { ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { isTime, nowFor, type RuleContext } from "./context.ts";
import { counterFor } from "./counters.ts";
import { sameValue } from "./creation.ts";

export function givenEntries(c: RuleContext, fields: Record<string, ValueExpr>): void {
  const target = c.target;
  if (!target || c.subject.kind !== "create") return;
  const text = c.text.written.sentences.join(" ");
  for (const list of target.fields) {
    const value = fields[list.name];
    const param = value?.kind === "parameter" ? c.parameter(value.name) : undefined;
    const parts = list.type === "array" ? (list.items?.fields ?? []) : [];
    if (param?.type !== "array" || parts.length === 0) continue;
    const entries = c.entriesAt(target, [list.name]);
    const ids = entries.map((e) => e.id).filter((k): k is string => typeof k === "string");
    const prefix = /^([a-z]+_)\d+$/.exec(ids[0] ?? "")?.[1];
    // The list's entries are keyed as the description says ("mline_…"), else this is no list of entries.
    if (!prefix || !text.includes(`"${prefix}…"`)) continue;
    const counter = counterFor(c.tables, c.data, nameWords(singular(list.name)), ids);
    if (!counter) continue;
    const given = new Set(
      Object.keys(
        ((c.text.spec.parameters.properties ?? {}) as Record<string, { items?: { properties?: object } }>)[param.name]?.items?.properties ??
          {},
      ),
    );
    const added: Record<string, ValueExpr> = { id: { kind: "next", counter: counter.place, prefix } };
    for (const f of parts) {
      if (f.name === "id") continue;
      const texts = entries.map((e) => e[f.name]).filter((v): v is string => typeof v === "string" && /^-?\d+\.\d+$/.test(v));
      if (given.has(f.name)) {
        // A number the call gives that the data writes as text with fixed decimals.
        const decimals = new Set(texts.map((t) => (t.split(".")[1] as string).length));
        if (texts.length === entries.length && texts.length > 0 && decimals.size === 1)
          added[f.name] = { kind: "fixed", value: { kind: "item", path: [f.name] }, decimals: [...decimals][0] as number };
        continue;
      }
      if (isTime(f)) added[f.name] = nowFor(f);
      else {
        const alike = sameValue(entries.map((e) => e[f.name]));
        if (alike !== undefined) added[f.name] = { kind: "constant", value: alike };
      }
    }
    fields[list.name] = { kind: "elements", of: value as ValueExpr, fields: added };
  }
}
