// Offline expansion of a sketch into tools: for each entity create, get, list, update and delete
// (or, for entities with actions, one tool per action instead of delete), each with parameters,
// a result schema and its pre- and postconditions in the description.

import type { ToolCandidate } from "../../lib/contracts/tool-candidates.ts";
import { participle, TERMINAL_STATES } from "../../lib/domain-model/lexicon.ts";
import { plural } from "../../lib/domain-model/words.ts";
import type { Sketch, SketchField } from "./sketch.ts";

type JsonSchema = Record<string, unknown>;

function fieldJsonSchema(field: SketchField, description: string): JsonSchema {
  if (typeof field === "string") {
    switch (field) {
      case "date":
      case "date-time":
        return { type: "string", format: field, description };
      case "email":
        return { type: "string", format: "email", description };
      case "text":
        return { type: "string", description };
      default:
        return { type: field, description };
    }
  }
  if (field.ref) return { type: "string", description: field.description ?? description };
  const schema: JsonSchema = {
    type: field.type ?? (field.enum ? (typeof field.enum[0] === "number" ? "number" : "string") : "string"),
    description: field.description ?? description,
  };
  for (const key of ["format", "enum", "minimum", "maximum"] as const) if (field[key] !== undefined) schema[key] = field[key];
  return schema;
}

const words = (name: string) => name.replaceAll("_", " ");
/** `a pet`, `an appointment`. */
const an = (name: string) => `${/^[aeiou]/.test(name) ? "an" : "a"} ${words(name)}`;
const isOptional = (field: SketchField) => typeof field === "object" && field.optional === true;

/** Tools of a sketch, as catalog candidates (ingest's normaliser checks them like any catalog). */
export function expandSketch(sketch: Sketch, file: string): ToolCandidate[] {
  const out: ToolCandidate[] = [];
  for (const [entity, spec] of Object.entries(sketch.entities)) {
    const many = spec.plural ?? plural(entity);
    const key = `${entity}_id`;
    const statusValues = spec.actions.length > 0 ? ["active", ...spec.actions.map(participle)] : [];
    const declaredStatus = spec.fields.status;
    const statuses = typeof declaredStatus === "object" && declaredStatus.enum ? declaredStatus.enum.map(String) : statusValues;
    const initial = statuses.find((s) => !TERMINAL_STATES.has(s) && !spec.actions.map(participle).includes(s)) ?? "active";
    const fieldEntries = Object.entries(spec.fields).filter(([name]) => !(name === "status" && spec.actions.length > 0));
    const parameterName = (name: string, field: SketchField) =>
      typeof field === "object" && field.ref ? `${name === field.ref ? field.ref : name}_id` : name;
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    const refs: string[] = [];
    const refParams = new Set<string>();
    for (const [name, field] of fieldEntries) {
      const param = parameterName(name, field);
      properties[param] = fieldJsonSchema(
        field,
        typeof field === "object" && field.ref
          ? `the ${words(field.ref)} this ${words(entity)} belongs to`
          : `${words(name)} of the ${words(entity)}`,
      );
      if (!isOptional(field)) required.push(param);
      if (typeof field === "object" && field.ref) {
        refs.push(`the ${words(field.ref)} ${param} exists`);
        refParams.add(param);
      }
    }
    const record: JsonSchema = {
      type: "object",
      properties: {
        [key]: { type: "string" },
        ...properties,
        ...(statuses.length > 0 ? { status: { type: "string", enum: statuses } } : {}),
      },
    };
    const about = spec.description ? ` ${spec.description}` : "";
    const offered = new Set(
      spec.operations ?? (spec.actions.length > 0 ? ["create", "get", "list", "update"] : ["create", "get", "list", "update", "delete"]),
    );
    const source = (operation: string) => ({ file, pointer: `/entities/${entity}/${operation}` });
    const add = (name: string, operation: string, description: string, parameters: JsonSchema, returns: JsonSchema) =>
      out.push({
        name,
        description,
        parameters,
        returns,
        format: "function",
        source: source(operation),
        category: sketch.domain,
        meta: { sketch: sketch.domain, entity, operation },
      });

    if (offered.has("create")) {
      add(
        `create_${entity}`,
        "create",
        `Create ${an(entity)}.${about} Preconditions: ${refs.length > 0 ? refs.join("; ") : "none"}. Postconditions: a new ${words(entity)} with a new ${key}${statuses.length > 0 ? `, status ${initial}` : ""}; returns it.`,
        { type: "object", properties, required },
        record,
      );
    }
    if (offered.has("get")) {
      add(
        `get_${entity}`,
        "get",
        `Get one ${words(entity)} by its id. Preconditions: the ${words(entity)} exists.`,
        { type: "object", properties: { [key]: { type: "string", description: `id of the ${words(entity)}` } }, required: [key] },
        record,
      );
    }
    if (offered.has("list")) {
      const filters: Record<string, JsonSchema> = {};
      for (const [name, field] of fieldEntries) {
        if (typeof field === "object" && (field.ref || field.enum))
          filters[parameterName(name, field)] = properties[parameterName(name, field)] as JsonSchema;
      }
      if (statuses.length > 0) filters.status = { type: "string", enum: statuses, description: `only ${words(many)} in this status` };
      add(
        `list_${many}`,
        "list",
        `List ${words(many)}${Object.keys(filters).length > 0 ? `, optionally only those matching ${Object.keys(filters).join(", ")}` : ""}.`,
        { type: "object", properties: filters },
        { type: "array", items: record },
      );
    }
    if (offered.has("update")) {
      const mutable = Object.fromEntries(Object.entries(properties).filter(([name]) => !refParams.has(name)));
      if (Object.keys(mutable).length > 0) {
        const terminal = statuses.filter((s) => TERMINAL_STATES.has(s));
        add(
          `update_${entity}`,
          "update",
          `Change fields of ${an(entity)}. Preconditions: the ${words(entity)} exists${terminal.length > 0 ? ` and is not ${terminal.join(" or ")}` : ""}. Postconditions: the given fields hold the given values.`,
          {
            type: "object",
            properties: { [key]: { type: "string", description: `id of the ${words(entity)}` }, ...mutable },
            required: [key],
          },
          record,
        );
      }
    }
    if (offered.has("delete")) {
      add(
        `delete_${entity}`,
        "delete",
        `Delete ${an(entity)}. Preconditions: the ${words(entity)} exists. Postconditions: it is gone.`,
        { type: "object", properties: { [key]: { type: "string", description: `id of the ${words(entity)}` } }, required: [key] },
        { type: "object", properties: { deleted: { type: "string" } } },
      );
    }
    for (const action of spec.actions) {
      const to = participle(action);
      const refused = [...new Set([to, ...statuses.filter((s) => TERMINAL_STATES.has(s))])];
      add(
        `${action}_${entity}`,
        action,
        `${action[0]?.toUpperCase()}${action.slice(1)} ${an(entity)}. Preconditions: the ${words(entity)} exists and is not ${refused.join(" or ")}. Postconditions: its status is ${to}.`,
        {
          type: "object",
          properties: {
            [key]: { type: "string", description: `id of the ${words(entity)}` },
            reason: { type: "string", description: `why the ${words(entity)} is ${to}` },
          },
          required: [key],
        },
        record,
      );
    }
  }
  return out;
}
