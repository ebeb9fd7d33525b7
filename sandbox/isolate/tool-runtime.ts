// `envscale/runtime`: the helpers a tool module may import, bundled into every module.
//
//     import { fail, newId, now, requireRecord } from "envscale/runtime";
//
// Everything here is deterministic: ids come from the seeded Math.random, times from the task clock.

/** A deliberate refusal (unknown id, broken precondition): an anticipated rejection, not a crash. */
export class ToolError extends Error {
  readonly details: Record<string, unknown> | undefined;
  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ToolError";
    this.details = details;
  }
}

/** Refuse the call with a message the agent will see. */
export function fail(message: string, details?: Record<string, unknown>): never {
  throw new ToolError(message, details);
}

/** Refuse the call unless `condition` holds. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ToolError(message);
}

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A new id such as `ord_k3x9q2mz`: deterministic for a given episode seed and call order. */
export function newId(prefix: string, length = 8): string {
  let id = "";
  for (let i = 0; i < length; i++) id += ID_ALPHABET[Math.floor(Math.random() * ID_ALPHABET.length)];
  return prefix ? `${prefix}_${id}` : id;
}

/** The task clock as an ISO 8601 timestamp (`2025-01-01T09:00:00.000Z`). */
export function now(): string {
  return isoString(Date.now());
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()` by arithmetic (days to civil date, after Howard Hinnant's
 * algorithm): V8's own takes over a microsecond, which tools calling now() on every write feel.
 */
export function isoString(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0 || ms >= 253402300800000) return new Date(ms).toISOString();
  const days = Math.floor(ms / 86400000);
  let rest = ms - days * 86400000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3600000);
  rest -= hours * 3600000;
  const minutes = Math.floor(rest / 60000);
  rest -= minutes * 60000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
}

/** The task clock's day, `YYYY-MM-DD`. */
export function today(): string {
  return now().slice(0, 10);
}

type Table<T> = Record<string, T> | T[];

/**
 * The record with this id in a table keyed by id (`{ id: record }`) or a list of records with an
 * `id_field`; refuses the call when there is none.
 */
export function requireRecord<T extends object>(table: Table<T> | undefined, id: unknown, what = "record", idField = "id"): T {
  const found = findRecord(table, id, idField);
  if (found === undefined) fail(`${what} ${JSON.stringify(id)} not found`);
  return found;
}

/** The record with this id, or undefined (see requireRecord). */
export function findRecord<T extends object>(table: Table<T> | undefined, id: unknown, idField = "id"): T | undefined {
  if (!table || (typeof id !== "string" && typeof id !== "number")) return undefined;
  if (Array.isArray(table)) return table.find((record) => (record as Record<string, unknown>)[idField] === id);
  return Object.hasOwn(table, String(id)) ? table[String(id)] : undefined;
}

/** Records of a table (keyed or list) that match every given field. */
export function whereEquals<T extends object>(table: Table<T> | undefined, fields: Record<string, unknown>): T[] {
  if (!table) return [];
  const records = Array.isArray(table) ? table : Object.values(table);
  const wanted = Object.entries(fields).filter(([, value]) => value !== undefined);
  return records.filter((record) => wanted.every(([key, value]) => (record as Record<string, unknown>)[key] === value));
}

/** A plain deep copy (records handed back to the agent should not alias the database). */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
