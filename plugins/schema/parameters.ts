// A tool's parameters as fields: name, type, enum, format and bounds read from its JSON Schema.

import type { Field } from "../../lib/contracts/domain-schema.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import type { JsonSchema } from "../../lib/domain-model/json-schema.ts";
import { fieldOf } from "../../lib/domain-model/json-schema.ts";
import { contentWords, singular, splitIdentifier } from "../../lib/domain-model/words.ts";

export interface Parameter {
  /** The name as the tool declares it. */
  name: string;
  /** Its words, lower case (`fromAccountId` → from, account, id). */
  words: string[];
  required: boolean;
  field: Omit<Field, "name">;
}

export function parametersOf(tool: ToolSpec): Parameter[] {
  const properties = (tool.parameters.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(tool.parameters.required) ? (tool.parameters.required as string[]) : []);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    words: splitIdentifier(name),
    required: required.has(name),
    field: fieldOf(schema && typeof schema === "object" ? schema : {}),
  }));
}

/** Property names of what a tool returns (an object, or the items of an array), with their fields. */
export function returnedFields(tool: ToolSpec): { name: string; field: Omit<Field, "name"> }[] {
  let schema = tool.returns as JsonSchema | undefined;
  if (!schema) return [];
  if (schema.type === "array" && schema.items && typeof schema.items === "object") schema = schema.items as JsonSchema;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties)
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, sub]) => ({ name, field: fieldOf(sub && typeof sub === "object" ? sub : {}) }));
}

/** The entity an id parameter names: `passenger_id` → passenger, `fromAccountId` → from_account (prefixes are the caller's to strip). */
export function idEntity(words: readonly string[]): string | null {
  if (words.length < 2 || words.at(-1) !== "id") return null;
  return words
    .slice(0, -1)
    .map((w) => singular(w))
    .join("_");
}

/** Content words of a description, for finding entities it mentions. */
export function descriptionWords(tool: ToolSpec): string[] {
  return contentWords(tool.description);
}
