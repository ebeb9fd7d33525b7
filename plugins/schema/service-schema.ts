// A domain built on a service's data: its tables are the data's collections in their own shape
// (lib/data-pack/tables.ts), and each tool is modelled from its subject alone (the record it acts
// on, read or write by its kind). What each tool requires and changes is the `rules` stage's.
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import type { DataShape } from "../../lib/data-pack/read.ts";
import { inferTables } from "../../lib/data-pack/tables.ts";
import { bareServiceModel, subjectOf } from "../../lib/service-tools/subject.ts";
import { serviceToolModel } from "../../lib/service-tools/tool-model.ts";
import { toolText } from "../../lib/service-tools/tool-text.ts";
import { withNamedStatuses } from "./named-statuses.ts";

export function inferServiceSchema(
  domain: string,
  tools: readonly ToolSpec[],
  data: DomainState,
  shape: DataShape & { policy?: string },
): DomainSchema {
  const read = inferTables(data, shape);
  // Statuses the policy and the descriptions name join the data's own.
  const tables = withNamedStatuses(
    read,
    tools.map((spec) => {
      const table = subjectOf(toolText(spec, []), read).table?.name;
      return { spec, ...(table ? { table } : {}) };
    }),
    shape.policy ?? null,
  );
  const models = tools.map((spec) => {
    const text = toolText(spec, []);
    const service = bareServiceModel(subjectOf(text, tables), spec);
    // A change or a create writes its record; the rules stage says what else it writes, if anything.
    const model = serviceToolModel(spec.name, text.parameters, service, tables, false);
    return service.kind === "change" || service.kind === "create" ? { ...model, access: "write" as const, writes: [model.table] } : model;
  });
  return { domain, source: "data", tables, tools: models };
}
