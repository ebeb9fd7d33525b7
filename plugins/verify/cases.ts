// Procedural test cases for one tool (ScaleEnv): valid calls built from the sample state, calls that
// must be refused (unknown ids, wrong types, missing arguments, broken preconditions), and edge
// cases (minimal, empty, long, zero) where refusing is fine but crashing is not.

import type { DomainSchema, Table, ToolModel } from "../../contracts/domain-schema.ts";
import type { DomainState } from "../../contracts/domain-state.ts";
import { sampleValue } from "../../domain-model/values.ts";
import type { Rng } from "../../kernel/rng.ts";
import type { ToolCall } from "../../sandbox/index.ts";
import { fieldOf } from "../schema/parameters.ts";

/** What a successful valid call must have done. */
export type Effect =
  | { kind: "changes-state" }
  | { kind: "adds-record"; table: string }
  | { kind: "has-record"; table: string; key: string }
  | { kind: "removes-record"; table: string; key: string }
  | { kind: "sets-field"; table: string; key: string; field: string; value: unknown }
  | { kind: "returns-key"; field: string; value: unknown };

export interface TestCase {
  /** Unique within the tool: `valid-1`, `unknown:order_id`, `precondition:repeat`. */
  id: string;
  kind: "valid" | "reject" | "edge" | "model";
  /** Calls run first, in the same episode (they must succeed for the case to mean anything). */
  setup: ToolCall[];
  call: ToolCall;
  expect: "success" | "rejection" | "either";
  effects: Effect[];
}

type JsonSchema = Record<string, unknown>;
type Row = Record<string, unknown>;

const MISSING = "missing_0000";

/** A value for a JSON Schema, objects and arrays included. */
export function sampleFromSchema(name: string, schema: JsonSchema, rng: Rng, clock: string, depth = 0): unknown {
  const field = fieldOf(schema);
  if (field.type === "object" && depth < 3 && schema.properties && typeof schema.properties === "object") {
    const out: Row = {};
    for (const [key, sub] of Object.entries(schema.properties as Record<string, JsonSchema>))
      out[key] = sampleFromSchema(key, sub ?? {}, rng, clock, depth + 1);
    return out;
  }
  if (field.type === "array" && depth < 3 && schema.items && typeof schema.items === "object") {
    return [sampleFromSchema(name, schema.items as JsonSchema, rng, clock, depth + 1)];
  }
  return conform(sampleValue(name, field, rng, { clock }), schema, name, rng, clock);
}

/** Bend a value to a parameter's JSON Schema (types, enums, formats, bounds), so valid calls are valid. */
export function conform(value: unknown, schema: JsonSchema, name: string, rng: Rng, clock: string): unknown {
  const field = fieldOf(schema);
  if (field.enum && !field.enum.includes(value as string | number)) return rng.pick(field.enum);
  switch (field.type) {
    case "integer": {
      const n = Math.round(Number(value));
      return clamp(Number.isFinite(n) ? n : 1, field.minimum, field.maximum);
    }
    case "number": {
      const n = Number(value);
      return clamp(Number.isFinite(n) ? n : 1, field.minimum, field.maximum);
    }
    case "boolean":
      return typeof value === "boolean" ? value : Boolean(value);
    case "object":
      return value && typeof value === "object" && !Array.isArray(value) ? value : sampleFromSchema(name, schema, rng, clock);
    case "array":
      return Array.isArray(value) ? value : sampleFromSchema(name, schema, rng, clock);
    default: {
      let text =
        value === null || value === undefined
          ? String(sampleValue(name, field, rng, { clock }))
          : typeof value === "string"
            ? value
            : JSON.stringify(value);
      if (field.format === "date" && /^\d{4}-\d{2}-\d{2}/.test(text)) text = text.slice(0, 10);
      if (field.format === "date-time" && /^\d{4}-\d{2}-\d{2}$/.test(text)) text = `${text}T09:00:00Z`;
      if (typeof schema.maxLength === "number") text = text.slice(0, schema.maxLength);
      if (typeof schema.minLength === "number" && text.length < schema.minLength) text = text.padEnd(schema.minLength, "x");
      return text;
    }
  }
}

function clamp(n: number, min?: number, max?: number): number {
  return Math.min(max ?? Number.POSITIVE_INFINITY, Math.max(min ?? Number.NEGATIVE_INFINITY, n));
}

const rowsOf = (state: DomainState, table: string): Row[] => Object.values(state[table] ?? {});
const isFolder = (keys: readonly string[], key: string) =>
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

/** Every case for one tool. */
export function casesFor(input: CaseInputs, validCount = 3): TestCase[] {
  const { model, functionName, schema, rng, clock } = input;
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  const properties = (input.parameters.properties ?? {}) as Record<string, JsonSchema>;
  const required = ((input.parameters.required as string[] | undefined) ?? []).filter((name) => name in properties);
  const cases: TestCase[] = [];
  const call = (args: Row): ToolCall => ({ tool: functionName, arguments: args });
  /** A call that must be refused (after `setup`, run in the same episode). */
  const refuse = (id: string, args: Row, setup: ToolCall[] = []) =>
    cases.push({ id, kind: "reject", setup, call: call(args), expect: "rejection", effects: [] });
  /** A call where refusing is fine and crashing is not. */
  const edge = (id: string, args: Row, setup: ToolCall[] = []) =>
    cases.push({ id, kind: "edge", setup, call: call(args), expect: "either", effects: [] });

  const valid: Row[] = [];
  for (let attempt = 0; attempt < validCount; attempt++) {
    const built = validArguments(input, attempt);
    if (!built) break;
    valid.push(built.args);
    cases.push({ id: `valid-${attempt + 1}`, kind: "valid", setup: [], call: call(built.args), expect: "success", effects: built.effects });
  }
  const base = valid[0] ?? Object.fromEntries(required.map((name) => [name, sampleFromSchema(name, properties[name] ?? {}, rng, clock)]));

  // Must be refused: missing and mistyped arguments (the sandbox checks them against the schema).
  const firstRequired = required[0];
  if (firstRequired) {
    const { [firstRequired]: _dropped, ...rest } = base;
    refuse(`missing:${firstRequired}`, rest);
    const wrong = wrongType(properties[firstRequired] ?? {});
    if (wrong !== undefined) refuse(`wrong-type:${firstRequired}`, { ...base, [firstRequired]: wrong });
  }
  // Must be refused: ids of records that do not exist.
  for (const binding of model.parameters.filter((p) => ["key", "reference", "source", "parent"].includes(p.role))) {
    if (binding.role === "key" && (model.operation === "create" || model.operation === "upsert")) continue;
    if (binding.role === "parent" && !(binding.name in base)) continue;
    const table = tables.get(binding.table ?? model.table);
    if (!table || !(binding.name in base || required.includes(binding.name)) || fieldOf(properties[binding.name] ?? {}).enum) continue;
    const numeric = ["integer", "number"].includes(fieldOf(properties[binding.name] ?? {}).type);
    const missing = numeric ? 987_654_321 : table.key === "path" ? `/no-such-folder/${MISSING}.txt` : `${table.idPrefix}_${MISSING}`;
    refuse(`unknown:${binding.name}`, {
      ...base,
      [binding.name]: conform(missing, properties[binding.name] ?? {}, binding.name, rng, clock),
    });
  }
  // Must be refused: broken preconditions.
  if (valid[0]) {
    const table = tables.get(model.table) as Table;
    if (model.operation === "set-status" && model.status?.refusedFrom.includes(model.status.to)) {
      refuse("precondition:repeat", valid[0], [call(valid[0])]);
    }
    // Creating a record whose key exists must be refused, when the caller gives the key at all.
    const keyGiven = model.parameters.some((p) => p.role === "key") || table.key in valid[0];
    if (model.operation === "create" && table.keyKind === "natural" && keyGiven) {
      refuse("precondition:exists", valid[0], [call(valid[0])]);
    }
    const amount = model.parameters.find((p) => p.role === "amount");
    if (model.operation === "transfer" && amount) {
      refuse("precondition:insufficient", { ...valid[0], [amount.name]: 10_000_000 });
    }
    for (const debit of model.debits ?? []) {
      if (fieldOf(properties[debit.parameter] ?? {}).maximum !== undefined) continue;
      refuse(`precondition:not-enough:${debit.field}`, { ...valid[0], [debit.parameter]: 10_000_000 });
    }
    const destination = model.parameters.find((p) => p.role === "destination");
    const source = model.parameters.find((p) => p.role === "source");
    if (model.operation === "move" && destination && source) {
      const keys = Object.keys(input.state[table.name] ?? {});
      const taken = keys.find((k) => k !== valid[0]?.[source.name] && !isFolder(keys, k));
      if (taken) refuse("precondition:destination-taken", { ...valid[0], [destination.name]: taken });
    }
  }
  // Edge cases: refusing is fine, crashing is not.
  if (valid[0]) {
    const minimal = Object.fromEntries(Object.entries(valid[0]).filter(([name]) => required.includes(name)));
    if (Object.keys(minimal).length < Object.keys(valid[0]).length) edge("edge:minimal", minimal);
    const text = Object.keys(valid[0]).find(
      (name) =>
        fieldOf(properties[name] ?? {}).type === "string" &&
        !fieldOf(properties[name] ?? {}).enum &&
        !fieldOf(properties[name] ?? {}).format,
    );
    if (text) {
      edge(`edge:empty:${text}`, { ...valid[0], [text]: "" });
      edge(`edge:long:${text}`, { ...valid[0], [text]: "ß∂ƒ漢字🙂 ".repeat(300) });
    }
    const numeric = Object.keys(valid[0]).find(
      (name) => ["number", "integer"].includes(fieldOf(properties[name] ?? {}).type) && !fieldOf(properties[name] ?? {}).enum,
    );
    if (numeric) {
      const field = fieldOf(properties[numeric] ?? {});
      edge(`edge:zero:${numeric}`, { ...valid[0], [numeric]: clamp(0, field.minimum, field.maximum) });
      edge(`edge:large:${numeric}`, { ...valid[0], [numeric]: clamp(1e9, field.minimum, field.maximum) });
    }
    if (model.access === "write") edge("edge:twice", valid[0], [call(valid[0])]);
  }
  return cases;
}

function wrongType(schema: JsonSchema): unknown {
  if (schema.type === undefined && !schema.enum) return undefined;
  switch (fieldOf(schema).type) {
    case "string":
      return 12345;
    case "number":
    case "integer":
      return "not a number";
    case "boolean":
      return "yes";
    case "object":
      return "not an object";
    case "array":
      return "not a list";
  }
}
