// A service tool's model in the domain schema's terms (read or write, operation, the tables it
// reads and writes, its parameters' roles, one line on what it does), made from its service model:
// the schema stage makes it from the tool's subject alone, the rules stage from its derived rules.
import type { Table, ToolModel } from "../contracts/domain-schema.ts";
import type { Effect, Requirement, ServiceModel } from "../contracts/tool-rules.ts";
import { keyTable } from "./subject.ts";
import type { Parameter } from "./tool-text.ts";

/** The tool model of `service`; `withService` keeps the rules in it (the rules stage's view). */
export function serviceToolModel(
  tool: string,
  parameters: readonly Pick<Parameter, "name" | "type">[],
  service: ServiceModel,
  tables: readonly Table[],
  withService: boolean,
): ToolModel {
  const table = tables.find((t) => t.name === service.table) ?? (tables[0] as Table);
  const writes = new Set<string>();
  if (service.kind === "change" || service.kind === "create") {
    writes.add(table.name);
    for (const rule of service.effects) for (const hop of writtenTables(rule.rule)) writes.add(hop);
  }
  return {
    tool,
    access: writes.size > 0 ? "write" : "read",
    operation: operationOf(service),
    table: table.name,
    reads: [...new Set([table.name, ...service.requires.flatMap((r) => placeHops(r.rule))])],
    writes: [...writes],
    parameters: parameters.map((p) => {
      if (p.name === service.keyParameter) return { name: p.name, role: "key" as const, table: table.name };
      const other = keyTable(p, tables);
      if (other) return { name: p.name, role: "reference" as const, table: other.name };
      const match = service.match.find((m) => m.parameter === p.name);
      if (match)
        return {
          name: p.name,
          role: match.mode === "text" ? ("query" as const) : ("field" as const),
          ...(match.path.length === 1 && !match.via ? { field: match.path[0] as string } : {}),
        };
      if ((p.type === "number" || p.type === "integer") && /(amount|price|cost|fee|sum|total)/.test(p.name))
        return { name: p.name, role: "amount" as const };
      return { name: p.name, role: "option" as const };
    }),
    summary: summaryOf(service, table),
    ...(withService ? { service } : {}),
  };
}

function operationOf(service: ServiceModel): ToolModel["operation"] {
  switch (service.kind) {
    case "find":
      return "lookup";
    case "get":
      return "get";
    case "list":
      return "list";
    case "create":
      return "create";
    case "change":
      return service.effects.some(
        (r) => r.rule.kind === "set" && r.rule.place.hops.length === 0 && r.rule.value.kind === "constant" && r.text.includes("becomes"),
      )
        ? "set-status"
        : "update";
    default:
      return "lookup";
  }
}

/** The tables an effect writes: where its own place leads (and where a mirror credits), not what it reads. */
function writtenTables(effect: Requirement | Effect): string[] {
  const places = ["place" in effect ? effect.place : null, effect.kind === "mirror" && effect.credit ? effect.credit.place : null].filter(
    (p): p is NonNullable<typeof p> => p !== null,
  );
  return places.flatMap((p) => p.hops.map((h) => h.table));
}

function placeHops(rule: Requirement | Effect): string[] {
  const out: string[] = [];
  const visit = (value: unknown) => {
    if (!value || typeof value !== "object") return;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.hops)) for (const hop of v.hops as { table: string }[]) out.push(hop.table);
    for (const item of Object.values(v)) visit(item);
  };
  visit(rule);
  return out;
}

export function summaryOf(service: ServiceModel, table: Table): string {
  switch (service.kind) {
    case "utility":
      return service.utility === "calculate" ? "evaluates arithmetic exactly; changes nothing" : "changes nothing";
    case "find":
      return `the key of the ${table.entity} whose ${service.match.map((m) => m.path.join(".")).join(", ")} match`;
    case "get":
      return `one ${table.entity} by key`;
    case "list":
      return `the ${table.name} whose ${service.match.map((m) => m.path.join(".")).join(", ") || "fields"} match`;
    default:
      return [...service.requires, ...service.effects].map((r) => r.text.split(" (")[0]).join("; ") || `changes a ${table.entity}`;
  }
}
