// Environment state alignment (AgentScaler's second filter): the final database equals the gold
// one. Equal hashes settle it; otherwise a per-field diff decides, in which the columns an episode
// generates are exempt (ScaleEnv's column classes): keys of records created during the episode
// (and references to them), and timestamps the episode wrote. An agent that made an extra read
// moves the clock and the id stream, not the outcome.

import { canonicalStringify } from "../../../kernel/canonical-json.ts";
import type { DomainSchema, Table } from "../../contracts/domain-schema.ts";
import type { DomainState } from "../../contracts/domain-state.ts";

export interface StateDiff {
  table: string;
  key: string;
  /** Absent for a whole record that is missing or unexpected. */
  field?: string;
  expected: unknown;
  actual: unknown;
}

export interface Alignment {
  aligned: boolean;
  /** `exact`: equal hashes; `equivalent`: equal up to generated ids and timestamps. */
  match: "exact" | "equivalent" | "none";
  diffs: StateDiff[];
}

const TIMESTAMP_NAME = /(^|_)(at|time|timestamp|updated|created|modified)$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function isTimestamp(table: Table | undefined, field: string, value: unknown): boolean {
  const declared = table?.fields.find((f) => f.name === field);
  return declared?.format === "date-time" || (TIMESTAMP_NAME.test(field) && typeof value === "string" && ISO.test(value));
}

type Rows = Record<string, Record<string, unknown>>;

/** A record with generated columns blanked: its key when created, created ids it points to, timestamps the episode set. */
function normalise(
  table: Table | undefined,
  record: Record<string, unknown>,
  original: Record<string, unknown> | undefined,
  created: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A record a tool set to something else than a record (null, a value) is compared as it is.
  if (record === null || typeof record !== "object" || Array.isArray(record)) return { value: record };
  for (const [field, value] of Object.entries(record)) {
    if (!original && field === table?.key) continue;
    if (isTimestamp(table, field, value) && JSON.stringify(value) !== JSON.stringify(original?.[field])) {
      out[field] = "<timestamp>";
      continue;
    }
    out[field] = (typeof value === "string" || typeof value === "number") && created.has(String(value)) ? "<generated id>" : value;
  }
  return out;
}

export function compareStates(
  schema: Pick<DomainSchema, "tables">,
  initial: DomainState,
  gold: DomainState,
  actual: DomainState,
  hashes: { gold: string; actual: string },
  maxDiffs = 20,
): Alignment {
  if (hashes.gold === hashes.actual) return { aligned: true, match: "exact", diffs: [] };
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  // Keys generated during either episode, across tables (a created order's id in a created payment).
  const created = new Set<string>();
  for (const state of [gold, actual])
    for (const [name, rows] of Object.entries(state))
      for (const key of Object.keys(rows)) if (!Object.hasOwn(initial[name] ?? {}, key)) created.add(key);

  const diffs: StateDiff[] = [];
  const names = [...new Set([...Object.keys(gold), ...Object.keys(actual)])].sort();
  for (const name of names) {
    const table = tables.get(name);
    const start = (initial[name] ?? {}) as Rows;
    const expected = (gold[name] ?? {}) as Rows;
    const got = (actual[name] ?? {}) as Rows;
    // Records that existed before: same keys kept, same fields (generated columns aside).
    for (const key of Object.keys(start).sort()) {
      const inGold = Object.hasOwn(expected, key);
      const inActual = Object.hasOwn(got, key);
      if (inGold !== inActual) {
        diffs.push({ table: name, key, expected: inGold ? "present" : "deleted", actual: inActual ? "present" : "deleted" });
        continue;
      }
      if (!inGold) continue;
      // The very same record on both sides (states sharing what an episode left alone) is equal.
      if (expected[key] === got[key]) continue;
      const a = normalise(table, expected[key] as Record<string, unknown>, start[key], created);
      const b = normalise(table, got[key] as Record<string, unknown>, start[key], created);
      for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
        if (canonicalStringify(a[field] ?? null) !== canonicalStringify(b[field] ?? null))
          diffs.push({ table: name, key, field, expected: expected[key]?.[field] ?? null, actual: got[key]?.[field] ?? null });
    }
    // Records created during the episode: the same multiset once generated columns are blanked.
    const fresh = (rows: Rows) =>
      Object.entries(rows)
        .filter(([key]) => !Object.hasOwn(start, key))
        .map(([key, record]) => ({ key, text: canonicalStringify(normalise(table, record, undefined, created)) }));
    const unmatched = fresh(got);
    for (const want of fresh(expected)) {
      const at = unmatched.findIndex((u) => u.text === want.text);
      if (at >= 0) unmatched.splice(at, 1);
      else diffs.push({ table: name, key: want.key, expected: expected[want.key], actual: "missing" });
    }
    for (const extra of unmatched) diffs.push({ table: name, key: extra.key, expected: "absent", actual: got[extra.key] });
  }
  const aligned = diffs.length === 0;
  return { aligned, match: aligned ? "equivalent" : "none", diffs: diffs.slice(0, maxDiffs) };
}
