// A stateless tool of any domain (with or without a data pack): `calculate` evaluates arithmetic
// exactly, `think` and hand-offs change nothing. Such a tool owns no table and never makes a task.
import type { Table, ToolModel } from "../contracts/domain-schema.ts";
import type { ServiceModel } from "../contracts/tool-rules.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { utilityOf } from "./subject.ts";
import { summaryOf } from "./tool-model.ts";
import { toolText } from "./tool-text.ts";

/** The utility's model, or null for a tool that touches data. */
export function utilityModel(spec: ToolSpec, table: Table): ToolModel | null {
  const utility = utilityOf(toolText(spec, []));
  if (!utility) return null;
  const service: ServiceModel = {
    kind: "utility",
    utility,
    match: [],
    returns: utility === "calculate" ? "number" : utility === "handoff" ? "message" : "nothing",
    requires: [],
    effects: [],
  };
  return {
    tool: spec.name,
    access: "read",
    operation: "get",
    table: table.name,
    reads: [],
    writes: [],
    parameters: Object.keys((spec.parameters.properties ?? {}) as object).map((name) => ({ name, role: "option" as const })),
    summary: summaryOf(service, table),
    service,
  };
}
