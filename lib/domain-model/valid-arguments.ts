// Calls a tool accepts, built from a state: the record a keyed operation acts on (one that meets
// its preconditions), references that exist, amounts the source can cover, fresh keys for creates;
// and what success must then show (the effects). Verification, dependency confirmation and task
// chains all build their calls with it.

import type { Rng } from "../../kernel/rng.ts";
import type { DomainSchema, Table, ToolModel } from "../contracts/domain-schema.ts";
import type { DomainState, Row } from "../contracts/domain-state.ts";
import type { JsonSchema } from "./json-schema.ts";
import { conform, sampleFromSchema } from "./json-schema.ts";
import { sampleValue } from "./values.ts";

/** What a successful valid call must have done. */
export type Effect =
  | { kind: "changes-state" }
  /** `count` new records (one unless a call makes several: two ledger entries of a transfer). */
  | { kind: "adds-record"; table: string; count?: number }
  | { kind: "has-record"; table: string; key: string }
  | { kind: "removes-record"; table: string; key: string }
  | { kind: "sets-field"; table: string; key: string; field: string; value: unknown }
  | { kind: "returns-key"; field: string; value: unknown }
  /** The value at `path` inside a record is `value` (a service rule's `set`). */
  | { kind: "path-equals"; table: string; key: string; path: string[]; value: unknown; rule: string }
  /** The list or map at `path` inside a record gains entries (an appended payment, a linked key). */
  | { kind: "path-grows"; table: string; key: string; path: string[]; rule: string }
  /** The value at `path` changed (a counter drawn down, a date moved, a balance credited). */
  | { kind: "path-changes"; table: string; key: string; path: string[]; rule: string }
  /** The result is this number (exact arithmetic). */
  | { kind: "returns-number"; value: number }
  /** Nothing in the state changed. */
  | { kind: "changes-nothing" };

export const rowsOf = (state: DomainState, table: string): Row[] => Object.values(state[table] ?? {});

export const isFolder = (keys: readonly string[], key: string) =>
  keys.some((k) => k.startsWith(`${key}/`)) || !(key.split("/").at(-1) ?? "").includes(".");

export interface CaseInputs {
  model: ToolModel;
  functionName: string;
  parameters: JsonSchema;
  schema: DomainSchema;
  state: DomainState;
  clock: string;
  rng: Rng;
}

/** What building one call knows: the tool, its table, the state, and the arguments built so far. */
interface CallBuild {
  input: CaseInputs;
  attempt: number;
  tables: Map<string, Table>;
  table: Table;
  properties: Record<string, JsonSchema>;
  required: Set<string>;
  rows: Row[];
  keys: string[];
  /** The record a keyed operation acts on. */
  target: Row | undefined;
  args: Row;
  by(role: string): ToolModel["parameters"];
}

/** Arguments for a valid call, or null when the state holds nothing to build one from. */
export function validArguments(input: CaseInputs, attempt: number): { args: Row; effects: Effect[] } | null {
  const { model, schema, state } = input;
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  const table = tables.get(model.table) as Table;
  const rows = rowsOf(state, table.name);
  const build: CallBuild = {
    input,
    attempt,
    tables,
    table,
    properties: (input.parameters.properties ?? {}) as Record<string, JsonSchema>,
    required: new Set((input.parameters.required as string[] | undefined) ?? []),
    rows,
    keys: rows.map((r) => String(r[table.key])),
    target: undefined,
    args: {},
    by: (role) => model.parameters.filter((p) => p.role === role),
  };
  const target = chooseTarget(build);
  if (target === null) return null;
  build.target = target;
  bindArguments(build);
  coverDebits(build);
  return { args: build.args, effects: effectsOf(build) };
}

/**
 * The record the tool acts on (keyed operations, lookups, lists, deletes), chosen to meet the
 * tool's preconditions; undefined when the tool acts on none, null when none qualifies.
 */
function chooseTarget(build: CallBuild): Row | undefined | null {
  const { model, rng } = build.input;
  const { table, keys, attempt } = build;
  const keyed = ["get", "update", "set-status", "delete"].includes(model.operation) && build.by("key").length > 0;
  if (!(keyed || model.operation === "lookup" || model.operation === "list" || model.operation === "delete")) return undefined;
  let candidates = build.rows;
  if (model.operation === "set-status" && table.status) {
    const refused = new Set(model.status?.refusedFrom ?? []);
    candidates = candidates.filter((r) => !refused.has(String(r[table.status?.field ?? "status"])));
  }
  if (model.operation === "update" && table.status) {
    candidates = candidates.filter((r) => String(r[table.status?.field ?? "status"]) === table.status?.initial);
  }
  if (model.operation === "delete" && table.key === "path")
    candidates = candidates.filter((r) => !keys.some((k) => k.startsWith(`${r[table.key]}/`)));
  if (candidates.length === 0) return null;
  return candidates[(attempt + rng.int(0, candidates.length - 1)) % candidates.length];
}

/** Leave this parameter out of the call (an optional filter a list may drop). */
const SKIP = Symbol("skip");

/** A value for every parameter with a role, then for required ones the schema gave none. */
function bindArguments(build: CallBuild): void {
  const { model, rng, clock } = build.input;
  for (const binding of model.parameters) {
    const schemaOf = build.properties[binding.name] ?? {};
    let value = valueFor(build, binding, schemaOf);
    if (value === SKIP) continue;
    if (value === undefined || value === null) {
      if (build.required.has(binding.name)) value = sampleFromSchema(binding.name, schemaOf, rng, clock);
      else continue;
    }
    build.args[binding.name] = conform(value, schemaOf, binding.name, rng, clock);
  }
  // Parameters the schema gave no role (a model's schema may miss some).
  for (const [name, schemaOf] of Object.entries(build.properties)) {
    if (!(name in build.args) && build.required.has(name)) build.args[name] = sampleFromSchema(name, schemaOf, rng, clock);
  }
}

/** The value of one parameter, by its role. */
function valueFor(build: CallBuild, binding: ToolModel["parameters"][number], schemaOf: JsonSchema): unknown {
  const { model, state, rng, clock } = build.input;
  const { table, tables, keys, rows, target, attempt, args, by } = build;
  switch (binding.role) {
    case "key":
      if (model.operation === "create" || model.operation === "upsert") {
        let value =
          table.key === "path"
            ? newPath(keys, attempt, rng)
            : `${String(sampleValue(table.key, { type: "string" }, rng, { clock }))}-new${attempt}`;
        if (model.operation === "upsert" && attempt === 1 && keys.length > 0) value = keys.find((k) => !isFolder(keys, k)) ?? value;
        return value;
      }
      return target?.[table.key];
    case "reference": {
      const own = target && binding.field ? target[binding.field] : undefined;
      const debit = model.debits?.find((d) => d.table === binding.table);
      let parents = rowsOf(state, binding.table as string);
      if (debit) parents = parents.filter((p) => Number(p[debit.field]) >= 1);
      return (
        own ??
        (parents.length > 0
          ? parents[(attempt + rng.int(0, parents.length - 1)) % parents.length]?.[(tables.get(binding.table as string) as Table).key]
          : undefined)
      );
    }
    case "field":
      return fieldValue(build, binding, schemaOf);
    case "query": {
      const text = target ? Object.values(target).find((v): v is string => typeof v === "string" && /[a-z]{3,}/i.test(v)) : undefined;
      return text ? (text.match(/[A-Za-z]{3,}/)?.[0] ?? text) : undefined;
    }
    case "lower-bound":
    case "upper-bound":
      return target?.[binding.field as string] ?? undefined;
    case "limit":
      return rng.int(1, 5);
    case "parent": {
      const folders = keys.filter((k) => isFolder(keys, k));
      return target && model.operation === "list"
        ? (keys
            .filter((k) => k !== target?.[table.key] && String(target?.[table.key]).startsWith(`${k}/`))
            .sort((a, b) => b.length - a.length)[0] ?? "/")
        : (folders[0] ?? "/");
    }
    case "source": {
      if (model.operation === "move") {
        const files = keys.filter((k) => !isFolder(keys, k));
        return files[(attempt + rng.int(0, Math.max(0, files.length - 1))) % Math.max(1, files.length)];
      }
      const counter = model.parameters.find((p) => p.role === "amount")?.field ?? "balance";
      const funded = rows.filter((r) => Number(r[counter]) >= 2);
      return funded[(attempt + rng.int(0, Math.max(0, funded.length - 1))) % Math.max(1, funded.length)]?.[table.key];
    }
    case "destination": {
      if (model.operation === "move") return newPath(keys, attempt + 7, rng);
      const source = args[by("source")[0]?.name ?? ""];
      const others = keys.filter((k) => k !== source);
      return others[(attempt + rng.int(0, Math.max(0, others.length - 1))) % Math.max(1, others.length)];
    }
    case "amount": {
      const source = rows.find((r) => r[table.key] === args[by("source")[0]?.name ?? ""]);
      const available = Number(source?.[binding.field ?? "balance"] ?? 0);
      return Math.max(1, Math.min(Math.floor(available / 2), rng.int(1, 100)));
    }
    case "option":
      return sampleFromSchema(binding.name, schemaOf, rng, clock);
  }
}

/**
 * A field's value: for reads and deletes, the target's own (so that something matches; a list
 * drops some optional filters); for writes, a sampled value, never the one already there.
 */
function fieldValue(build: CallBuild, binding: ToolModel["parameters"][number], schemaOf: JsonSchema): unknown {
  const { model, rng, clock } = build.input;
  const { table, target } = build;
  if ((model.operation === "list" || model.operation === "lookup" || model.operation === "delete") && target) {
    if (model.operation === "list" && !build.required.has(binding.name) && rng.chance(0.5)) return SKIP;
    return target[binding.field as string];
  }
  const field = table.fields.find((f) => f.name === binding.field);
  let value = sampleFromSchema(binding.name, { ...(field ?? {}), ...schemaOf }, rng, clock);
  // An update must change something to show that it did: never the value already there.
  const current = target?.[binding.field as string];
  for (
    let retry = 0;
    retry < 8 && current !== undefined && JSON.stringify(conform(value, schemaOf, binding.name, rng, clock)) === JSON.stringify(current);
    retry++
  ) {
    value =
      typeof current === "number" && retry > 3
        ? current + 1
        : sampleFromSchema(binding.name, { ...(field ?? {}), ...schemaOf }, rng, clock);
  }
  return value;
}

/** Debits need an amount the referenced record can cover. */
function coverDebits(build: CallBuild): void {
  const { model, state, rng, clock } = build.input;
  for (const debit of model.debits ?? []) {
    const ref = model.parameters.find((p) => p.role === "reference" && p.table === debit.table);
    const parent = rowsOf(state, debit.table).find((r) => r[(build.tables.get(debit.table) as Table).key] === build.args[ref?.name ?? ""]);
    const available = Number(parent?.[debit.field] ?? 0);
    if (available >= 1)
      build.args[debit.parameter] = conform(
        Math.max(1, Math.min(Math.floor(available / 2), Number(build.args[debit.parameter]) || 1)),
        build.properties[debit.parameter] ?? {},
        debit.parameter,
        rng,
        clock,
      );
  }
}

/** What success must show. */
function effectsOf(build: CallBuild): Effect[] {
  const { model } = build.input;
  const { table, args, by } = build;
  const effects: Effect[] = [];
  const key = (name?: string) => (name ? args[name] : undefined);
  switch (model.operation) {
    case "create": {
      const given = key(by("key")[0]?.name) ?? args[table.key];
      effects.push(
        table.keyKind === "id" || given === undefined
          ? { kind: "adds-record", table: table.name }
          : { kind: "has-record", table: table.name, key: String(given) },
      );
      break;
    }
    case "upsert":
      effects.push({ kind: "has-record", table: table.name, key: String(key(by("key")[0]?.name)) });
      break;
    case "delete":
      if (by("key")[0]) effects.push({ kind: "removes-record", table: table.name, key: String(key(by("key")[0]?.name)) });
      else effects.push({ kind: "changes-state" });
      break;
    case "set-status":
      if (table.status && model.status)
        effects.push({
          kind: "sets-field",
          table: table.name,
          key: String(key(by("key")[0]?.name)),
          field: table.status.field,
          value: model.status.to,
        });
      break;
    case "update": {
      const changed = by("field").find((p) => p.name in args && p.field !== table.key);
      if (changed)
        effects.push({
          kind: "sets-field",
          table: table.name,
          key: String(key(by("key")[0]?.name)),
          field: changed.field as string,
          value: args[changed.name],
        });
      break;
    }
    case "transfer":
    case "move":
      effects.push({ kind: "changes-state" });
      if (model.operation === "move")
        effects.push(
          { kind: "removes-record", table: table.name, key: String(key(by("source")[0]?.name)) },
          { kind: "has-record", table: table.name, key: String(key(by("destination")[0]?.name)) },
        );
      break;
    case "get":
      if (by("key")[0]) effects.push({ kind: "returns-key", field: table.key, value: key(by("key")[0]?.name) });
      break;
  }
  if (model.access === "write" && !effects.some((e) => e.kind === "changes-state")) effects.push({ kind: "changes-state" });
  return effects;
}

function newPath(keys: readonly string[], attempt: number, rng: Rng): string {
  const folders = keys.filter((k) => isFolder(keys, k));
  const folder = folders.length > 0 ? (folders[(attempt + rng.int(0, folders.length - 1)) % folders.length] as string) : "";
  for (let n = attempt; ; n++) {
    const candidate = `${folder}/new-${n}.txt`;
    if (!keys.includes(candidate)) return candidate;
  }
}
