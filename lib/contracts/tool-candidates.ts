// From tool candidates to ToolSpecs: schemas normalised and compiled, names sanitised, duplicates merged.
import { Ajv2020 } from "ajv/dist/2020.js";
import { canonicalStringify, type JsonValue } from "../../kernel/canonical-json.ts";
import { normalizeParameters, normalizeSchema } from "./json-schema-dialects.ts";
import type { CatalogFormat, RejectedEntry, SourceLocation, ToolSpec } from "./tool-spec.ts";

export const NAME_MAX = 64;

/** Replace characters OpenAI function names do not allow, squeeze underscores, cut to 64. */
export function sanitizeName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-zA-Z0-9_-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, NAME_MAX);
}

/**
 * A JSON Schema compile check that accepts what real catalogs contain (unknown keywords and formats).
 * Ajv's code optimiser is off: ingest only needs to know that a schema compiles, and the optimiser
 * doubles the cost (the sandbox compiles its own, optimised validators).
 */
export function createSchemaCompiler(): (schema: object) => string | null {
  const ajv = new Ajv2020({
    strict: false,
    validateFormats: false,
    addUsedSchema: false,
    logger: false,
    allErrors: false,
    code: { optimize: false },
  });
  const verdicts = new Map<string, string | null>();
  return (schema) => {
    // Key by plain JSON text: repeated schemas in one catalog are written the same way.
    const key = JSON.stringify(schema);
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      try {
        ajv.compile(schema);
        verdict = null;
      } catch (error) {
        verdict = (error as Error).message;
      }
      verdicts.set(key, verdict);
    }
    return verdict;
  };
}

export interface NormalizedCatalog {
  tools: ToolSpec[];
  rejected: RejectedEntry[];
}

/**
 * Normalise candidates in input order. Exact duplicates (same name, description and schemas) are
 * merged into the first; different tools whose names collide get `_2`, `_3`… in input order.
 */
export function normalizeCandidates(candidates: readonly ToolCandidate[]): NormalizedCatalog {
  const compile = createSchemaCompiler();
  const tools: ToolSpec[] = [];
  const rejected: RejectedEntry[] = [];
  const byContent = new Map<string, ToolSpec>();
  const taken = new Set<string>();

  for (const candidate of candidates) {
    const reject = (code: RejectedEntry["code"], reason: string) =>
      rejected.push({ code, reason, source: candidate.source, name: candidate.name });
    const base = sanitizeName(candidate.name);
    if (!base) {
      reject("NAME", `name ${JSON.stringify(candidate.name)} has no letters or digits to keep`);
      continue;
    }
    const parameters = normalizeParameters(candidate.parameters);
    if ("problem" in parameters) {
      reject("SCHEMA", parameters.problem);
      continue;
    }
    const problem = compile(parameters.schema);
    if (problem) {
      reject("SCHEMA", `parameters do not compile as JSON Schema: ${problem}`);
      continue;
    }
    let returns: ToolSpec["returns"];
    if (candidate.returns !== undefined) {
      try {
        returns = normalizeSchema(candidate.returns, "returns");
        // A result schema that does not compile is dropped; the tool itself is still usable.
        if (compile(returns)) returns = undefined;
      } catch {
        returns = undefined;
      }
    }

    const content = canonicalStringify([base, candidate.description, parameters.schema, returns ?? null]);
    const twin = byContent.get(content);
    if (twin) {
      reject(
        "DUPLICATE",
        `exact duplicate of tool "${twin.name}" (${twin.source.file}${twin.source.line ? `:${twin.source.line}` : ""}); merged into it`,
      );
      continue;
    }
    let name = base;
    for (let n = 2; taken.has(name); n++) {
      const suffix = `_${n}`;
      name = `${base.slice(0, NAME_MAX - suffix.length)}${suffix}`;
    }
    taken.add(name);
    const spec: ToolSpec = {
      name,
      description: candidate.description.trim(),
      parameters: parameters.schema,
      ...(returns ? { returns } : {}),
      ...(candidate.category ? { category: candidate.category } : {}),
      ...(name !== candidate.name ? { original_name: candidate.name } : {}),
      format: candidate.format,
      source: candidate.source,
      ...(candidate.meta && Object.keys(candidate.meta).length > 0 ? { meta: candidate.meta } : {}),
    };
    byContent.set(content, spec);
    tools.push(spec);
  }
  return { tools, rejected };
}

/** A tool as read from its source, before names and schemas are normalised. */
export interface ToolCandidate {
  name: string;
  description: string;
  parameters: unknown;
  returns?: unknown;
  category?: string;
  meta?: Record<string, JsonValue>;
  format: CatalogFormat;
  source: SourceLocation;
}
