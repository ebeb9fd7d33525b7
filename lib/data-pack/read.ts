// Reading a domain pack's data and policy (`--data`, `--policy`): a JSON file of collections
// (`{collection: {id: record}}` or `{collection: [records]}`), or a folder of `<collection>.json`
// files. Inside an environment every collection is a table of records by key: a map as the data
// keys it; a list by the field every record holds a distinct key in, or by position when none does;
// one record of fields (settings, counters, a session) under the key `current`. `inDataShape` gives
// a state back in the data's own shape. Anything else is refused with the file and collection named.
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { DomainState, Row } from "../contracts/domain-state.ts";
import { singular } from "../domain-model/words.ts";

/** How the data gave its collections, where not as a map of records by key. */
export interface DataShape {
  /** Collections given as lists, with the field that keys their records (`#`: their position). */
  lists: Record<string, string>;
  /** Collections that are one record of fields, held in the environment under the key `current`. */
  singles?: string[];
}

export interface ReadData extends DataShape {
  data: DomainState;
  singles: string[];
}

/** The key a collection that is one record is held under. */
export const SINGLE_KEY = "current";
/** The key field of a list keyed by position. */
export const BY_POSITION = "#";

/**
 * The one key a collection may not hold: JSON.parse makes `__proto__` an own property, but every
 * copy of the collection (`out[key] = record`) would set a prototype instead and lose the record.
 * `constructor`, `prototype` and the like are ordinary data.
 */
const PROTO = "__proto__";

/** Read the data at `path` (a JSON file or a folder of them). */
export async function readData(path: string): Promise<ReadData> {
  const info = await stat(path).catch(() => null);
  if (!info)
    throw new EnvscaleError("E_INPUT_UNREADABLE", `data ${path} does not exist`, {
      hint: "give a JSON file or a folder of <collection>.json files",
    });
  const collections: Record<string, unknown> = {};
  if (info.isDirectory()) {
    const files = (await readdir(path)).filter((f) => extname(f) === ".json").sort();
    if (files.length === 0) throw new EnvscaleError("E_INPUT_UNREADABLE", `data folder ${path} holds no .json file`);
    for (const file of files) collections[basename(file, ".json")] = await readJson(join(path, file));
  } else {
    const value = await readJson(path);
    if (!isObject(value)) throw new EnvscaleError("E_INPUT_UNREADABLE", `data ${path} must be a JSON object of collections`);
    Object.assign(collections, value);
  }
  const out = keyedCollections(collections, `data ${path}`);
  if (Object.keys(out.data).length === 0) throw new EnvscaleError("E_INPUT_UNREADABLE", `data ${path} holds no collection`);
  return out;
}

/** Collections as tables of records by key: lists keyed by the field that keys their records, a single record under `current`. */
export function keyedCollections(collections: Record<string, unknown>, origin: string): ReadData {
  const out: ReadData = { data: {}, lists: {}, singles: [] };
  for (const [name, value] of Object.entries(collections)) {
    const where = `${origin}, collection ${JSON.stringify(name)}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new EnvscaleError("E_INPUT_UNREADABLE", `${where}: a collection name must be an identifier`);
    if (Array.isArray(value)) {
      if (!value.every(isObject))
        throw new EnvscaleError("E_INPUT_UNREADABLE", `${where}: a list collection must hold records (objects), one per element`);
      const key = listKey(name, value);
      out.lists[name] = key;
      const rows: Record<string, Row> = {};
      value.forEach((record, i) => {
        const id = key === BY_POSITION ? String(i) : String(record[key]);
        if (id === PROTO)
          throw new EnvscaleError(
            "E_INPUT_UNREADABLE",
            `${where}: record ${i + 1} has "${PROTO}" in its key field ${key}, which cannot key a record (it would be lost); rename it`,
          );
        rows[id] = record;
      });
      out.data[name] = rows;
    } else if (isObject(value)) {
      if (Object.hasOwn(value, PROTO))
        throw new EnvscaleError("E_INPUT_UNREADABLE", `${where}: the key ${PROTO} is refused (it would set a prototype)`);
      if (isMapOfRecords(value)) out.data[name] = value as Record<string, Row>;
      else {
        // Settings, counters, a session: one record of fields, kept as it is.
        out.singles.push(name);
        out.data[name] = { [SINGLE_KEY]: value };
      }
    } else {
      throw new EnvscaleError(
        "E_INPUT_UNREADABLE",
        `${where}: a collection is an object of records by key, a list of records, or one record of fields`,
      );
    }
  }
  return out;
}

/**
 * Whether an object is a map of records by key (`{"o1": {...}, "o2": {...}}`) rather than one
 * record whose fields are objects: every value a record, and keys that look like keys (digits,
 * not identifiers) or values shaped alike.
 */
function isMapOfRecords(value: Record<string, unknown>): boolean {
  const entries = Object.entries(value);
  if (entries.length === 0) return true;
  if (!entries.every(([, v]) => isObject(v))) return false;
  if (entries.every(([k]) => /\d/.test(k) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))) return true;
  const keysets = entries.map(([, v]) => Object.keys(v as object));
  const all = new Set(keysets.flat());
  const shared = [...all].filter((k) => keysets.every((set) => set.includes(k))).length;
  return shared >= Math.max(1, all.size / 2);
}

/**
 * A state back in the data's own shape: collections the data gave as lists become lists again, in
 * the data's order, with new records after the others (and removed ones gone); a single record is
 * itself again.
 */
export function inDataShape(state: DomainState, shape: DataShape, original?: DomainState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const singles = new Set(shape.singles ?? []);
  for (const [name, rows] of Object.entries(state)) {
    if (singles.has(name)) {
      out[name] = rows?.[SINGLE_KEY] ?? {};
      continue;
    }
    // Own keys only: a collection or record named `constructor` is data, not Object.prototype's.
    if (!Object.hasOwn(shape.lists, name)) {
      out[name] = rows;
      continue;
    }
    const before = original && Object.hasOwn(original, name) ? Object.keys(original[name] ?? {}) : [];
    const order = [...before.filter((key) => Object.hasOwn(rows, key)), ...Object.keys(rows).filter((key) => !before.includes(key))];
    out[name] = order.map((key) => rows[key]);
  }
  return out;
}

/** The field that keys a list's records: `id`, `<entity>_id`, or another field distinct in every record; else their position. */
function listKey(name: string, rows: Row[]): string {
  const distinct = (field: string) => {
    const seen = new Set<string>();
    for (const row of rows) {
      const value = row[field];
      if (typeof value !== "string" && typeof value !== "number") return false;
      if (seen.has(String(value))) return false;
      seen.add(String(value));
    }
    return true;
  };
  const entity = singular(name);
  // The usual key names first; then fields named like keys (`sku`, `…_code`); then, as services
  // often write a record's key first, its first field that is distinct in every record.
  const fields = Object.keys(rows[0] ?? {});
  const candidates = [
    "id",
    `${entity}_id`,
    `${entity}Id`,
    ...fields.filter((f) => /(_id|Id|_code|_number|_no|_key|^sku|^code|^uuid|^slug|^key)$/i.test(f)),
    ...fields,
  ];
  // Small records with no key of their own (entries of a log): keyed by where they stand.
  return candidates.find((field) => rows.length > 0 && rows.every((r) => field in r) && distinct(field)) ?? BY_POSITION;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `${path} is not JSON: ${(error as Error).message}`);
  }
}

/** Read a policy document (prose, Markdown). */
export async function readPolicy(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `cannot read policy ${path}: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
