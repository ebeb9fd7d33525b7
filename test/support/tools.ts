// Tool specs written in a line, for tests of the stages that read tools.

import type { JsonValue } from "../../kernel/canonical-json.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";

/** A function tool with these parameter schemas (all required unless `required` says otherwise). */
export function toolSpec(
  name: string,
  properties: Record<string, unknown>,
  required: string[] = Object.keys(properties),
  description = "",
): ToolSpec {
  return {
    name,
    description,
    parameters: { type: "object", properties: properties as Record<string, JsonValue>, required },
    format: "function",
    source: { file: "t.json", pointer: `/${name}` },
  };
}
