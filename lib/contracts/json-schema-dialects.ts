// Turning the JSON-Schema-like dialects of catalogs (BFCL, OpenAPI 3.0, old drafts) into JSON Schema 2020-12.
import type { JsonValue } from "../../kernel/canonical-json.ts";

export type JsonSchema = { [key: string]: JsonValue };

/** Type names found in catalogs (BFCL's Python and Java names among them), by lower-cased name. */
const TYPE_ALIASES: Record<string, string | null> = {
  object: "object",
  dict: "object",
  hashmap: "object",
  map: "object",
  string: "string",
  str: "string",
  char: "string",
  character: "string",
  number: "number",
  float: "number",
  double: "number",
  integer: "integer",
  int: "integer",
  long: "integer",
  short: "integer",
  byte: "integer",
  boolean: "boolean",
  bool: "boolean",
  array: "array",
  list: "array",
  tuple: "array",
  arraylist: "array",
  set: "array",
  null: "null",
  // `any` (and an empty type) means no constraint: the keyword is dropped.
  any: null,
  "": null,
};

/** Keywords whose value is one subschema. */
const SUBSCHEMA = [
  "additionalProperties",
  "not",
  "contains",
  "if",
  "then",
  "else",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
  "additionalItems",
];
/** Keywords whose value is an array of subschemas. */
const SUBSCHEMA_LIST = ["anyOf", "oneOf", "allOf", "prefixItems"];
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];

export type NormalizeResult = { schema: JsonSchema } | { problem: string };

/**
 * Normalise a tool's parameter schema. Every rewrite is safe whatever the source format, so one
 * function serves them all (a JSON Schema never says `dict`, an OpenAPI document never says `tuple`). The result always has `type: "object"` and a `properties`
 * object; a schema that cannot be read that way gives a problem naming the offending path.
 */
export function normalizeParameters(input: unknown): NormalizeResult {
  if (input === undefined || input === null) return { schema: { type: "object", properties: {} } };
  if (typeof input !== "object" || Array.isArray(input)) return { problem: `parameters must be an object schema, got ${describe(input)}` };
  let schema: JsonSchema;
  try {
    schema = normalizeNode(input as JsonSchema, "parameters");
  } catch (error) {
    return { problem: (error as Error).message };
  }
  delete schema.$schema;
  if (schema.type === undefined) schema.type = "object";
  if (schema.type !== "object") return { problem: `parameters must be a schema of type "object", got type ${JSON.stringify(schema.type)}` };
  if (schema.properties === undefined) schema.properties = {};
  return { schema };
}

/** Normalise any schema (used for `returns` too). Throws an Error naming the path on unusable input. */
export function normalizeSchema(input: unknown, where: string): JsonSchema {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new Error(`${where} must be a schema object, got ${describe(input)}`);
  return normalizeNode(input as JsonSchema, where);
}

function normalizeNode(node: JsonSchema, path: string): JsonSchema {
  const out: JsonSchema = { ...node };

  if (out.type !== undefined) {
    const types = (Array.isArray(out.type) ? out.type : [out.type]).map((t) => {
      if (typeof t !== "string") throw new Error(`${path}.type must be a string, got ${describe(t)}`);
      const mapped = TYPE_ALIASES[t.toLowerCase()];
      if (mapped === undefined) throw new Error(`${path}.type "${t}" is not a JSON Schema type`);
      return mapped;
    });
    if (types.includes(null)) delete out.type;
    else {
      const unique = [...new Set(types as string[])];
      out.type = unique.length === 1 ? (unique[0] as string) : unique;
    }
  }

  // OpenAPI 3.0: `nullable: true` is type [T, "null"]; boolean exclusive bounds (draft 4) become numbers.
  if (out.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (Array.isArray(out.type) && !out.type.includes("null")) out.type = [...out.type, "null"];
    delete out.nullable;
  } else if (out.nullable === false) delete out.nullable;
  for (const [exclusive, bound] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (typeof out[exclusive] === "boolean") {
      if (out[exclusive] === true && typeof out[bound] === "number") {
        out[exclusive] = out[bound];
        delete out[bound];
      } else delete out[exclusive];
    }
  }

  // Draft 3 put `required: true` on the property; JSON Schema lists names on the parent.
  if (out.required !== undefined && !Array.isArray(out.required)) {
    if (typeof out.required === "boolean") delete out.required;
    else throw new Error(`${path}.required must be an array of property names, got ${describe(out.required)}`);
  }
  if (Array.isArray(out.required)) {
    if (!out.required.every((name) => typeof name === "string")) throw new Error(`${path}.required must list property names as strings`);
    out.required = [...new Set(out.required as string[])];
  }

  // Draft 7 tuples: `items: [a, b]` is `prefixItems` in 2020-12.
  if (Array.isArray(out.items)) {
    out.prefixItems = out.items;
    delete out.items;
  }
  if (out.items !== undefined) out.items = normalizeChild(out.items, `${path}.items`);
  for (const key of SUBSCHEMA) if (out[key] !== undefined) out[key] = normalizeChild(out[key], `${path}.${key}`);
  for (const key of SUBSCHEMA_LIST) {
    if (out[key] === undefined) continue;
    const list = out[key];
    if (!Array.isArray(list)) throw new Error(`${path}.${key} must be an array of schemas`);
    out[key] = list.map((item, i) => normalizeChild(item, `${path}.${key}[${i}]`));
  }
  for (const key of SUBSCHEMA_MAP) {
    if (out[key] === undefined) continue;
    const map = out[key];
    if (typeof map !== "object" || map === null || Array.isArray(map))
      throw new Error(`${path}.${key} must be an object mapping names to schemas`);
    const listed: string[] = Array.isArray(out.required) ? (out.required as string[]) : [];
    const required: Set<string> = new Set(listed);
    const next: JsonSchema = {};
    for (const [name, child] of Object.entries(map)) {
      if (
        key === "properties" &&
        typeof child === "object" &&
        child !== null &&
        !Array.isArray(child) &&
        (child as JsonSchema).required === true
      ) {
        required.add(name);
      }
      next[name] = normalizeChild(child, `${path}.${key}.${name}`);
    }
    out[key] = next;
    if (key === "properties" && required.size > 0) out.required = [...required];
  }
  return out;
}

function normalizeChild(value: JsonValue, path: string): JsonValue {
  if (typeof value === "boolean") return value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${path} must be a schema, got ${describe(value)}`);
  return normalizeNode(value, path);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}
