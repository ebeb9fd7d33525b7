// Numbers a record keeps that follow another of its numbers: when a call moves the one, the others
// move by as much. Services state them three ways:
// - the data keeps a total of two of the record's numbers (`worth` is `tokens` + `stake` in every
//   record): moving a part moves the total;
// - a name qualifies another field's with what part of it is free (`tokens_spendable`,
//   `units_available`): money or stock coming or going moves that part too;
// - the words define one from another ("voting weight: tokens minus tokens pledged to …").
// A number the call already moves itself is left to that move.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { Effect, Place, Rule } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import type { RuleContext } from "./context.ts";

/** Words a name adds to another field's to say what part of it is free to use. */
const FREE_PART = new Set(["available", "withdrawable", "spendable", "usable", "free", "unreserved", "unallocated"]);
/** "voting weight: tokens minus tokens pledged …", "spendable balance is the balance less …" */
const DEFINED = /([a-z_][a-z_ -]*?)\s*(?::|\bis\b|=)\s*(?:the\s+)?`?([a-z_]+)`?\s+(?:minus|less)\b/g;
/** At least this many records must show a total, with more than one value, before it is taken as kept. */
const WITNESSES = 3;

const numberOf = (v: unknown): number | null =>
  typeof v === "number" ? v : typeof v === "string" && /^-?\d+(?:\.\d+)?$/.test(v) ? Number(v) : null;

/** A number that follows another; for a kept total, with the total's other part. */
interface Follower {
  field: string;
  partner?: string;
}

/** For each number of a table, the numbers of the same record that follow it. */
export function followersOf(c: RuleContext, table: Table, sentences: readonly string[]): Map<string, Follower[]> {
  const records = c.records(table);
  const numeric = table.fields
    .filter((f) => records.length > 0 && records.every((r) => r[f.name] == null || numberOf(r[f.name]) !== null))
    .filter((f) => records.some((r) => numberOf(r[f.name]) !== null))
    .map((f) => f.name);
  const out = new Map<string, Follower[]>();
  const follow = (leader: string, follower: string, partner?: string) => {
    if (leader === follower) return;
    const list = out.get(leader) ?? [];
    if (!list.some((f) => f.field === follower)) out.set(leader, [...list, { field: follower, ...(partner ? { partner } : {}) }]);
  };
  for (const [total, a, b] of keptSums(records, numeric)) {
    follow(a, total, b);
    follow(b, total, a);
  }
  for (const part of numeric) {
    const words = nameWords(part);
    const base = numeric.find((f) => {
      const own = nameWords(f);
      return own.length === words.length - 1 && own.every((w, i) => w === words[i]) && FREE_PART.has(words.at(-1) as string);
    });
    if (base) follow(base, part);
  }
  const named = (phrase: string) => {
    const words = nameWords(phrase.trim().replace(/[\s-]+/g, "_"));
    return numeric.find((f) => {
      const own = nameWords(f);
      return own.length > 0 && own.length <= words.length && own.every((w, i) => w === words[words.length - own.length + i]);
    });
  };
  for (const sentence of sentences)
    for (const m of sentence.toLowerCase().matchAll(DEFINED)) {
      const [defined, base] = [named(m[1] as string), named(m[2] as string)];
      if (defined && base) follow(base, defined);
    }
  return out;
}

/** Triples [total, a, b] with total = a + b (to the cent) in every record, over enough varied records. */
function keptSums(records: readonly Row[], numeric: readonly string[]): [string, string, string][] {
  if (records.length < WITNESSES) return [];
  const out: [string, string, string][] = [];
  const value = (r: Row, f: string) => numberOf(r[f]);
  for (const total of numeric)
    for (const [i, a] of numeric.entries())
      for (const b of numeric.slice(i + 1)) {
        if (a === total || b === total) continue;
        let seen = 0;
        let holds = true;
        const totals = new Set<number>();
        let [aMoves, bMoves] = [false, false];
        for (const r of records) {
          const [t, x, y] = [value(r, total), value(r, a), value(r, b)];
          if (t === null || x === null || y === null) continue;
          if (Math.abs(t - x - y) > 0.005) {
            holds = false;
            break;
          }
          seen++;
          totals.add(t);
          aMoves ||= x !== 0;
          bMoves ||= y !== 0;
        }
        if (holds && seen >= WITNESSES && totals.size > 1 && aMoves && bMoves) out.push([total, a, b]);
      }
  return out;
}

/** The table a place ends at. */
function tableAt(c: RuleContext, place: Place): Table | null {
  const name = place.hops.at(-1)?.table ?? place.root?.table ?? c.target?.name;
  return name ? (c.tables.get(name) ?? null) : null;
}

/** The call's moves of numbers, each joined by the moves of the numbers that follow it. */
export function withFollowers(c: RuleContext, rules: readonly Rule[], sentences: readonly string[]): Rule[] {
  const at = (place: Place, field: string) => JSON.stringify({ ...place, path: [] }) + field;
  const moves = (r: Rule) =>
    r.rule.kind === "add" && r.rule.place.path.length === 1 ? at(r.rule.place, r.rule.place.path[0] as string) : null;
  // What the call moves itself: a number it moves is left to that move.
  const already = new Set(rules.map(moves).filter((k): k is string => k !== null));
  const cache = new Map<string, Map<string, Follower[]>>();
  const added = new Set<string>();
  const out: Rule[] = [];
  for (const r of rules) {
    out.push(r);
    if (r.rule.kind !== "add" || r.rule.place.path.length !== 1) continue;
    const add = r.rule;
    const table = tableAt(c, add.place);
    if (!table) continue;
    if (!cache.has(table.name)) cache.set(table.name, followersOf(c, table, sentences));
    const leader = add.place.path[0] as string;
    for (const follower of cache.get(table.name)?.get(leader) ?? []) {
      const key = at(add.place, follower.field);
      // A total both of whose parts the call moves (paid up, due down) is left as it is.
      if (already.has(key) || (follower.partner && already.has(at(add.place, follower.partner))) || added.has(`${key}<${leader}`)) continue;
      added.add(`${key}<${leader}`);
      const rule: Effect = { ...add, place: { ...add.place, path: [follower.field] } };
      out.push({ ...r, rule, text: `${r.text} (${follower.field} follows ${leader})` });
    }
  }
  return out;
}
