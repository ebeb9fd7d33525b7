// Calls a tool accepts, built from a state: the record a keyed operation acts on (one that meets
// its preconditions), references that exist, amounts the source can cover, fresh keys for creates;
// and what success must then show (the effects). Verification, dependency confirmation and task
// chains all build their calls with it.
import type { DomainSchema, Table, ToolModel } from "../contracts/domain-schema.ts";
import type { DomainState, Row } from "../contracts/domain-state.ts";
import type { Rng } from "../kernel/rng.ts";
import type { JsonSchema } from "./json-schema.ts";
import { conform, sampleFromSchema } from "./json-schema.ts";
import { sampleValue } from "./values.ts";

/** What a successful valid call must have done. */
export type Effect =
  | { kind: "changes-state" }
  | { kind: "adds-record"; table: string }
  | { kind: "has-record"; table: string; key: string }
  | { kind: "removes-record"; table: string; key: string }
  | { kind: "sets-field"; table: string; key: string; field: string; value: unknown }
  | { kind: "returns-key"; field: string; value: unknown };

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

/** Arguments for a valid call, or null when the state holds nothing to build one from. */
export function validArguments(input: CaseInputs, attempt: number): { args: Row; effects: Effect[] } | null {
  const { model, schema, state, rng, clock } = input;
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  const table = tables.get(model.table) as Table;
  const properties = (input.parameters.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((input.parameters.required as string[] | undefined) ?? []);
  const by = (role: string) => model.parameters.filter((p) => p.role === role);
  const args: Row = {};
  const effects: Effect[] = [];
  const rows = rowsOf(state, table.name);
  const keys = rows.map((r) => String(r[table.key]));

  // The record the tool acts on (keyed operations), chosen to meet the tool's preconditions.
  let target: Row | undefined;
  const keyed = ["get", "update", "set-status", "delete"].includes(model.operation) && by("key").length > 0;
  if (keyed || model.operation === "lookup" || model.operation === "list" || model.operation === "delete") {
    let candidates = rows;
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
    target = candidates[(attempt + rng.int(0, candidates.length - 1)) % candidates.length];
  }

  for (const binding of model.parameters) {
    const schemaOf = properties[binding.name] ?? {};
    let value: unknown;
    switch (binding.role) {
      case "key":
        if (model.operation === "create" || model.operation === "upsert") {
          value =
            table.key === "path"
              ? newPath(keys, attempt, rng)
              : `${String(sampleValue(table.key, { type: "string" }, rng, { clock }))}-new${attempt}`;
          if (model.operation === "upsert" && attempt === 1 && keys.length > 0) value = keys.find((k) => !isFolder(keys, k)) ?? value;
        } else value = target?.[table.key];
        break;
      case "reference": {
        const own = target && binding.field ? target[binding.field] : undefined;
        const debit = model.debits?.find((d) => d.table === binding.table);
        let parents = rowsOf(state, binding.table as string);
        if (debit) parents = parents.filter((p) => Number(p[debit.field]) >= 1);
        value =
          own ??
          (parents.length > 0
            ? parents[(attempt + rng.int(0, parents.length - 1)) % parents.length]?.[(tables.get(binding.table as string) as Table).key]
            : undefined);
        break;
      }
      case "field": {
        if ((model.operation === "list" || model.operation === "lookup" || model.operation === "delete") && target) {
          // Filters taken from an existing record, so that something matches (lists drop some).
          if (model.operation === "list" && !required.has(binding.name) && rng.chance(0.5)) continue;
          value = target[binding.field as string];
        } else {
          const field = table.fields.find((f) => f.name === binding.field);
          value = sampleFromSchema(binding.name, { ...(field ?? {}), ...schemaOf }, rng, clock);
          // An update must change something to show that it did: never the value already there.
          const current = target?.[binding.field as string];
          for (
            let retry = 0;
            retry < 8 &&
            current !== undefined &&
            JSON.stringify(conform(value, schemaOf, binding.name, rng, clock)) === JSON.stringify(current);
            retry++
          ) {
            value =
              typeof current === "number" && retry > 3
                ? current + 1
                : sampleFromSchema(binding.name, { ...(field ?? {}), ...schemaOf }, rng, clock);
          }
        }
        break;
      }
      case "query": {
        const text = target ? Object.values(target).find((v): v is string => typeof v === "string" && /[a-z]{3,}/i.test(v)) : undefined;
        value = text ? (text.match(/[A-Za-z]{3,}/)?.[0] ?? text) : undefined;
        break;
      }
      case "lower-bound":
      case "upper-bound":
        value = target?.[binding.field as string] ?? undefined;
        break;
      case "limit":
        value = rng.int(1, 5);
        break;
      case "parent": {
        const folders = keys.filter((k) => isFolder(keys, k));
        value =
          target && model.operation === "list"
            ? (keys
                .filter((k) => k !== target?.[table.key] && String(target?.[table.key]).startsWith(`${k}/`))
                .sort((a, b) => b.length - a.length)[0] ?? "/")
            : (folders[0] ?? "/");
        break;
      }
      case "source": {
        if (model.operation === "move") {
          const files = keys.filter((k) => !isFolder(keys, k));
          value = files[(attempt + rng.int(0, Math.max(0, files.length - 1))) % Math.max(1, files.length)];
        } else {
          const counter = model.parameters.find((p) => p.role === "amount")?.field ?? "balance";
          const funded = rows.filter((r) => Number(r[counter]) >= 2);
          value = funded[(attempt + rng.int(0, Math.max(0, funded.length - 1))) % Math.max(1, funded.length)]?.[table.key];
        }
        break;
      }
      case "destination": {
        if (model.operation === "move") value = newPath(keys, attempt + 7, rng);
        else {
          const source = args[by("source")[0]?.name ?? ""];
          const others = keys.filter((k) => k !== source);
          value = others[(attempt + rng.int(0, Math.max(0, others.length - 1))) % Math.max(1, others.length)];
        }
        break;
      }
      case "amount": {
        const source = rows.find((r) => r[table.key] === args[by("source")[0]?.name ?? ""]);
        const available = Number(source?.[binding.field ?? "balance"] ?? 0);
        value = Math.max(1, Math.min(Math.floor(available / 2), rng.int(1, 100)));
        break;
      }
      case "option":
        value = sampleFromSchema(binding.name, schemaOf, rng, clock);
        break;
    }
    if (value === undefined || value === null) {
      if (required.has(binding.name)) value = sampleFromSchema(binding.name, schemaOf, rng, clock);
      else continue;
    }
    args[binding.name] = conform(value, schemaOf, binding.name, rng, clock);
  }
  // Parameters the schema gave no role (a model's schema may miss some).
  for (const [name, schemaOf] of Object.entries(properties)) {
    if (!(name in args) && required.has(name)) args[name] = sampleFromSchema(name, schemaOf, rng, clock);
  }
  // Debits need an amount the referenced record can cover.
  for (const debit of model.debits ?? []) {
    const ref = model.parameters.find((p) => p.role === "reference" && p.table === debit.table);
    const parent = rowsOf(state, debit.table).find((r) => r[(tables.get(debit.table) as Table).key] === args[ref?.name ?? ""]);
    const available = Number(parent?.[debit.field] ?? 0);
    if (available >= 1)
      args[debit.parameter] = conform(
        Math.max(1, Math.min(Math.floor(available / 2), Number(args[debit.parameter]) || 1)),
        properties[debit.parameter] ?? {},
        debit.parameter,
        rng,
        clock,
      );
  }

  // What success must show.
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
  return { args, effects };
}

function newPath(keys: readonly string[], attempt: number, rng: Rng): string {
  const folders = keys.filter((k) => isFolder(keys, k));
  const folder = folders.length > 0 ? (folders[(attempt + rng.int(0, folders.length - 1)) % folders.length] as string) : "";
  for (let n = attempt; ; n++) {
    const candidate = `${folder}/new-${n}.txt`;
    if (!keys.includes(candidate)) return candidate;
  }
}
