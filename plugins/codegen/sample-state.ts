// The seeded initial-state generator: records for every table, consistent with the schema.
//
// Parents are generated before the records that reference them, so every foreign key points at a
// record that exists (referential integrity). Statuses are mostly the initial one, with some
// records in later states so that preconditions have something to refuse. Path-keyed tables get a
// small folder tree whose every parent exists.

import type { Rng } from "../../kernel/rng.ts";
import type { DomainSchema, Table } from "../../lib/contracts/domain-schema.ts";
import { keyIsNumeric } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import { sampleValue } from "../../lib/domain-model/values.ts";

export interface StateOptions {
  /** Records per table (path tables: about this many entries). */
  records: number;
  /** The task clock the dates are drawn around. */
  clock: string;
}

/** Tables in an order where every referenced table comes first (reference cycles broken by name). */
export function tablesInDependencyOrder(schema: DomainSchema): Table[] {
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: Table[] = [];
  const visit = (table: Table) => {
    if (done.has(table.name) || visiting.has(table.name)) return;
    visiting.add(table.name);
    for (const field of table.fields) {
      const parent = field.references ? byName.get(field.references) : undefined;
      if (parent && parent.name !== table.name) visit(parent);
    }
    visiting.delete(table.name);
    done.add(table.name);
    out.push(table);
  };
  for (const table of [...schema.tables].sort((a, b) => a.name.localeCompare(b.name))) visit(table);
  return out;
}

const FOLDERS = ["projects", "notes", "archive", "photos"];
const FILES = ["readme.md", "plan.txt", "budget.csv", "todo.txt", "report.pdf", "draft.md"];

/** Keys of a path table: folders, then files inside them (every parent exists). */
function pathKeys(count: number, rng: Rng): string[] {
  const folders = rng.sample(FOLDERS, Math.max(1, Math.min(FOLDERS.length, Math.ceil(count / 4)))).map((f) => `/${f}`);
  const keys = [...folders];
  const sub = `${folders[0]}/2025`;
  keys.push(sub);
  let i = 0;
  while (keys.length < Math.max(count, folders.length + 2)) {
    const folder = i % 3 === 2 ? sub : (folders[i % folders.length] as string);
    const file = `${folder}/${FILES[i % FILES.length]?.replace(".", `-${i}.`)}`;
    if (!keys.includes(file)) keys.push(file);
    i += 1;
  }
  return keys;
}

/** Generate an initial state for a domain: `{ table: { key: record } }`. */
export function generateState(schema: DomainSchema, rng: Rng, options: StateOptions): DomainState {
  const state: DomainState = {};
  for (const table of tablesInDependencyOrder(schema)) {
    const tableRng = rng.fork(table.name);
    const rows: Record<string, Record<string, unknown>> = {};
    const keys =
      table.key === "path"
        ? pathKeys(options.records, tableRng)
        : Array.from({ length: options.records }, (_, i) =>
            table.keyKind === "id"
              ? keyIsNumeric(table) || table.numericIds
                ? String(101 + i)
                : `${table.idPrefix}_${String(i + 1).padStart(4, "0")}`
              : String(
                  sampleValue(table.key, table.fields.find((f) => f.name === table.key) ?? { type: "string" }, tableRng, {
                    clock: options.clock,
                    entity: table.entity,
                    index: i,
                  }),
                ),
          );
    keys.forEach((key, i) => {
      if (rows[key]) return;
      const record: Record<string, unknown> = {};
      for (const field of table.fields) {
        if (field.name === table.key) {
          record[field.name] = keyIsNumeric(table) ? Number(key) : key;
          continue;
        }
        if (field.references) {
          const parents = Object.keys(state[field.references] ?? {});
          const parent = parents.length > 0 ? parents[(i + tableRng.int(0, parents.length - 1)) % parents.length] : undefined;
          const numeric = (field.type === "integer" || field.type === "number") && Number.isFinite(Number(parent));
          record[field.name] = parent === undefined ? null : numeric ? Number(parent) : parent;
          continue;
        }
        if (table.status && field.name === table.status.field) {
          const others = table.status.values.filter((v) => v !== table.status?.initial);
          record[field.name] = i % 3 === 2 && others.length > 0 ? tableRng.pick(others) : table.status.initial;
          continue;
        }
        if (field.nullable && tableRng.chance(0.15)) {
          record[field.name] = null;
          continue;
        }
        if (table.key === "path" && field.name === "content") {
          record[field.name] = key.includes(".") ? `contents of ${key.split("/").at(-1)}` : null;
          continue;
        }
        record[field.name] = sampleValue(field.name, field, tableRng, { clock: options.clock, entity: table.entity, index: i });
      }
      rows[key] = record;
    });
    state[table.name] = rows;
  }
  return state;
}
