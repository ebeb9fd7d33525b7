// Reading a domain pack's data and policy (`--data`, `--policy`): a JSON file of collections
// (`{collection: {id: record}}` or `{collection: [records]}`), or a folder of `<collection>.json`
// files. Every collection becomes `{key: record}`, keyed as the data keys it: by its own object keys,
// or, for a list, by the field every record holds a distinct key in. Anything else is refused with
// the file and the collection named.
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { DomainState, Row } from "../contracts/domain-state.ts";
import { singular } from "../domain-model/words.ts";

export interface ReadData {
  data: DomainState;
  /** Collections given as lists, with the field that keys their records. */
  lists: Record<string, string>;
}

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

/** Collections as tables of records by key: lists keyed by the field that keys their records. */
export function keyedCollections(collections: Record<string, unknown>, origin: string): ReadData {
  const out: ReadData = { data: {}, lists: {} };
  for (const [name, value] of Object.entries(collections)) {
    const where = `${origin}, collection ${JSON.stringify(name)}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new EnvscaleError("E_INPUT_UNREADABLE", `${where}: a collection name must be an identifier`);
    if (Array.isArray(value)) {
      const key = listKey(name, value, where);
      out.lists[name] = key;
      const rows: Record<string, Row> = {};
      for (const [i, record] of (value as Row[]).entries()) {
        const id = String(record[key]);
        if (id === PROTO)
          throw new EnvscaleError(
            "E_INPUT_UNREADABLE",
            `${where}: record ${i + 1} has "${PROTO}" in its key field ${key}, which cannot key a record (it would be lost); rename it`,
          );
        rows[id] = record;
      }
      out.data[name] = rows;
    } else if (isObject(value)) {
      for (const [key, record] of Object.entries(value)) {
        if (key === PROTO)
          throw new EnvscaleError("E_INPUT_UNREADABLE", `${where}: the key ${PROTO} is refused (it would set a prototype)`);
        if (!isObject(record)) throw new EnvscaleError("E_INPUT_UNREADABLE", `${where}: record ${JSON.stringify(key)} is not an object`);
      }
      out.data[name] = value as Record<string, Row>;
    } else {
      throw new EnvscaleError("E_INPUT_UNREADABLE", `${where}: a collection is an object of records by key or a list of records`);
    }
  }
  return out;
}

/**
 * A state back in the data's own shape: collections the data gave as lists become lists again, in
 * the data's order, with new records after the others (and removed ones gone).
 */
export function inDataShape(state: DomainState, lists: Readonly<Record<string, string>>, original?: DomainState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, rows] of Object.entries(state)) {
    // Own keys only: a collection or record named `constructor` is data, not Object.prototype's.
    if (!Object.hasOwn(lists, name)) {
      out[name] = rows;
      continue;
    }
    const before = original && Object.hasOwn(original, name) ? Object.keys(original[name] ?? {}) : [];
    const order = [...before.filter((key) => Object.hasOwn(rows, key)), ...Object.keys(rows).filter((key) => !before.includes(key))];
    out[name] = order.map((key) => rows[key]);
  }
  return out;
}

/** The field that keys a list's records: `id`, `<entity>_id`, or another field distinct in every record. */
function listKey(name: string, records: unknown[], where: string): string {
  if (!records.every(isObject)) throw new EnvscaleError("E_INPUT_UNREADABLE", `${where}: every element must be a record (an object)`);
  const rows = records as Row[];
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
  const found = candidates.find((field) => rows.length > 0 && rows.every((r) => field in r) && distinct(field));
  if (!found)
    throw new EnvscaleError(
      "E_INPUT_UNREADABLE",
      `${where}: no field keys its records (id, ${entity}_id, or any field with a distinct text or number in every record)`,
    );
  return found;
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
