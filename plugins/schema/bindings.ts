// Each tool's model: read or write, the tables it reads and writes, and a role for every parameter
// (key, reference, field, bound, limit, query, parent, source, destination, amount, option), adding
// the fields the parameters store to the tables. Writes come first: they say which fields records
// have, and reads then filter on them.
import type { ParameterRole, Table, ToolModel } from "../../lib/contracts/domain-schema.ts";
import { COUNTER_FIELDS, LIMIT_PARAMETERS, LOWER_BOUND, QUERY_PARAMETERS, UPPER_BOUND } from "../../lib/domain-model/lexicon.ts";
import { snake } from "../../lib/domain-model/words.ts";
import type { Planned } from "./operations.ts";
import type { Parameter } from "./parameters.ts";
import type { TableSet } from "./tables.ts";
import { AMOUNT, isPathLike, QUANTITY, referencedEntity } from "./tool-shapes.ts";

/** The tool models, in the tools' order. */
export function bindTools(planned: readonly Planned[], set: TableSet): ToolModel[] {
  const models: ToolModel[] = [];
  // Writes first: they say which fields records have; reads then filter on them.
  const order = [...planned.keys()].sort((a, b) => {
    const rank = (p: Planned) => (["create", "upsert", "update", "set-status", "transfer", "move", "delete"].includes(p.operation) ? 0 : 1);
    return rank(planned[a] as Planned) - rank(planned[b] as Planned) || a - b;
  });
  for (const index of order) models[index] = modelOf(planned[index] as Planned, set);
  return models;
}

/** One tool's model: every parameter bound to its role, and the fields its name implies. */
function modelOf(plan: Planned, set: TableSet): ToolModel {
  const { shape, operation } = plan;
  const { tables, tableOf, fieldIn, addField } = set;
  const table = tables.get(tableOf.get(plan.entity) as string) as Table;
  const read = operation === "get" || operation === "list" || operation === "lookup";
  const bindings: ToolModel["parameters"] = [];
  const readsTables = new Set([table.name]);
  for (const parameter of shape.params) bindings.push(bindParameter({ plan, set, table, read, bindings, readsTables }, parameter));
  if (operation === "get") {
    // `get_account_balance`: the words after the entity name fields of it.
    const after = shape.object.slice(shape.object.lastIndexOf(table.entity.split(" ").at(-1) as string) + 1);
    for (const word of after) {
      if (fieldIn(table, word)) continue;
      const numeric = [...COUNTER_FIELDS.amount, ...COUNTER_FIELDS.quantity, "price", "total", "count", "score", "rating", "size"].includes(
        word,
      );
      addField(table, word, { type: numeric ? "number" : "string" });
    }
  }
  if (operation === "create" && !fieldIn(table, "created_at")) addField(table, "created_at", { type: "string", format: "date-time" });
  if (operation === "lookup" && !table.fields.some((f) => f.name === "result"))
    addField(table, "result", { type: "string", description: "what the tool answers for a match" });
  return {
    tool: shape.tool.name,
    access: read ? "read" : "write",
    operation,
    table: table.name,
    reads: [...readsTables].sort(),
    writes: read ? [] : [table.name],
    parameters: bindings,
    summary: "",
  };
}

interface Binding {
  plan: Planned;
  set: TableSet;
  /** The table the tool acts on. */
  table: Table;
  read: boolean;
  /** The parameters bound so far. */
  bindings: ToolModel["parameters"];
  readsTables: Set<string>;
}

/** A parameter's role (and, for fields and references, the field it is stored in or compared with). */
function bindParameter(b: Binding, parameter: Parameter): ToolModel["parameters"][number] {
  const { operation } = b.plan;
  const { tables, tableOf, addField, boundField } = b.set;
  const { table, read } = b;
  const name = snake(parameter.name);
  const bind = (role: ParameterRole, extra: { table?: string; field?: string } = {}) => ({ name: parameter.name, role, ...extra });
  const ref = referencedEntity(parameter);
  if (read && LIMIT_PARAMETERS.has(name) && (parameter.field.type === "integer" || parameter.field.type === "number")) return bind("limit");
  if ((operation === "list" || operation === "lookup") && QUERY_PARAMETERS.has(name) && parameter.field.type === "string")
    return bind("query");
  if (operation === "transfer" && ref && ref.side && tableOf.get(ref.entity) === table.name) return bind(ref.side, { table: table.name });
  if (operation === "transfer" && (AMOUNT.has(name) || QUANTITY.has(name))) return bind("amount");
  if (operation === "move" && isPathLike(parameter.name))
    return bind(/^(destination|dest|to|target|new)_/.test(name) ? "destination" : "source", { table: table.name });
  if (table.key === "path" && isPathLike(parameter.name)) return bind(operation === "list" ? "parent" : "key", { table: table.name });
  if (name === table.key || (name === "id" && !read)) {
    if (operation === "create" && table.keyKind === "id") return bind("field", { field: table.key });
    if (operation === "list" || operation === "lookup") return bind("field", { field: table.key });
    return bind("key", { table: table.name });
  }
  if (ref) {
    const target = tableOf.get(ref.entity);
    if (target && target !== table.name) {
      b.readsTables.add(target);
      const keyType = (tables.get(target) as Table).fields[0]?.type ?? "string";
      if (operation !== "transfer" && operation !== "move") addField(table, name, { type: keyType, references: target });
      return bind("reference", { table: target, field: name });
    }
  }
  if (read) {
    if (parameter.field.type === "boolean" && /^(include|show|with|return|verbose|detailed|recursive)_?/.test(name)) return bind("option");
    const lower = LOWER_BOUND.exec(name);
    const upper = UPPER_BOUND.exec(name);
    if (lower || upper) {
      const match = (lower ?? upper) as RegExpExecArray;
      const base = (match[2] ?? match[3]) as string;
      return bind(lower ? "lower-bound" : "upper-bound", { field: boundField(table, base, parameter) });
    }
  }
  if (operation === "delete" || operation === "set-status" || operation === "move" || operation === "transfer") {
    // Stored with the change (a cancellation reason), or, for deletes, what finds the record.
    if (operation === "delete" && !b.bindings.some((x) => x.role === "key")) {
      addField(table, name, parameter.field);
      return bind("field", { field: name });
    }
    if (operation === "set-status") {
      addField(table, name, { ...parameter.field, nullable: true });
      return bind("field", { field: name });
    }
    return bind("option");
  }
  addField(table, name, parameter.field);
  return bind("field", { field: name });
}
