// Offline schema inference: a domain's database reverse-engineered from its tools, by rule, in passes.
//
// 1. Each tool's verb (lexicon.ts) gives its operation kind; the words after it, its object (tool-shapes.ts).
// 2. Entities come from id parameters (`order_id` → orders), ids in declared results, natural keys
//    (`path` → a table keyed by path) and, failing those, a tool's head noun (`get_weather` → weather) (entities.ts).
// 3. Each tool gets a target entity and operation (operations.ts), each entity a table (tables.ts),
//    each parameter a role (key, reference, field, bound, query…) (bindings.ts).
// 4. Tables collect their fields from the parameters, results and names of the tools on them;
//    tables with status verbs get a status field (statuses.ts); amounts find the counters they
//    draw down (amounts.ts); foreign keys and optional fields are settled last (field-rules.ts).
import type { DomainSchema, Table, ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { utilityOf } from "../../lib/service-tools/subject.ts";
import { toolText } from "../../lib/service-tools/tool-text.ts";
import { utilityModel } from "../../lib/service-tools/utility-model.ts";
import { applyAmounts } from "./amounts.ts";
import { bindTools } from "./bindings.ts";
import { collectEntities } from "./entities.ts";
import { settleFields } from "./field-rules.ts";
import { planOperations } from "./operations.ts";
import { applyStatuses } from "./statuses.ts";
import { summarize } from "./summary.ts";
import { addReturnedFields, buildTables } from "./tables.ts";
import { shapeOf } from "./tool-shapes.ts";

/** Rule-inferred schema of a domain's tools. Deterministic: the same tools give the same schema. */
export function inferDomainSchema(domain: string, all: readonly ToolSpec[]): DomainSchema {
  // Stateless tools (a calculator, a scratchpad, a hand-off) own no table: they are modelled apart.
  const stateless = new Set(all.filter((spec) => utilityOf(toolText(spec, []))).map((spec) => spec.name));
  const tools = stateless.size < all.length ? all.filter((spec) => !stateless.has(spec.name)) : all;
  const shapes = tools.map(shapeOf);
  const { entities, pathEntity } = collectEntities(shapes);
  const planned = planOperations(shapes, entities, pathEntity);
  const set = buildTables(entities);
  addReturnedFields(planned, set);
  const models = bindTools(planned, set);
  applyStatuses(models, planned, set, tools);
  applyAmounts(models, shapes, set);
  settleFields(models, set, tools);
  const { tables } = set;
  for (const model of models) model.summary = summarize(model, tables.get(model.table) as Table);

  const used = new Set(models.flatMap((m) => [m.table, ...m.reads, ...m.writes]));
  for (const table of tables.values()) for (const field of table.fields) if (field.references) used.add(field.references);
  const kept = [...tables.values()].filter((t) => used.has(t.name));
  const first = kept[0] as Table;
  const utilities =
    tools === all ? [] : all.filter((spec) => stateless.has(spec.name)).map((spec) => utilityModel(spec, first) as ToolModel);
  const order = new Map(all.map((spec, i) => [spec.name, i]));
  return {
    domain,
    source: "rules",
    tables: kept,
    tools: [...models, ...utilities].sort((a, b) => (order.get(a.tool) ?? 0) - (order.get(b.tool) ?? 0)),
  };
}
