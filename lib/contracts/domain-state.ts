// A domain's database as stored: `{ table: { key: record } }` (artifact `sample-states`, a task's initial state).
import { z } from "zod";

/** One record of a table: its fields by name. */
export type Row = Record<string, unknown>;

export type DomainState = Record<string, Record<string, Row>>;

/** The stored shape of a state: tables of records keyed by their key. */
export const domainStateSchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.json())));
