// Each tool's model: read or write, the tables it reads and writes, and a role for every parameter
// (key, reference, field, bound, limit, query, parent, source, destination, amount, option), adding
// the fields the parameters store to the tables. Writes come first: they say which fields records
// have, and reads then filter on them.
import type { ParameterRole, Table, ToolModel } from "../../contracts/domain-schema.ts";
import { COUNTER_FIELDS, LIMIT_PARAMETERS, LOWER_BOUND, QUERY_PARAMETERS, UPPER_BOUND } from "../../domain-model/lexicon.ts";
import { snake } from "../../domain-model/words.ts";
import type { Planned } from "./operations.ts";
import type { TableSet } from "./tables.ts";
import { AMOUNT, isPathLike, QUANTITY, referencedEntity } from "./tool-shapes.ts";

/** The tool models, in the tools' order. */
export function bindTools(planned: readonly Planned[], set: TableSet): ToolModel[] {
  const { tables, tableOf, fieldIn, addField, boundField } = set;
  const models: ToolModel[] = [];
  // Writes first: they say which fields records have; reads then filter on them.
  const order = [...planned.keys()].sort((a, b) => {
    const rank = (p: Planned) => (["create", "upsert", "update", "set-status", "transfer", "move", "delete"].includes(p.operation) ? 0 : 1);
    return rank(planned[a] as Planned) - rank(planned[b] as Planned) || a - b;
  });
  for (const index of order) {
    const plan = planned[index] as Planned;
    const { shape, operation } = plan;
    const table = tables.get(tableOf.get(plan.entity) as string) as Table;
    const read = operation === "get" || operation === "list" || operation === "lookup";
    const bindings: ToolModel["parameters"] = [];
    const readsTables = new Set([table.name]);
    for (const parameter of shape.params) {
      const name = snake(parameter.name);
      const bind = (role: ParameterRole, extra: { table?: string; field?: string } = {}) =>
        bindings.push({ name: parameter.name, role, ...extra });
      const ref = referencedEntity(parameter);
      if (read && LIMIT_PARAMETERS.has(name) && (parameter.field.type === "integer" || parameter.field.type === "number")) {
        bind("limit");
        continue;
      }
      if ((operation === "list" || operation === "lookup") && QUERY_PARAMETERS.has(name) && parameter.field.type === "string") {
        bind("query");
        continue;
      }
      if (operation === "transfer" && ref && ref.side && tableOf.get(ref.entity) === table.name) {
        bind(ref.side, { table: table.name });
        continue;
      }
      if (operation === "transfer" && (AMOUNT.has(name) || QUANTITY.has(name))) {
        bind("amount");
        continue;
      }
      if (operation === "move" && isPathLike(parameter.name)) {
        bind(/^(destination|dest|to|target|new)_/.test(name) ? "destination" : "source", { table: table.name });
        continue;
      }
      if (table.key === "path" && isPathLike(parameter.name)) {
        if (operation === "list") bind("parent", { table: table.name });
        else bind("key", { table: table.name });
        continue;
      }
      if (name === table.key || (name === "id" && !read)) {
        if (operation === "create" && table.keyKind === "id") {
          bind("field", { field: table.key });
        } else if (operation === "list" || operation === "lookup") {
          bind("field", { field: table.key });
        } else bind("key", { table: table.name });
        continue;
      }
      if (ref) {
        const target = tableOf.get(ref.entity);
        if (target && target !== table.name) {
          bind("reference", { table: target, field: name });
          readsTables.add(target);
          const keyType = (tables.get(target) as Table).fields[0]?.type ?? "string";
          if (operation !== "transfer" && operation !== "move") addField(table, name, { type: keyType, references: target });
          continue;
        }
      }
      if (read) {
        if (parameter.field.type === "boolean" && /^(include|show|with|return|verbose|detailed|recursive)_?/.test(name)) {
          bind("option");
          continue;
        }
        const lower = LOWER_BOUND.exec(name);
        const upper = UPPER_BOUND.exec(name);
        if (lower || upper) {
          const match = (lower ?? upper) as RegExpExecArray;
          const base = (match[2] ?? match[3]) as string;
          bind(lower ? "lower-bound" : "upper-bound", { field: boundField(table, base, parameter) });
          continue;
        }
      }
      if (operation === "delete" || operation === "set-status" || operation === "move" || operation === "transfer") {
        // Stored with the change (a cancellation reason), or, for deletes, what finds the record.
        if (operation === "delete" && !bindings.some((b) => b.role === "key")) {
          addField(table, name, parameter.field);
          bind("field", { field: name });
        } else if (operation === "set-status") {
          addField(table, name, { ...parameter.field, nullable: true });
          bind("field", { field: name });
        } else bind("option");
        continue;
      }
      addField(table, name, parameter.field);
      bind("field", { field: name });
    }
    if (operation === "get") {
      // `get_account_balance`: the words after the entity name fields of it.
      const after = shape.object.slice(shape.object.lastIndexOf(table.entity.split(" ").at(-1) as string) + 1);
      for (const word of after) {
        if (fieldIn(table, word)) continue;
        const numeric = [
          ...COUNTER_FIELDS.amount,
          ...COUNTER_FIELDS.quantity,
          "price",
          "total",
          "count",
          "score",
          "rating",
          "size",
        ].includes(word);
        addField(table, word, { type: numeric ? "number" : "string" });
      }
    }
    if (operation === "create" && !fieldIn(table, "created_at")) addField(table, "created_at", { type: "string", format: "date-time" });
    if (operation === "lookup" && !table.fields.some((f) => f.name === "result"))
      addField(table, "result", { type: "string", description: "what the tool answers for a match" });
    models[index] = {
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
  return models;
}
