// Statuses: a table that tools move through states gets a status field; its values are the states
// the tools' verbs (or descriptions) leave records in and the field's own enum, its initial state
// one no tool moves to, and each status tool refuses the terminal states and its own.
import type { ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { participle, TERMINAL_STATES } from "../../lib/domain-model/lexicon.ts";
import type { Planned } from "./operations.ts";
import type { TableSet } from "./tables.ts";
import { shapeOf } from "./tool-shapes.ts";

export function applyStatuses(models: ToolModel[], planned: readonly Planned[], set: TableSet, tools: readonly ToolSpec[]): void {
  const { tables, fieldIn } = set;
  for (const table of tables.values()) {
    const statusTools = models.filter((m) => m.table === table.name && m.operation === "set-status");
    if (statusTools.length === 0) continue;
    const existing = fieldIn(table, "status");
    const declared = (existing?.enum ?? []).map(String);
    const targets = statusTools.map(
      (m) =>
        planned.find((p) => p.shape.tool.name === m.tool)?.statusTo ??
        participle(shapeOf(tools.find((t) => t.name === m.tool) as ToolSpec).verb ?? "change"),
    );
    const initial =
      declared.find((v) => !TERMINAL_STATES.has(v) && !targets.includes(v)) ?? (targets.includes("active") ? "pending" : "active");
    const values = [...new Set([initial, ...declared, ...targets])];
    if (existing) {
      existing.type = "string";
      existing.enum = values;
    } else table.fields.push({ name: "status", type: "string", enum: values });
    table.status = { field: "status", initial, values };
    statusTools.forEach((model, i) => {
      const to = targets[i] as string;
      model.status = { to, refusedFrom: values.filter((v) => v === to || TERMINAL_STATES.has(v)) };
    });
  }
}
