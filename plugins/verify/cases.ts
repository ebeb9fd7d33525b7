// Procedural test cases for one tool (ScaleEnv): valid calls built from the sample state, calls that
// must be refused (unknown ids, wrong types, missing arguments, broken preconditions), and edge
// cases (minimal, empty, long, zero) where refusing is fine but crashing is not.

import type { Table } from "../../lib/contracts/domain-schema.ts";
import type { Row } from "../../lib/contracts/domain-state.ts";
import type { JsonSchema } from "../../lib/domain-model/json-schema.ts";
import { clamp, conform, fieldOf, sampleFromSchema } from "../../lib/domain-model/json-schema.ts";
import type { CaseInputs, Effect } from "../../lib/domain-model/valid-arguments.ts";
import { isFolder, validArguments } from "../../lib/domain-model/valid-arguments.ts";
import type { ToolCall } from "../../sandbox/index.ts";

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

const MISSING = "missing_0000";

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

/** A value of the wrong JSON type for a parameter (the sandbox must refuse it). */
export function wrongType(schema: JsonSchema): unknown {
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
