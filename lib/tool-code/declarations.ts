// What the sandbox is told about a domain's tools: their function names, JSON Schemas and access.

import type { ToolDeclaration } from "../../sandbox/index.ts";
import type { DomainSchema } from "../contracts/domain-schema.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";

/** What the sandbox is told about a domain's tools. */
export function toolDeclarations(
  schema: DomainSchema,
  specs: ReadonlyMap<string, ToolSpec>,
  names: ReadonlyMap<string, string>,
): ToolDeclaration[] {
  return schema.tools.map((model) => {
    const spec = specs.get(model.tool);
    return {
      name: names.get(model.tool) as string,
      ...(spec?.description ? { description: spec.description } : {}),
      parameters: (spec?.parameters ?? { type: "object" }) as ToolDeclaration["parameters"] & object,
      access: model.access,
    };
  });
}
