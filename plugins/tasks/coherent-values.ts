// Values that belong together, drawn together from the service's own data: an address is one
// address some record holds (its street, city, state and zip agree), and a replacement for an
// entry of a record (an order's item) is another entry of the record that entry points to (another
// variant of the same product). Arguments built field by field would mix four cities and a state
// that is a random word.
import type { Rng } from "../../kernel/rng.ts";
import type { DomainState, Row } from "../../lib/contracts/domain-state.ts";

/** Where a part of a place comes when people write it: street lines, city, region, postal code, country. */
function placeRank(field: string): number {
  const ranks: [RegExp, number][] = [
    [/country/i, 4],
    [/zip|postal|post_?code/i, 3],
    [/state|region|province|county/i, 2],
    [/city|town|locality/i, 1],
  ];
  return ranks.find(([pattern]) => pattern.test(field))?.[1] ?? 0;
}

const isObject = (value: unknown): value is Row => value !== null && typeof value === "object" && !Array.isArray(value);

/** An object-valued field of the data's records whose fields include at least two of `names`: where the values of a group live. */
function groupField(state: DomainState, names: readonly string[]): { table: string; field: string; fields: string[] } | null {
  let best: { table: string; field: string; fields: string[] } | null = null;
  for (const [table, rows] of Object.entries(state)) {
    const first = Object.values(rows)[0];
    if (!first) continue;
    for (const [field, value] of Object.entries(first)) {
      if (!isObject(value)) continue;
      // In the order people write them (an address: street, city, state, zip, country), whatever order the data keeps.
      const fields = Object.keys(value)
        .filter((n) => names.includes(n) && (typeof value[n] === "string" || typeof value[n] === "number"))
        .sort((a, b) => placeRank(a) - placeRank(b) || a.localeCompare(b));
      if (fields.length >= 2 && fields.length > (best?.fields.length ?? 0)) best = { table, field, fields };
    }
  }
  return best;
}

/** An entry of `record` (in one of its lists or maps of records) that holds `value` in some field, and that field. */
function entryHolding(record: Row, value: unknown): { entry: Row; field: string } | null {
  for (const container of Object.values(record)) {
    const entries = Array.isArray(container) ? container : isObject(container) ? Object.values(container) : [];
    for (const entry of entries) {
      if (!isObject(entry)) continue;
      for (const [field, v] of Object.entries(entry)) if (String(v) === String(value) && typeof v !== "object") return { entry, field };
    }
  }
  return null;
}

export interface Coherent {
  args: Row;
  /** Fields whose values were drawn together, with the field of the data they come from (`address`). */
  groups: { field: string; parameters: string[] }[];
  /** Records an agent must look at to find the replacement values (the product whose variants they are). */
  lookups: { table: string; key: string }[];
}

/** `args` with grouped values drawn from one record of the data and replacements drawn from the entries' own records. */
export function coherentArgs(state: DomainState, args: Row, subject: Row | undefined, rng: Rng): Coherent {
  const out: Coherent = { args: { ...args }, groups: [], lookups: [] };
  const names = Object.keys(args);
  const group = groupField(state, names);
  if (group) {
    const current = subject && isObject(subject[group.field]) ? (subject[group.field] as Row) : undefined;
    const rows = Object.values(state[group.table] ?? {});
    for (let tries = 0; tries < 8 && rows.length > 0; tries++) {
      const source = (rng.pick(rows) as Row)[group.field];
      if (!isObject(source)) continue;
      // A change to the value it already has changes nothing.
      if (current && group.fields.every((f) => String(current[f]) === String(source[f]))) continue;
      for (const f of group.fields) out.args[f] = source[f];
      // The group's other parameters (a second address line the source lacks) take what it has, or nothing.
      out.groups.push({ field: group.field, parameters: group.fields });
      break;
    }
  }
  if (subject)
    for (const name of names) {
      const original = name.replace(/^new_/, "");
      if (original === name || !(original in args)) continue;
      const chosen = Array.isArray(args[original]) ? (args[original] as unknown[]) : [args[original]];
      const replacements: unknown[] = [];
      for (const value of chosen) {
        const held = entryHolding(subject, value);
        if (!held) break;
        // The record the entry points to (its product), and that record's other entries of the same kind (its variants).
        let found: unknown;
        for (const [field, ref] of Object.entries(held.entry)) {
          if (field === held.field || (typeof ref !== "string" && typeof ref !== "number")) continue;
          for (const [table, rows] of Object.entries(state)) {
            const parent = rows[String(ref)];
            if (!parent) continue;
            const siblings = Object.values(parent)
              .flatMap((c) => (Array.isArray(c) ? c : isObject(c) ? Object.values(c) : []))
              .filter((e): e is Row => isObject(e) && e[held.field] !== undefined && String(e[held.field]) !== String(value));
            const open = siblings.filter((e) => e.available !== false);
            if (open.length === 0) continue;
            found = (rng.pick(open) as Row)[held.field];
            if (!out.lookups.some((l) => l.table === table && l.key === String(ref))) out.lookups.push({ table, key: String(ref) });
            break;
          }
          if (found !== undefined) break;
        }
        if (found === undefined) break;
        replacements.push(found);
      }
      if (replacements.length === chosen.length) out.args[name] = Array.isArray(args[name]) ? replacements : replacements[0];
    }
  return out;
}
