// Numbers a service keeps for the keys it gives out (`account_settings.next_ticket_id`,
// `counters.next_transfer_id`, `settings.next_order_number`): a field of a single-record
// collection named for an entity, whose value is past every number that entity's keys hold. A new
// record (or a new entry of a list) takes its number from it, and it moves on.
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { DomainState, Row } from "../../lib/contracts/domain-state.ts";
import type { Place, ServiceModel, ValueExpr } from "../../lib/contracts/tool-rules.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";

export interface Counter {
  /** The counter's place (rooted at its single-record collection). */
  place: Place;
  /** What the data writes before the number (`ord_`, `#T`), empty for plain numbers. */
  prefix: string;
  /** Whether the keys are numbers in the records (`35463`), not text. */
  numeric: boolean;
}

const NAMED = /^(?:next|new)_(.+?)(?:_(?:id|number|no|num|key))?$|^(.+?)_(?:counter|seq|sequence)$/;

/**
 * The counter for keys of the entity `words` names, given the keys the data holds (the table's, or
 * a list's elements'): null when no counter is named for it or its value is not past every key.
 */
export function counterFor(
  tables: ReadonlyMap<string, Table>,
  data: DomainState,
  words: readonly string[],
  keys: readonly unknown[],
): Counter | null {
  const numbers = keys.map(numberOf).filter((n): n is number => n !== null);
  const prefixes = new Set(keys.map((k) => (typeof k === "string" ? (/^(.*?)\d+$/.exec(k)?.[1] ?? null) : "")));
  if (keys.length > 0 && numbers.length < keys.length) return null;
  for (const table of tables.values()) {
    if (table.storage !== "single") continue;
    const record = Object.values(data[table.name] ?? {})[0] ?? {};
    for (const field of table.fields) {
      const m = NAMED.exec(field.name);
      if (!m || (field.type !== "integer" && field.type !== "number")) continue;
      const stem = nameWords((m[1] ?? m[2]) as string);
      const entity = [...words];
      // `next_ticket_id` for tickets; `next_adjustment_id` for inventory adjustments (the entity's last words).
      const named = stem.length > 0 && stem.every((w, i) => entity[entity.length - stem.length + i] === w);
      // `next_id` alone: one number space every kind of record takes its ids from (`shp_400109`,
      // `adr_400028`, … below `next_id: 400417`), for a table whose numbers are of that space.
      const shared = stem.length === 1 && (stem[0] === "id" || stem[0] === "key") && !entity.includes(stem[0]);
      if (!named && !shared) continue;
      const value = record[field.name];
      if (typeof value !== "number" || (numbers.length > 0 && value <= Math.max(...numbers))) continue;
      if (shared && (numbers.length === 0 || Math.max(...numbers) < value / 2)) continue;
      const prefix = prefixes.size === 1 ? ([...prefixes][0] ?? "") : "";
      return {
        place: { hops: [], root: { table: table.name }, path: [field.name] },
        prefix: prefix ?? "",
        numeric: keys.length > 0 ? keys.every((k) => typeof k === "number") : true,
      };
    }
  }
  return null;
}

function numberOf(key: unknown): number | null {
  if (typeof key === "number" && Number.isInteger(key)) return key;
  if (typeof key !== "string") return null;
  const m = /(\d+)$/.exec(key);
  return m ? Number(m[1]) : null;
}

/** The values of a table's key field as its records hold them. */
export function keyValues(rows: readonly Row[], table: Table): unknown[] {
  return rows.map((r) => (table.key ? r[table.key] : undefined)).filter((v) => v !== undefined);
}

/**
 * Fields of the data's records that repeat their key's number (`number: 1001` of `ord_1001`), or
 * write it after a prefix (`name: "#T1001"`): what a new record's fields are, from its new key.
 */
export function keyEchoes(rows: readonly Row[], table: Table): Record<string, ValueExpr> {
  const out: Record<string, ValueExpr> = {};
  const numberOfKey = (r: Row) => numberOf(r[table.key]);
  for (const f of table.fields) {
    if (f.name === table.key || rows.length === 0) continue;
    const values = rows.map((r) => [r[f.name], numberOfKey(r)] as const).filter(([, n]) => n !== null);
    if (values.length < Math.max(2, rows.length * 0.9)) continue;
    if ((f.type === "integer" || f.type === "number") && values.every(([v, n]) => v === n)) {
      out[f.name] = { kind: "new-key", number: true };
      continue;
    }
    if (f.type !== "string") continue;
    const prefixes = new Set(
      values.map(([v, n]) => (typeof v === "string" && v.endsWith(String(n)) ? v.slice(0, -String(n).length) : null)),
    );
    const [prefix] = [...prefixes];
    if (prefixes.size === 1 && prefix !== null && prefix !== undefined)
      out[f.name] = {
        kind: "concat",
        parts: [
          { kind: "constant", value: prefix },
          { kind: "new-key", number: true },
        ],
      };
  }
  return out;
}

/** The field of a list's entries that keys them (`id`, `comment_id` for `comments`), when every entry holds a distinct one. */
export function entryKeyField(list: string, fields: readonly Field[], entries: readonly Row[]): string | null {
  for (const name of ["id", `${singular(list)}_id`]) {
    if (!fields.some((f) => f.name === name)) continue;
    const values = entries.map((e) => e[name]);
    if (values.length > 0 && values.every((v) => v !== undefined && v !== null) && new Set(values.map(String)).size === values.length)
      return name;
  }
  return null;
}

/**
 * How a new record of `table` is keyed: from the counter the data keeps for its entity, else the next
 * in the data's own key pattern; numbers in the records when the data's keys are numbers.
 */
export function newKeyOf(
  tables: ReadonlyMap<string, Table>,
  data: DomainState,
  table: Table,
  rows: readonly Row[],
): NonNullable<ServiceModel["newKey"]> {
  const keys = keyValues(rows, table);
  const pattern = keyPattern(Object.keys(data[table.name] ?? {}), table);
  const counter = counterFor(tables, data, nameWords(table.entity.replaceAll(" ", "_")), keys);
  const numeric = keys.length > 0 && keys.every((k) => typeof k === "number");
  if (counter) return { ...pattern, counter: counter.place, prefix: counter.prefix, numeric: counter.numeric };
  const timed = pattern.sequential ? null : timedKeyOf(rows, table);
  return { ...pattern, ...(numeric ? { numeric } : {}), ...(timed ? { timed } : {}) };
}

/** Plausible Unix times: 2001 to 2100, in seconds or milliseconds. */
const UNIX_SPAN = { s: [1e9, 4.1e9], ms: [1e12, 4.1e12] } as const;

/**
 * Keys made from the clock, as time-ordered ids are (a hex id whose high bits are the record's time
 * in milliseconds, the low 12 bits a sequence): a field holding each record's Unix time, and a
 * shift that makes every key, read as a hex or decimal number, that time exactly. Three records at
 * least, so that the match is no accident.
 */
export function timedKeyOf(rows: readonly Row[], table: Table): NonNullable<ServiceModel["newKey"]>["timed"] | null {
  const keys = rows.map((r) => r[table.key]);
  if (rows.length < 3 || !keys.every((k) => typeof k === "string" || typeof k === "number")) return null;
  const texts = keys.map(String);
  const radix = texts.every((k) => /^[0-9]+$/.test(k)) ? 10 : texts.every((k) => /^[0-9a-f]+$/i.test(k)) ? 16 : null;
  if (radix === null) return null;
  const numbers = texts.map((k) => BigInt(radix === 16 ? `0x${k}` : k));
  for (const f of table.fields) {
    if (f.name === table.key || (f.type !== "string" && f.type !== "integer" && f.type !== "number")) continue;
    const times = rows.map((r) => r[f.name]);
    if (!times.every((t) => (typeof t === "number" && Number.isInteger(t)) || (typeof t === "string" && /^[0-9]+$/.test(t)))) continue;
    const values = times.map(Number);
    const unit = (["ms", "s"] as const).find((u) => values.every((v) => v >= UNIX_SPAN[u][0] && v <= UNIX_SPAN[u][1]));
    if (!unit) continue;
    for (let shift = 0; shift <= 24; shift++) {
      if (numbers.every((n, i) => n >> BigInt(shift) === BigInt(values[i] as number))) return { field: f.name, shift, radix, unit };
    }
  }
  return null;
}

/** The pattern of a table's keys: a shared prefix and digits, numbered in order, when the data's keys are so. */
export function keyPattern(keys: readonly string[], table: Table): NonNullable<ServiceModel["newKey"]> {
  const parsed = keys.map((k) => /^(.*?)(\d+)$/.exec(k)).filter((m): m is RegExpExecArray => m !== null);
  const prefixes = new Set(parsed.map((m) => m[1]));
  if (parsed.length === keys.length && parsed.length > 0 && prefixes.size === 1) {
    const first = parsed[0] as RegExpExecArray;
    const widths = new Set(parsed.map((m) => (m[2] as string).length));
    return { prefix: first[1] as string, digits: widths.size === 1 ? (first[2] as string).length : 1, sequential: true };
  }
  const decoded = base64Texts(keys);
  if (decoded) {
    const pattern = keyPattern(decoded, table);
    if (pattern.sequential) return { ...pattern, encoded: "base64" };
  }
  return { prefix: `${table.idPrefix}_`, digits: 6, sequential: false };
}

/**
 * Keys that are base64 of readable text (`Y3BuLTAwNw` is `cpn-007`), as services write opaque
 * ids over a counter: the texts, when every key decodes to printable ASCII and encodes back to
 * itself exactly (padding dropped as the keys drop it); else null.
 */
function base64Texts(keys: readonly string[]): string[] | null {
  if (keys.length === 0) return null;
  const texts: string[] = [];
  for (const key of keys) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.replace(/=+$/, "").length % 4 === 1) return null;
    const text = Buffer.from(key, "base64").toString("latin1");
    if (!/^[\x20-\x7e]+$/.test(text)) return null;
    const again = Buffer.from(text, "latin1").toString("base64");
    if (again !== key && again.replace(/=+$/, "") !== key) return null;
    texts.push(text);
  }
  return texts;
}

/**
 * The key part of a struct a call writes whole (`satisfaction_rating.id`), from the counter the data
 * keeps for the struct's kind (`next_satisfaction_rating_id`), past every key the records' structs hold.
 */
export function structKeyFromCounter(
  tables: ReadonlyMap<string, Table>,
  data: DomainState,
  table: Table,
  struct: string,
  part: string,
): ValueExpr | null {
  if (part !== "id" && part !== `${singular(struct)}_id`) return null;
  const keys = Object.values(data[table.name] ?? {})
    .map((r) => (r[struct] as Row | null | undefined)?.[part])
    .filter((k) => k !== undefined && k !== null && k !== "");
  const counter = counterFor(tables, data, nameWords(struct), keys);
  return counter ? { kind: "next", counter: counter.place, prefix: counter.prefix } : null;
}
