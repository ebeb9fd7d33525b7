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
  // A pattern that only a date (or a date and time) matches says so as well as a format would.
  else if (typeof schema.pattern === "string") {
    const format = patternFormat(schema.pattern);
    if (format) field.format = format;
  }
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
      if (typeof schema.pattern === "string") text = matchingText(text, schema.pattern, rng, clock);
      if (typeof schema.maxLength === "number") text = text.slice(0, schema.maxLength);
      if (typeof schema.minLength === "number" && text.length < schema.minLength) text = text.padEnd(schema.minLength, "x");
      return text;
    }
  }
}

/** `date` or `date-time` when every sample of that format matches the pattern and no plain word does. */
function patternFormat(pattern: string): "date" | "date-time" | undefined {
  const test = compiled(pattern);
  if (!test || test("maple-331")) return undefined;
  if (test("2025-09-18")) return "date";
  if (test("2025-09-18T10:00:00Z")) return "date-time";
  return undefined;
}

function compiled(pattern: string): ((text: string) => boolean) | null {
  try {
    const re = new RegExp(pattern, "u");
    return (text) => re.test(text);
  } catch {
    return null;
  }
}

/**
 * Text a parameter's pattern accepts: the value when it does, else the first of a date, a time, a
 * run of digits or an upper-case code that it does (an unreadable pattern leaves the value as it is).
 */
function matchingText(text: string, pattern: string, rng: Rng, clock: string): string {
  // Long texts are left alone: a catalog's pattern is not trusted to be quick on them.
  const test = text.length <= 200 ? compiled(pattern) : null;
  if (!test || test(text)) return text;
  const day = (Date.parse(clock) || Date.UTC(2025, 0, 1, 9)) + rng.int(1, 30) * 86_400_000;
  const iso = new Date(day).toISOString();
  const digits = (n: number) => Array.from({ length: n }, (_, i) => String((rng.int(1, 9) + i) % 10)).join("");
  const candidates = [
    iso.slice(0, 10),
    `${iso.slice(0, 19)}Z`,
    ...[1, 2, 3, 4, 5, 6, 8, 10, 12, 16].map(digits),
    ...[2, 3, 4, 6].map((n) =>
      text
        .replace(/[^a-z]/gi, "")
        .toUpperCase()
        .padEnd(n, "X")
        .slice(0, n),
    ),
  ];
  return candidates.find(test) ?? text;
}

export function clamp(n: number, min?: number, max?: number): number {
  return Math.min(max ?? Number.POSITIVE_INFINITY, Math.max(min ?? Number.NEGATIVE_INFINITY, n));
}
