// Domain sketches: a few lines a person writes about a domain (entities, fields, relations, the
// actions records go through), in YAML or JSON. Offline, propose-tools expands one into read and
// write tools with their pre- and postconditions (expand.ts).
//
//   domain: pet-clinic
//   description: A veterinary clinic's owners, pets, vets and appointments.
//   entities:
//     pet:
//       fields:
//         name: string
//         species: { enum: [dog, cat, rabbit] }
//         owner: { ref: owner }
//     appointment:
//       fields: { pet: { ref: pet }, start_time: { type: string, format: date-time } }
//       actions: [cancel, complete]
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { EnvscaleError } from "../../kernel/errors.ts";

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

const fieldSchema = z.union([
  z.enum(["string", "number", "integer", "boolean", "date", "date-time", "email", "text"]),
  z.strictObject({
    type: z.enum(["string", "number", "integer", "boolean", "object", "array"]).optional(),
    format: z.string().optional(),
    enum: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional(),
    /** A relation: the entity this field points at (becomes `<entity>_id`). */
    ref: z.string().regex(IDENTIFIER).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    description: z.string().optional(),
    /** Not needed to create a record. */
    optional: z.boolean().optional(),
  }),
]);
export type SketchField = z.infer<typeof fieldSchema>;

const operations = ["create", "get", "list", "update", "delete"] as const;

const entitySchema = z.strictObject({
  description: z.string().optional(),
  /** Plural, when the English one is irregular (`person: people`). */
  plural: z.string().regex(IDENTIFIER).optional(),
  fields: z.record(z.string().regex(IDENTIFIER, "field names are snake_case identifiers"), fieldSchema),
  /** Verbs that move a record through states (`cancel`, `complete`): each becomes a tool, and the entity gets a status. */
  actions: z.array(z.string().regex(IDENTIFIER)).default([]),
  /** Which of create/get/list/update/delete to offer (default: all, delete only without actions). */
  operations: z.array(z.enum(operations)).optional(),
});

export const sketchSchema = z.strictObject({
  domain: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "domain names are kebab-case"),
  description: z.string().default(""),
  entities: z
    .record(z.string().regex(IDENTIFIER, "entity names are snake_case identifiers"), entitySchema)
    .refine((e) => Object.keys(e).length > 0, "a sketch needs at least one entity"),
});
export type Sketch = z.infer<typeof sketchSchema>;

/** Read and check a sketch file; every problem names the file and where in it. */
export async function readSketch(path: string): Promise<Sketch> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new EnvscaleError("E_INPUT_UNREADABLE", `sketch ${path} cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = extname(path) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new EnvscaleError(
      "E_INPUT_UNREADABLE",
      `sketch ${path} is not valid ${extname(path) === ".json" ? "JSON" : "YAML"}: ${(error as Error).message}`,
    );
  }
  if (value && typeof value === "object" && !("domain" in value)) (value as Record<string, unknown>).domain = basename(path, extname(path));
  const parsed = sketchSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EnvscaleError("E_INPUT_UNREADABLE", `sketch ${path}: at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`, {
      hint: "see examples/sketches/ for the format",
    });
  }
  for (const [entity, spec] of Object.entries(parsed.data.entities)) {
    for (const [field, type] of Object.entries(spec.fields)) {
      if (typeof type === "object" && type.ref && !parsed.data.entities[type.ref]) {
        throw new EnvscaleError(
          "E_INPUT_UNREADABLE",
          `sketch ${path}: entities.${entity}.fields.${field} refers to "${type.ref}", which is not an entity of the sketch`,
        );
      }
    }
  }
  return parsed.data;
}
