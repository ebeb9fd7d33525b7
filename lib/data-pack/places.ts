// Finding one's way in a service's tables: the scalar fields of a record at any depth of its
// structs, the records reachable from it by its references, and the maps of records (payment
// methods by id) and arrays it or they hold.
import type { Field, Table } from "../contracts/domain-schema.ts";
import type { Hop, Place } from "../contracts/tool-rules.ts";
import { singular, splitIdentifier } from "../domain-model/words.ts";

export interface Leaf {
  path: string[];
  field: Field;
}

/** Every scalar field of a table's records, through nested structs (not into maps or arrays). */
export function leaves(fields: readonly Field[], prefix: string[] = []): Leaf[] {
  const out: Leaf[] = [];
  for (const field of fields) {
    const path = [...prefix, field.name];
    if (field.type === "object" && field.fields) out.push(...leaves(field.fields, path));
    else if (field.type !== "object" && field.type !== "array") out.push({ path, field });
  }
  return out;
}

/** A field of a table at a path (through structs). */
export function fieldAt(table: Table, path: readonly string[]): Field | undefined {
  let fields: readonly Field[] | undefined = table.fields;
  let found: Field | undefined;
  for (const name of path) {
    found = fields?.find((f) => f.name === name);
    if (!found) return undefined;
    fields = found.fields ?? found.entries ?? found.items?.fields;
  }
  return found;
}

export interface Reached {
  table: Table;
  hops: Hop[];
}

/** The tables reachable from `from` by following references (breadth first, `depth` hops at most), `from` itself first. */
export function reachable(tables: ReadonlyMap<string, Table>, from: Table, depth = 3): Reached[] {
  const out: Reached[] = [{ table: from, hops: [] }];
  const seen = new Set([from.name]);
  for (let i = 0; i < out.length; i++) {
    const current = out[i] as Reached;
    if (current.hops.length >= depth) continue;
    for (const leaf of leaves(current.table.fields)) {
      const target = leaf.field.references ? tables.get(leaf.field.references) : undefined;
      if (!target || seen.has(target.name)) continue;
      seen.add(target.name);
      out.push({ table: target, hops: [...current.hops, { field: leaf.path.join("."), table: target.name }] });
    }
  }
  return out;
}

/** A map of records (`payment_methods`) or an array, held by a record reachable from `from`. */
export interface Holder {
  place: Place;
  table: Table;
  field: Field;
  /** For a list of records used as a map: the field that keys its elements. */
  keyField?: string;
  /** The fields of its entries (a map's values, a keyed list's elements). */
  entryFields: Field[];
}

/** The maps of records held by `from` or a record it reaches, nearest first. */
export function maps(tables: ReadonlyMap<string, Table>, from: Table): Holder[] {
  return holders(tables, from, (f) => Boolean(f.entries) || Boolean(f.type === "array" && f.items?.key));
}

/** The arrays held by `from` or a record it reaches, nearest first. */
export function arrays(tables: ReadonlyMap<string, Table>, from: Table): Holder[] {
  return holders(tables, from, (f) => f.type === "array");
}

function holders(tables: ReadonlyMap<string, Table>, from: Table, keep: (field: Field) => boolean): Holder[] {
  const out: Holder[] = [];
  for (const { table, hops } of reachable(tables, from)) {
    const visit = (fields: readonly Field[], prefix: string[]) => {
      for (const field of fields) {
        const path = [...prefix, field.name];
        if (keep(field))
          out.push({
            place: { hops, path },
            table,
            field,
            ...(field.type === "array" && field.items?.key ? { keyField: field.items.key } : {}),
            entryFields: field.entries ?? field.items?.fields ?? [],
          });
        if (field.type === "object" && field.fields) visit(field.fields, path);
      }
    };
    visit(table.fields, []);
  }
  return out;
}

/** Words of an identifier or phrase, singular: `payment_methods` → [payment, method]. */
export function nameWords(name: string): string[] {
  // `ids` is too short for `singular`, and is the plural every list of keys goes by.
  return splitIdentifier(name).map((w) => (w === "ids" ? "id" : singular(w)));
}

/** How well a name matches another: shared words over the shorter one's words (0 to 1). */
export function overlap(a: string, b: string): number {
  const x = nameWords(a).filter((w) => w !== "id");
  const y = new Set(nameWords(b).filter((w) => w !== "id"));
  if (x.length === 0 || y.size === 0) return 0;
  const shared = x.filter((w) => y.has(w)).length;
  return shared / Math.min(x.length, y.size);
}
