// One line on what a tool does to the database, from its model (shown to models and in reports).
import type { Table, ToolModel } from "../../lib/contracts/domain-schema.ts";

export function summarize(model: ToolModel, table: Table): string {
  const by = (role: string) => model.parameters.filter((p) => p.role === role).map((p) => p.name);
  const refs = model.parameters.filter((p) => p.role === "reference").map((p) => `${p.name} → ${p.table}`);
  const requires = refs.length > 0 ? `; requires ${refs.join(", ")}` : "";
  switch (model.operation) {
    case "create":
      return `inserts a record into ${table.name} (${table.keyKind === "id" ? `new ${table.key}` : `${table.key} must be free`})${requires}${model.debits ? `; draws down ${model.debits.map((d) => `${d.table}.${d.field} by ${d.parameter}`).join(", ")}` : ""}`;
    case "upsert":
      return `writes the ${table.entity} at ${by("key").join(", ")} in ${table.name}, creating or replacing it`;
    case "get":
      return `reads one record of ${table.name} by ${by("key").join(", ") || table.key}${requires}`;
    case "list":
      return `reads the records of ${table.name} matching ${[...by("reference"), ...by("field"), ...by("query"), ...by("parent"), ...by("lower-bound"), ...by("upper-bound")].join(", ") || "nothing (all)"}`;
    case "lookup":
      return `reads the first record of ${table.name} matching ${[...by("field"), ...by("query")].join(", ") || "anything"}`;
    case "update":
      return `changes ${by("field").join(", ") || "fields"} of one record of ${table.name}${requires}`;
    case "set-status":
      return `sets ${table.name}.${table.status?.field ?? "status"} to ${model.status?.to ?? "?"} (refused when ${model.status?.refusedFrom.join(" or ") ?? "?"})${requires}`;
    case "delete":
      return `removes one record of ${table.name} by ${by("key").join(", ") || by("field").join(" and ")}`;
    case "transfer":
      return `moves ${by("amount").join(", ")} of ${table.name}.${model.parameters.find((p) => p.role === "amount")?.field ?? "balance"} from ${by("source")} to ${by("destination")}${model.ledger ? `; records both sides in ${model.ledger.table}` : ""}`;
    case "move":
      return `re-keys a record of ${table.name} from ${by("source")} to ${by("destination")} (which must be free)`;
  }
}
