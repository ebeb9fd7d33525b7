// Field rules settled once every tool is read: a foreign key holds what the referenced table is
// keyed by, and a field some creating tool may leave unset is nullable.
import type { ToolModel } from "../../lib/contracts/domain-schema.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import type { TableSet } from "./tables.ts";

export function settleFields(models: readonly ToolModel[], set: TableSet, tools: readonly ToolSpec[]): void {
  const { tables } = set;
  // A foreign key holds what the referenced table is keyed by.
  for (const table of tables.values()) {
    for (const field of table.fields) {
      const referenced = field.references ? tables.get(field.references) : undefined;
      const keyType = referenced?.fields.find((f) => f.name === referenced.key)?.type;
      if (keyType) {
        field.type = keyType;
        delete field.enum;
      }
    }
  }

  // Fields some record may lack: everything a creating tool does not set.
  for (const table of tables.values()) {
    const creators = models.filter((m) => m.table === table.name && (m.operation === "create" || m.operation === "upsert"));
    for (const field of table.fields) {
      if (field.name === table.key || field.name === "created_at" || field.name === table.status?.field) continue;
      const alwaysSet =
        creators.length > 0 &&
        creators.every((m) =>
          m.parameters.some((p) => p.field === field.name && (m.operation !== "create" || isRequired(tools, m.tool, p.name))),
        );
      if (!alwaysSet && creators.length > 0) field.nullable = true;
    }
  }
}

function isRequired(tools: readonly ToolSpec[], toolName: string, parameter: string): boolean {
  const tool = tools.find((t) => t.name === toolName);
  return Array.isArray(tool?.parameters.required) && (tool.parameters.required as string[]).includes(parameter);
}
