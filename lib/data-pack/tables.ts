// A service's tables read off its own data: each collection a table with its key, its fields typed
// from their values (nested objects stay nested: a struct of fields, or a map of records by id;
// arrays keep their elements' shape), references found by value overlap (a field whose values are
// keys of another table), enums and statuses from the distinct values, formats from the text.
import { createHash } from "node:crypto";
import type { Field, Table } from "../contracts/domain-schema.ts";
import type { DomainState, Row } from "../contracts/domain-state.ts";
import { singular, splitIdentifier } from "../domain-model/words.ts";
import { BY_POSITION, type DataShape } from "./read.ts";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Distinct values a field may have and still be an enum (with enough records to tell). */
const MAX_ENUM = 12;

/** The tables of a service's data; `shape` says which collections are one record or a list keyed by position. */
export function inferTables(data: DomainState, shape: DataShape = { lists: {} }): Table[] {
  const singles = new Set(shape.singles ?? []);
  const tables = Object.entries(data).map(([name, rows]) =>
    tableOf(name, rows, singles.has(name) ? "single" : shape.lists[name] === BY_POSITION ? "position" : undefined),
  );
  findReferences(tables, data);
  return tables;
}

function tableOf(name: string, rows: Record<string, Row>, storage: Table["storage"]): Table {
  const records = Object.values(rows);
  const entity = singular(name.toLowerCase()).replaceAll("_", " ");
  const keyField = storage ? null : storedKey(rows, entity);
  const fields = fieldsOf(records);
  markDigests(fields, records);
  // A record of settings or a list of keyless entries keeps the fields the data gives it, no invented key.
  // Records keyed by something none of their fields holds (a username): the key gets a name of its
  // own, never one of a field they do hold with other values (their `user_id`).
  const invented = [`${entity.replaceAll(" ", "_")}_id`, `${entity.replaceAll(" ", "_")}_key`, "key"].find(
    (name) => !fields.some((f) => f.name === name),
  ) as string;
  const key = storage ? "" : (keyField ?? invented);
  if (!keyField && !storage) fields.unshift({ name: key, type: "string" });
  const status = fields.find((f) => /(^|_)(status|state)$/.test(f.name) && f.type === "string" && f.enum);
  const table: Table = {
    name: IDENTIFIER.test(name) && /^[a-z]/.test(name) ? name : `t_${name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`,
    entity,
    key,
    keyKind: "id",
    idPrefix: idPrefixOf(Object.keys(rows), entity),
    ...(storage ? { storage } : {}),
    fields,
  };
  if (Object.keys(rows).length > 0 && Object.keys(rows).every((k) => /^\d+$/.test(k))) table.numericIds = true;
  if (status?.enum) {
    const values = status.enum.map(String);
    table.status = { field: status.name, initial: mostCommon(records.map((r) => String(r[status.name]))) ?? (values[0] as string), values };
  }
  return table;
}

const DIGESTS = { 32: "md5", 40: "sha1", 64: "sha256" } as const;

/**
 * Fields that hold the hex digest of another field's text, in every record (a subscriber hash: the
 * MD5 of the lowercase email): a service finds such records by either. Two records at least, so
 * that a match is no accident.
 */
function markDigests(fields: Field[], records: readonly Row[]): void {
  if (records.length < 2) return;
  const texts = fields.filter((f) => f.type === "string" && !f.format);
  for (const field of texts) {
    const values = records.map((r) => r[field.name]);
    const length = typeof values[0] === "string" ? values[0].length : 0;
    const algorithm = DIGESTS[length as keyof typeof DIGESTS];
    if (!algorithm || !values.every((v) => typeof v === "string" && v.length === length && /^[0-9a-f]+$/.test(v))) continue;
    for (const source of fields) {
      if (source === field || source.type !== "string") continue;
      const of = (lowercase: boolean) =>
        records.every((r) => {
          const text = r[source.name];
          if (typeof text !== "string" || text === "") return false;
          return (
            createHash(algorithm)
              .update(lowercase ? text.trim().toLowerCase() : text)
              .digest("hex") === r[field.name]
          );
        });
      const lowercase = of(true) ? true : of(false) ? false : null;
      if (lowercase === null) continue;
      field.digestOf = { field: source.name, algorithm, lowercase };
      break;
    }
  }
}

/** The field every record holds its own key in: `<entity>_id`, `id`, or another. */
function storedKey(rows: Record<string, Row>, entity: string): string | null {
  const entries = Object.entries(rows);
  if (entries.length === 0) return null;
  const holds = (field: string) => entries.every(([key, row]) => row[field] !== undefined && String(row[field]) === key);
  const preferred = [`${entity.replaceAll(" ", "_")}_id`, "id", `${entity.replaceAll(" ", "")}Id`];
  for (const field of preferred) if (holds(field)) return field;
  return Object.keys(entries[0]?.[1] ?? {}).find(holds) ?? null;
}

/** Letters before the first `_` or digit of the keys they share (`loa_3001` → loa), else the entity's first letters. */
function idPrefixOf(keys: readonly string[], entity: string): string {
  const prefixes = keys.map((k) => /^([a-z]{1,8})(?=[_\d])/i.exec(k)?.[1]?.toLowerCase()).filter(Boolean);
  const common = mostCommon(prefixes as string[]);
  if (common && prefixes.filter((p) => p === common).length >= keys.length / 2) return common;
  return (entity.replace(/[^a-z]/g, "").slice(0, 3) || "rec").slice(0, 8);
}

/** The fields of a set of records: every key any of them has, typed from all their values. */
export function fieldsOf(records: readonly Row[]): Field[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const record of records)
    for (const name of Object.keys(record))
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
  const unset = new Set(names.filter((name) => records.every((r) => r[name] === undefined || r[name] === null)));
  const fields = names
    .filter((name) => IDENTIFIER.test(name))
    .map((name) => {
      const values = records.map((r) => r[name]);
      const field = fieldOf(
        name,
        values.filter((v) => v !== undefined && v !== null),
      );
      if (values.some((v) => v === undefined || v === null)) field.nullable = true;
      return field;
    });
  return unixTimesAround(fields, unset);
}

/** Integers that are times as Unix seconds: 2001 to 2100, under a name that is no key, count or amount. */
const UNIX_RANGE = [978307200, 4102444800] as const;
const NOT_A_TIME = /(^|_)(id|ids|number|no|phone|code|count|quantity|qty|sequence|version|amount|balance|price|total)$/;

/**
 * Times the data writes as Unix seconds (`created: 1746436800`, as Stripe's API does): integer
 * fields whose every value is one; and, among them, a time field no record has set yet
 * (`canceled_at: null` everywhere), written the same way. `now` is then written as a number.
 */
function unixTimesAround(fields: Field[], unset: ReadonlySet<string>): Field[] {
  if (!fields.some((f) => f.unixSeconds)) return fields;
  for (const f of fields)
    if (unset.has(f.name) && /(_at|_on|_time|_date)$/.test(f.name)) {
      f.type = "integer";
      f.unixSeconds = true;
    }
  return fields;
}

function fieldOf(name: string, values: readonly unknown[]): Field {
  const kinds = new Set(values.map(kindOf));
  const kind =
    kinds.size === 1 ? ([...kinds][0] as string) : kinds.has("number") && kinds.has("integer") && kinds.size === 2 ? "number" : "string";
  if (kind === "object") return objectField(name, values as Row[]);
  if (kind === "array") return arrayField(name, values as unknown[][]);
  // Money is a number even when every sample is whole (a 60.00 balance is written 60 in JSON).
  // A name that ends as a time's does (`paid_at`, `due_date`) names a time, whatever word it starts with.
  const money =
    /(^|_)(balance|amount|price|cost|fee|fees|total|due|paid|refund|credit|debit|fare|charge|subtotal|tax)($|_)/.test(name) &&
    !/_(at|on|time|date)$/.test(name);
  const field: Field = { name, type: (kind === "integer" && money ? "number" : kind) as Field["type"] };
  if (
    kind === "integer" &&
    !money &&
    !NOT_A_TIME.test(name) &&
    values.length > 0 &&
    (values as number[]).every((v) => v >= UNIX_RANGE[0] && v <= UNIX_RANGE[1])
  )
    field.unixSeconds = true;
  if (kind === "string") {
    const texts = values as string[];
    if (texts.length > 0 && texts.every((t) => DATE.test(t))) field.format = "date";
    else if (texts.length > 0 && texts.every((t) => DATE_TIME.test(t))) {
      field.format = "date-time";
      if (texts.every((t) => !/\.\d+/.test(t))) field.wholeSeconds = true;
      // Local times at one offset (`+02:00`), as a hotel in Berlin writes them: new times are written so too.
      // UTC spelled as an offset (`+00:00`, as many APIs write it) is kept too: a new time written `Z`
      // would be the same instant in a different text from every record beside it.
      const offsets = new Set(texts.map((t) => /([+-]\d{2}:\d{2})$/.exec(t)?.[1] ?? "Z"));
      const offset = offsets.size === 1 ? [...offsets][0] : undefined;
      if (offset && offset !== "Z") field.utcOffset = offset;
    } else if (texts.length > 0 && texts.every((t) => EMAIL.test(t))) field.format = "email";
    const distinct = [...new Set(texts)];
    if (!field.format && isEnum(name, texts, distinct)) field.enum = distinct.sort();
  }
  return field;
}

/** Few distinct short values, each seen more than once on the whole: a closed set (statuses, tiers, kinds). */
function isEnum(name: string, texts: readonly string[], distinct: readonly string[]): boolean {
  if (distinct.length > MAX_ENUM || /(_id|_ids|Id|_number|_code)$/.test(name)) return false;
  if (distinct.some((d) => d.length > 40)) return false;
  // A status is a closed set by its name, even in a sample too small to repeat a value.
  if (/(^|_)(status|state)$/.test(name)) return texts.length >= 2;
  if (texts.length < 3) return false;
  if (/(^|_)(status|state|kind|type|tier|level|class|category|condition|source|branch|reason|method)$/.test(name))
    return distinct.length < texts.length;
  return distinct.length <= Math.max(2, Math.floor(texts.length / 3));
}

/** A nested object: a struct (the same keys in every record), or a map of records by id (keys that differ, values alike). */
function objectField(name: string, values: readonly Row[]): Field {
  const keysets = values.map((v) => Object.keys(v));
  const all = new Set(keysets.flat());
  const entryValues = values.flatMap((v) => Object.values(v));
  const valuesAreRecords = entryValues.length > 0 && entryValues.every((v) => kindOf(v) === "object");
  const perRecord = keysets.reduce((n, k) => n + k.length, 0) / Math.max(1, keysets.length);
  const idLike = [...all].every((k) => !IDENTIFIER.test(k) || /\d/.test(k) || splitIdentifier(k).length >= 2);
  if (valuesAreRecords && (all.size > perRecord * 1.5 || idLike) && values.length > 0) {
    return { name, type: "object", entries: fieldsOf(entryValues as Row[]) };
  }
  // Keyed by values (dates, codes), holding lists or numbers: open slots by date, stock by size.
  const keyedByValues = [...all].length > 0 && [...all].every((k) => !IDENTIFIER.test(k) || DATE.test(k) || /\d/.test(k));
  if (keyedByValues && entryValues.length > 0 && entryValues.every((v) => kindOf(v) !== "object")) {
    const kinds = new Set(entryValues.map(kindOf));
    const type = (kinds.size === 1 ? [...kinds][0] : "string") as Field["type"];
    const elements = new Set(entryValues.filter(Array.isArray).flat().map(kindOf));
    return {
      name,
      type: "object",
      mapOf: {
        ...([...all].every((k) => DATE.test(k)) ? { keyFormat: "date" } : {}),
        type: type === "integer" || type === "number" ? "number" : type,
        ...(type === "array" ? { items: (elements.size === 1 ? [...elements][0] : "string") as Field["type"] } : {}),
      },
    };
  }
  return { name, type: "object", fields: fieldsOf(values) };
}

function arrayField(name: string, values: readonly unknown[][]): Field {
  const elements = values.flat();
  const kinds = new Set(elements.map(kindOf));
  if (kinds.size === 0) return { name, type: "array", items: { type: "string" } };
  if (kinds.size === 1 && kinds.has("object")) {
    const key = elementKey(values as Row[][]);
    return { name, type: "array", items: { type: "object", fields: fieldsOf(elements as Row[]), ...(key ? { key } : {}) } };
  }
  const kind = kinds.size === 1 ? ([...kinds][0] as Field["type"]) : kinds.has("number") ? "number" : "string";
  return { name, type: "array", items: { type: kind === "object" || kind === "array" ? "string" : kind } };
}

/**
 * The field that keys the elements of record lists (a wallet's `method_id`): named like an id,
 * held as text by every element and distinct within each list. Null for lists of plain entries.
 */
function elementKey(lists: readonly Row[][]): string | null {
  const elements = lists.flat();
  const names = Object.keys(elements[0] ?? {}).filter((f) => /(^id$|_id$|Id$)/.test(f));
  return (
    names.find(
      (f) =>
        elements.every((e) => typeof e[f] === "string") &&
        lists.every((list) => new Set(list.map((e) => e[f])).size === list.length) &&
        (lists.some((list) => list.length > 1) || new Set(elements.map((e) => e[f])).size === elements.length),
    ) ?? null
  );
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * References by value overlap: a string field (at any depth, or an array of them) whose values are
 * nearly all keys of one other table names records of that table. A table's own key is not one.
 */
export function findReferences(tables: Table[], data: DomainState): void {
  // Positions in a list and the one record of a collection are no keys a field could hold.
  const keys = new Map(tables.filter((t) => !t.storage).map((t) => [t.name, new Set(Object.keys(data[t.name] ?? {}))]));
  for (const table of tables) {
    const records = Object.values(data[table.name] ?? {});
    const visit = (fields: Field[], rows: readonly unknown[]) => {
      for (const field of fields) {
        if (field.name === table.key && rows === records) continue;
        const values = rows
          .map((r) => (r && typeof r === "object" ? (r as Row)[field.name] : undefined))
          .filter((v) => v !== undefined && v !== null);
        if (field.type === "string" || field.type === "integer") {
          const target = overlapTable(values, keys, field.name);
          if (target) field.references = target;
        } else if (field.type === "array" && field.items) {
          const elements = (values as unknown[][]).flat();
          if (field.items.type === "object" && field.items.fields) visit(field.items.fields, elements);
          else {
            const target = overlapTable(elements, keys);
            if (target) field.items.references = target;
          }
        } else if (field.type === "object") {
          if (field.fields) visit(field.fields, values);
          if (field.entries)
            visit(
              field.entries,
              (values as Row[]).flatMap((v) => Object.values(v)),
            );
        }
      }
    };
    visit(table.fields, records);
  }
}

/**
 * The table whose keys nearly all the values are. Small numbers are keys of many tables (1 to 6 key
 * policies and history items alike): a field named after one of them (`policy_id`, `policy`) names
 * that one, whatever the order of the tables.
 */
function overlapTable(values: readonly unknown[], keys: ReadonlyMap<string, ReadonlySet<string>>, fieldName?: string): string | undefined {
  const texts = values.filter((v) => typeof v === "string" || typeof v === "number").map(String);
  if (texts.length === 0) return undefined;
  let best: { table: string; share: number } | undefined;
  let named: string | undefined;
  const said = fieldName ? fieldName.replace(/(_id|Id|_key)$/, "").toLowerCase() : undefined;
  for (const [table, set] of keys) {
    if (set.size === 0) continue;
    const share = texts.filter((t) => set.has(t)).length / texts.length;
    if (share < 0.9) continue;
    if (!best || share > best.share) best = { table, share };
    const entity = singular(table.toLowerCase());
    if (said && !named && (said === entity || said === table.toLowerCase() || said.endsWith(`_${entity}`))) named = table;
  }
  return named ?? best?.table;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}
