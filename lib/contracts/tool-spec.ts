// ToolSpec: the one normalised shape every catalog format becomes (artifact `catalog`).
import { z } from "zod";

export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export const catalogFormats = ["openai", "function", "mcp", "bfcl", "openapi"] as const;
export type CatalogFormat = (typeof catalogFormats)[number];

/** A JSON Schema object (kept as data; ingest has compiled it with ajv). */
export const jsonSchemaObject = z.record(z.string(), z.json());

export const sourceLocationSchema = z.object({
  /** Path of the catalog file, relative to the folder (or file) it was found through. */
  file: z.string(),
  /** 1-based line of the entry, when the format has lines. */
  line: z.number().int().positive().optional(),
  /** JSON pointer to the entry inside the file (`/3`, `/tools/0`, `/paths/~1pets/get`). */
  pointer: z.string(),
});

export const toolSpecSchema = z.object({
  name: z.string().regex(TOOL_NAME, "tool names match ^[a-zA-Z0-9_-]{1,64}$"),
  description: z.string(),
  /** JSON Schema of the arguments: always `type: "object"`. */
  parameters: jsonSchemaObject.refine((schema) => schema.type === "object", "parameters must be a JSON Schema of type object"),
  /** JSON Schema of the result, when the source declares one. */
  returns: jsonSchemaObject.optional(),
  /** The source's own label (a RapidAPI category, an OpenAPI tag…); never used as a feature. */
  category: z.string().optional(),
  /** The name before sanitising or de-duplication, when it changed. */
  original_name: z.string().optional(),
  format: z.enum(catalogFormats),
  source: sourceLocationSchema,
  /** Source-specific extras (HTTP method and path, labels…), kept verbatim. */
  meta: z.record(z.string(), z.json()).optional(),
});

export type ToolSpec = z.infer<typeof toolSpecSchema>;
export type SourceLocation = z.infer<typeof sourceLocationSchema>;

/** `MODEL`: a model was asked for tools (propose-tools) and its answer stayed unusable. */
export const rejectionCodes = ["PARSE", "SHAPE", "NAME", "SCHEMA", "DUPLICATE", "UNSUPPORTED", "MODEL"] as const;

export const rejectedEntrySchema = z.object({
  code: z.enum(rejectionCodes),
  reason: z.string(),
  source: sourceLocationSchema,
  /** The entry's name when it has one. */
  name: z.string().optional(),
});

export type RejectedEntry = z.infer<typeof rejectedEntrySchema>;
