// Counters kept as text: a version or snapshot written `v11` that a call moves on ("increments the
// playlist's snapshot_id counter"), and a text the data shows following a number of the same record
// (`access_token` "BQ00000041" beside `login_count` 41), which a call that moves the number
// rewrites from it, its prefix and width kept.
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Place } from "../../lib/contracts/tool-rules.ts";
import { valueIn } from "../../lib/domain-model/service-arguments.ts";
import { clausesOf } from "./clauses.ts";
import type { RuleContext } from "./context.ts";
import { resolvePlace } from "./resolve.ts";

const ENDS_IN_NUMBER = /^(\D*)(\d+)$/;
/** "increments X", "X is incremented", "X goes up by one", "adds 1 to X": X moves on by one. */
const UP_BY_ONE = [
  /^(?:.*?\s)?increments\s+(.+?)(?:\s+by\s+(?:1|one))?$/,
  /^(.+?)\s+(?:is|are)\s+(?:then\s+)?incremented(?:\s+by\s+(?:1|one))?$/,
  /^(.+?)\s+(?:goes|go)\s+up\s+by\s+(?:1|one)$/,
  /^adds\s+(?:1|one)\s+to\s+(.+)$/,
];

/** Rules for counters kept as text, after the other passes (a clause they read as something else is left to them). */
export function textCounters(c: RuleContext): void {
  bumpedTexts(c);
  followingTexts(c);
}

/** The values a field holds over the records of the place's table, as the data gives them. */
function valuesAt(c: RuleContext, records: readonly Row[], path: readonly string[]): unknown[] {
  void c;
  return records.map((r) => valueIn(r, path)).filter((v) => v !== undefined && v !== null);
}

function bumpedTexts(c: RuleContext): void {
  for (const clause of clausesOf(c.sentences("description"))) {
    const phrase = UP_BY_ONE.map((re) => re.exec(clause.text)?.[1]).find(Boolean);
    if (!phrase) continue;
    const place = resolvePlace(c, phrase.replace(/\s+counter$/, ""), (kind) => kind === "string");
    if (!place || c.writes(place.place)) continue;
    const values = valuesAt(c, c.records(place.table), place.place.path);
    if (values.length === 0 || !values.every((v) => typeof v === "string" && ENDS_IN_NUMBER.test(v))) continue;
    c.effect({ kind: "set", place: place.place, value: { kind: "bump", place: place.place, by: 1 } }, clause.source, clause.sentence);
  }
}

/** A text of the record itself that the data shows as a prefix and a number of the record, zero-padded. */
function followingTexts(c: RuleContext): void {
  const target = c.target;
  if (!target) return;
  const records = c.records(target);
  const said = c.text.sentences.join(" ");
  for (const rule of [...c.effects]) {
    const r = rule.rule;
    if (r.kind !== "add" || r.place.hops.length > 0 || r.place.root || r.place.path.length !== 1) continue;
    const counter = r.place.path[0] as string;
    for (const field of target.fields) {
      if (field.type !== "string" || field.name === counter) continue;
      const pattern = following(records, field.name, counter);
      if (!pattern) continue;
      const place: Place = { hops: [], path: [field.name] };
      // Only a text the call is said to write: its description names it, or another rule sets it to the bare prefix.
      const at = c.effects.findIndex((e) => e.rule.kind === "set" && JSON.stringify(e.rule.place) === JSON.stringify(place));
      const set = c.effects[at]?.rule;
      const bare = set?.kind === "set" ? set.value : undefined;
      const prefixOnly =
        bare?.kind === "constant" && typeof bare.value === "string" && bare.value.toLowerCase() === pattern.prefix.toLowerCase();
      if (at >= 0 && !prefixOnly) continue;
      if (at < 0 && !new RegExp(`\\b${field.name}\\b`).test(said)) continue;
      const effect = {
        rule: {
          kind: "set" as const,
          place,
          value: {
            kind: "concat" as const,
            parts: [
              { kind: "constant" as const, value: pattern.prefix },
              { kind: "digits" as const, value: { kind: "read" as const, place: r.place, after: true }, digits: pattern.digits },
            ],
          },
        },
        source: "data" as const,
        text: `${field.name} is "${pattern.prefix}" and ${counter} in ${pattern.digits} digits, as every ${target.entity} in the data holds it`,
      };
      if (at >= 0) c.effects.splice(at, 1, effect);
      else c.effects.push(effect);
    }
  }
}

/** `{prefix, digits}` when every record holding both has `text` = prefix + `number` zero-padded to the same width. */
function following(records: readonly Row[], text: string, number: string): { prefix: string; digits: number } | null {
  let found: { prefix: string; digits: number } | null = null;
  for (const record of records) {
    const t = record[text];
    const n = record[number];
    if (t === undefined || t === null || n === undefined || n === null) continue;
    const m = typeof t === "string" && typeof n === "number" ? ENDS_IN_NUMBER.exec(t) : null;
    if (!m || Number(m[2]) !== n) return null;
    const pattern = { prefix: m[1] as string, digits: (m[2] as string).length };
    if (found && (found.prefix !== pattern.prefix || found.digits !== pattern.digits)) return null;
    found = pattern;
  }
  return found;
}
