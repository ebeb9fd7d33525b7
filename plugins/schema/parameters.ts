// A tool's parameters as fields: name, type, enum, format and bounds read from its JSON Schema.

import type { Field } from "../../contracts/domain-schema.ts";
import type { ToolSpec } from "../../contracts/tool-spec.ts";
import { contentWords, singular, splitIdentifier } from "../../domain-model/words.ts";

export interface Parameter {
  /** The name as the tool declares it. */
  name: string;
  /** Its words, lower case (`fromAccountId` → from, account, id). */
  words: string[];
  required: boolean;
  field: Omit<Field, "name">;
}

type SchemaLike = Record<string, unknown>;

/** The first concrete type of a JSON Schema (`["string", "null"]` → string; anyOf/oneOf looked into). */
function typeOf(schema: SchemaLike): Field["type"] {
  const raw = schema.type;
  const types = (Array.isArray(raw) ? raw : [raw]).filter((t): t is string => typeof t === "string" && t !== "null");
  const first = types[0];
  if (first === "string" || first === "number" || first === "integer" || first === "boolean" || first === "object" || first === "array")
    return first;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = schema[key];
    if (Array.isArray(options)) {
      for (const option of options) if (option && typeof option === "object") return typeOf(option as SchemaLike);
    }
  }
  if (Array.isArray(schema.enum)) return typeof schema.enum[0] === "number" ? "number" : "string";
  if (schema.properties) return "object";
  if (schema.items) return "array";
  return "string";
}

/** A field description of a parameter's JSON Schema. */
export function fieldOf(schema: SchemaLike): Omit<Field, "name"> {
  const type = typeOf(schema);
  const field: Omit<Field, "name"> = { type };
  if (typeof schema.description === "string" && schema.description) field.description = schema.description.slice(0, 300);
  const values = Array.isArray(schema.enum)
    ? schema.enum.filter((v): v is string | number => typeof v === "string" || typeof v === "number")
    : [];
  if (values.length > 0) field.enum = values;
  if (typeof schema.format === "string") field.format = schema.format;
  if (typeof schema.minimum === "number") field.minimum = schema.minimum;
  if (typeof schema.maximum === "number") field.maximum = schema.maximum;
  return field;
}

export function parametersOf(tool: ToolSpec): Parameter[] {
  const properties = (tool.parameters.properties ?? {}) as Record<string, SchemaLike>;
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
  let schema = tool.returns as SchemaLike | undefined;
  if (!schema) return [];
  if (schema.type === "array" && schema.items && typeof schema.items === "object") schema = schema.items as SchemaLike;
  const properties = (schema.properties ?? {}) as Record<string, SchemaLike>;
  return Object.entries(properties)
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, sub]) => ({ name, field: fieldOf(sub && typeof sub === "object" ? sub : {}) }));
}

/** `snake_case` of any identifier: `fromAccountId` → from_account_id. */
export function snake(name: string): string {
  return splitIdentifier(name).join("_");
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
