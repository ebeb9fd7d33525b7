// What an episode changed of the state it started from: per table changed, the records it set
// (or null, removed), or the whole table when it is an array or no table at all; null for a table
// removed. A service's state is its whole data: a write's result crosses as what it changed.
import type { JsonObject } from "./canonical-state.ts";

export type StateChanges = Record<string, null | { whole: unknown } | { records: Record<string, unknown> }>;

/**
 * `initial` with `changes` applied: the changed state, sharing every untouched table and record
 * with `initial` (neither input is modified).
 */
export function applyStateChanges(initial: JsonObject, changes: StateChanges): JsonObject {
  const out: Record<string, unknown> = { ...initial };
  for (const [name, change] of Object.entries(changes)) {
    if (change === null) delete out[name];
    else if ("whole" in change) out[name] = change.whole;
    else {
      const table: Record<string, unknown> = { ...((initial[name] ?? {}) as Record<string, unknown>) };
      for (const [key, record] of Object.entries(change.records)) {
        if (record === null) delete table[key];
        else table[key] = record;
      }
      out[name] = table;
    }
  }
  return out as JsonObject;
}
