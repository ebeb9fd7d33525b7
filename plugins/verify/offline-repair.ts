// Offline repair of a read tool that fails its cases: the plainest read of its table, filtered by
// its arguments. A write is never swapped for a different write: an environment must not lie about
// its effects.
import type { DomainSchema, ToolModel } from "../../lib/contracts/domain-schema.ts";

/** Offline repair of a read tool: the plainest read of its table, filtered by its arguments. */
export function genericModel(model: ToolModel, schema: DomainSchema): ToolModel {
  const table = schema.tables.find((t) => t.name === model.table);
  const fields = new Set(table?.fields.map((f) => f.name));
  const parameters = model.parameters.map((p) => {
    if (p.role === "reference") return p;
    const field = p.field ?? p.name;
    return fields.has(field) && field !== table?.key
      ? { name: p.name, role: "field" as const, field }
      : { name: p.name, role: "option" as const };
  });
  const operation = model.access === "read" ? "list" : "create";
  const base = { ...model, operation, parameters, writes: model.access === "read" ? [] : [model.table] } as ToolModel;
  delete base.status;
  delete base.debits;
  delete base.ledger;
  return {
    ...base,
    summary:
      model.access === "read" ? `reads the records of ${model.table} matching its arguments` : `inserts a record into ${model.table}`,
  };
}
