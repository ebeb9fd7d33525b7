// The database a task starts from (ScaleEnv's dependency-aware expansion of state): a background
// drawn from the environment's sample state, every record the gold chain needs (and the records
// those point to), and distractors — copies of the records the chain acts on, under new keys with
// one field changed, that a careless agent would read or change instead.

import type { Rng } from "../../kernel/rng.ts";
import { type DomainSchema, keyIsNumeric, type Table } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import { sampleValue } from "../../lib/domain-model/values.ts";
import { applyStatePatch, type StatePatch } from "../../lib/task-states/index.ts";

export interface TaskStateOptions {
  /** Share of the sample state's other records kept as background. */
  background: number;
  /** Distractors per record the chain names in its arguments. */
  distractors: number;
  clock: string;
}

export interface TaskState {
  /** The whole initial state: the base with the patch applied (sharing the base's untouched tables and records). */
  state: DomainState;
  /** What the task changes of its base state (the sample): records removed (null) and distractors added. */
  patch: StatePatch;
  distractors: { table: string; key: string; resembles: string }[];
}

const ref = (table: string, key: string) => `${table}\u0000${key}`;
const unref = (value: string) => value.split("\u0000") as [string, string];

/** Records `needed` plus what they reference (foreign keys, enclosing folders), transitively. */
function closure(schema: DomainSchema, sample: DomainState, needed: Iterable<string>): Set<string> {
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  const out = new Set<string>();
  const queue = [...needed];
  while (queue.length > 0) {
    const next = queue.pop() as string;
    if (out.has(next)) continue;
    const [tableName, key] = unref(next);
    const record = sample[tableName]?.[key];
    const table = tables.get(tableName);
    if (!record || !table) continue;
    out.add(next);
    for (const field of table.fields) {
      const value = record[field.name];
      if (field.references && value !== null && value !== undefined) queue.push(ref(field.references, String(value)));
    }
    if (table.key === "path")
      for (const folder of Object.keys(sample[tableName] ?? {})) if (key.startsWith(`${folder}/`)) queue.push(ref(tableName, folder));
  }
  return out;
}

/**
 * A key for a new record of `table` that no record has, in the style of its other keys: the key of
 * the record it resembles with its number moved on (#W2004836 → #W2004837), as a look-alike's is.
 */
function freshKey(table: Table, taken: ReadonlySet<string>, n: number, resembles?: string): string {
  const numbered = resembles?.match(/^(.*?)(\d+)$/);
  if (numbered && !keyIsNumeric(table)) {
    const [, stem, digits] = numbered as unknown as [string, string, string];
    for (let next = Number(digits) + n; next < Number(digits) + n + 1000; next++) {
      const key = `${stem}${String(next).padStart(digits.length, "0")}`;
      if (!taken.has(key)) return key;
    }
  }
  if (keyIsNumeric(table) || table.numericIds) {
    const numbers = [...taken].map(Number).filter(Number.isFinite);
    return String(Math.max(100, ...numbers) + n);
  }
  const width = 4;
  const used = [...taken].map((k) => Number(k.slice(table.idPrefix.length + 1))).filter(Number.isFinite);
  let index = Math.max(0, ...used) + n;
  while (taken.has(`${table.idPrefix}_${String(index).padStart(width, "0")}`)) index += 1;
  return `${table.idPrefix}_${String(index).padStart(width, "0")}`;
}

/** A look-alike of `record`: the same links and most fields, one changed field, a new key. */
function lookAlike(table: Table, record: Record<string, unknown>, key: string, rng: Rng, clock: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record, [table.key]: keyIsNumeric(table) ? Number(key) : key };
  const changeable = table.fields.filter(
    (f) => f.name !== table.key && !f.references && f.name !== table.status?.field && ["string", "number", "integer"].includes(f.type),
  );
  if (changeable.length === 0) return copy;
  const field = rng.pick(changeable);
  for (let attempt = 0; attempt < 6; attempt++) {
    const value = sampleValue(field.name, field, rng, { clock, entity: table.entity, index: 50 + attempt });
    if (JSON.stringify(value) !== JSON.stringify(record[field.name])) {
      copy[field.name] = value;
      break;
    }
  }
  return copy;
}

/**
 * The initial state of a task: `direct` records (named in the gold calls' arguments) get
 * distractors; `seen` records (in their results) are kept so results stay what they were.
 */
export function buildTaskState(
  schema: DomainSchema,
  sample: DomainState,
  named: { direct: ReadonlySet<string>; seen: ReadonlySet<string> },
  rng: Rng,
  options: TaskStateOptions,
): TaskState {
  const patch: StatePatch = {};
  const set = (table: string, key: string, record: Record<string, unknown> | null) => {
    patch[table] ??= {};
    (patch[table] as Record<string, unknown>)[key] = record;
  };
  // Background: the base state whole, or a share of its other records (the rest removed by the patch).
  if (options.background < 1) {
    const kept = closure(schema, sample, [...named.direct, ...named.seen]);
    for (const table of schema.tables)
      for (const key of Object.keys(sample[table.name] ?? {})) if (rng.chance(options.background)) kept.add(ref(table.name, key));
    const all = closure(schema, sample, kept);
    for (const table of schema.tables)
      for (const key of Object.keys(sample[table.name] ?? {})) if (!all.has(ref(table.name, key))) set(table.name, key, null);
  }
  const distractors: TaskState["distractors"] = [];
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  for (const named_ of [...named.direct].sort()) {
    const [tableName, key] = unref(named_);
    const table = tables.get(tableName);
    const record = sample[tableName]?.[key];
    // Natural keys (paths, emails) say what a record is: a copy under another one is not a look-alike.
    if (!table || !record || table.keyKind !== "id") continue;
    const taken = new Set([...Object.keys(sample[tableName] ?? {}), ...Object.keys(patch[tableName] ?? {})]);
    for (let n = 1; n <= options.distractors; n++) {
      const fresh = freshKey(table, taken, 1, key);
      taken.add(fresh);
      set(tableName, fresh, lookAlike(table, record, fresh, rng, options.clock) as Record<string, never>);
      distractors.push({ table: tableName, key: fresh, resembles: key });
    }
  }
  return { state: applyStatePatch(sample, patch), patch, distractors };
}
