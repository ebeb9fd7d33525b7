// A domain's database as stored: `{ table: { key: record } }` (artifact `sample-states`, a task's initial state).
import { z } from "zod";

export type DomainState = Record<string, Record<string, Record<string, unknown>>>;

/** The stored shape of a state: tables of records keyed by their key. */
export const domainStateSchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.json())));
