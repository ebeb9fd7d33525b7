// Values read from and bent to JSON Schemas: the field a parameter's schema describes, a sample
// value for a schema, and a value made to fit one (types, enums, formats, bounds).

import type { Rng } from "../../kernel/rng.ts";
import type { Field } from "../contracts/domain-schema.ts";
import type { Row } from "../contracts/domain-state.ts";
import { sampleValue } from "./values.ts";

/** A JSON Schema, as data. */
export type JsonSchema = Record<string, unknown>;

/** The first concrete type of a JSON Schema (`["string", "null"]` → string; anyOf/oneOf looked into). */
function typeOf(schema: JsonSchema): Field["type"] {
  const raw = schema.type;
  const types = (Array.isArray(raw) ? raw : [raw]).filter((t): t is string => typeof t === "string" && t !== "null");
  const first = types[0];
  if (first === "string" || first === "number" || first === "integer" || first === "boolean" || first === "object" || first === "array")
    return first;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = schema[key];
    if (Array.isArray(options)) {
      for (const option of options) if (option && typeof option === "object") return typeOf(option as JsonSchema);
    }
  }
  if (Array.isArray(schema.enum)) return typeof schema.enum[0] === "number" ? "number" : "string";
  if (schema.properties) return "object";
  if (schema.items) return "array";
  return "string";
}

/** A field description of a parameter's JSON Schema. */
export function fieldOf(schema: JsonSchema): Omit<Field, "name"> {
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

/** A value for a JSON Schema, objects and arrays included. */
export function sampleFromSchema(name: string, schema: JsonSchema, rng: Rng, clock: string, depth = 0): unknown {
  const field = fieldOf(schema);
  if (field.type === "object" && depth < 3 && schema.properties && typeof schema.properties === "object") {
    const out: Row = {};
    for (const [key, sub] of Object.entries(schema.properties as Record<string, JsonSchema>))
      out[key] = sampleFromSchema(key, sub ?? {}, rng, clock, depth + 1);
    return out;
  }
  if (field.type === "array" && depth < 3 && schema.items && typeof schema.items === "object") {
    return [sampleFromSchema(name, schema.items as JsonSchema, rng, clock, depth + 1)];
  }
  return conform(sampleValue(name, field, rng, { clock }), schema, name, rng, clock);
}

/** Bend a value to a parameter's JSON Schema (types, enums, formats, bounds), so valid calls are valid. */
export function conform(value: unknown, schema: JsonSchema, name: string, rng: Rng, clock: string): unknown {
  const field = fieldOf(schema);
  if (field.enum && !field.enum.includes(value as string | number)) return rng.pick(field.enum);
  switch (field.type) {
    case "integer": {
      const n = Math.round(Number(value));
      return clamp(Number.isFinite(n) ? n : 1, field.minimum, field.maximum);
    }
    case "number": {
      const n = Number(value);
      return clamp(Number.isFinite(n) ? n : 1, field.minimum, field.maximum);
    }
    case "boolean":
      return typeof value === "boolean" ? value : Boolean(value);
    case "object":
      return value && typeof value === "object" && !Array.isArray(value) ? value : sampleFromSchema(name, schema, rng, clock);
    case "array":
      return Array.isArray(value) ? value : sampleFromSchema(name, schema, rng, clock);
    default: {
      let text =
        value === null || value === undefined
          ? String(sampleValue(name, field, rng, { clock }))
          : typeof value === "string"
            ? value
            : JSON.stringify(value);
      if (field.format === "date" && /^\d{4}-\d{2}-\d{2}/.test(text)) text = text.slice(0, 10);
      if (field.format === "date-time" && /^\d{4}-\d{2}-\d{2}$/.test(text)) text = `${text}T09:00:00Z`;
      if (typeof schema.maxLength === "number") text = text.slice(0, schema.maxLength);
      if (typeof schema.minLength === "number" && text.length < schema.minLength) text = text.padEnd(schema.minLength, "x");
      return text;
    }
  }
}

export function clamp(n: number, min?: number, max?: number): number {
  return Math.min(max ?? Number.POSITIVE_INFINITY, Math.max(min ?? Number.NEGATIVE_INFINITY, n));
}
