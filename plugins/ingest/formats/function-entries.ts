// Function-like catalog entries: OpenAI tools, bare functions, `{category, tool}` lines, MCP tools, BFCL docs.

import type { JsonValue } from "../../../kernel/canonical-json.ts";
import type { ToolCandidate } from "../../../lib/contracts/tool-candidates.ts";
import type { CatalogFormat, RejectedEntry, SourceLocation } from "../../../lib/contracts/tool-spec.ts";
import type { ParsedDocument } from "../parse-file.ts";

export interface Extracted {
  candidates: ToolCandidate[];
  rejections: RejectedEntry[];
}

interface Inherited {
  category?: string;
  meta?: Record<string, JsonValue>;
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The tools in one entry. Shapes, tried in order:
 * `{type: "function", function}` (OpenAI), `{tool, category?, subcategory?, meta?}` (catalog lines),
 * `{name, inputSchema}` (MCP), `{function: [...]}` (a BFCL test entry), `{name, parameters?, description?}`.
 */
export function entryCandidates(
  value: unknown,
  source: SourceLocation,
  lineOf: (path: (string | number)[]) => number | undefined,
  path: (string | number)[],
  inherited: Inherited = {},
): Extracted {
  const out: Extracted = { candidates: [], rejections: [] };
  const reject = (code: RejectedEntry["code"], reason: string, name?: string) => {
    out.rejections.push({ code, reason, source, ...(name ? { name } : {}) });
    return out;
  };
  if (!isObject(value)) return reject("SHAPE", `entry is ${Array.isArray(value) ? "an array" : typeof value}, not a tool object`);

  if (value.type === "function" && isObject(value.function)) {
    return fromFunction(value.function, "openai", source, inherited, out);
  }
  if (isObject(value.tool)) {
    const meta: Record<string, JsonValue> = {
      ...inherited.meta,
      ...(isObject(value.meta) ? (value.meta as Record<string, JsonValue>) : {}),
    };
    if (typeof value.subcategory === "string") meta.subcategory = value.subcategory;
    const category = typeof value.category === "string" ? value.category : inherited.category;
    return entryCandidates(value.tool, source, lineOf, [...path, "tool"], {
      ...(category ? { category } : {}),
      ...(Object.keys(meta).length ? { meta } : {}),
    });
  }
  if (typeof value.name === "string" && "inputSchema" in value) {
    const meta: Record<string, JsonValue> = { ...inherited.meta };
    if (isObject(value.annotations)) meta.annotations = value.annotations as Record<string, JsonValue>;
    return fromFunction(
      { ...value, parameters: value.inputSchema, returns: value.outputSchema },
      "mcp",
      source,
      { ...inherited, ...(Object.keys(meta).length ? { meta } : {}) },
      out,
    );
  }
  if (Array.isArray(value.function)) {
    value.function.forEach((fn, i) => {
      const at = [...path, "function", i];
      const located = { ...source, pointer: `${source.pointer}/function/${i}`, ...lineIfKnown(lineOf(at) ?? source.line) };
      const inner = isObject(fn)
        ? fromFunction(fn, "bfcl", located, inherited, { candidates: [], rejections: [] })
        : { candidates: [], rejections: [{ code: "SHAPE" as const, reason: "function entry is not an object", source: located }] };
      out.candidates.push(...inner.candidates);
      out.rejections.push(...inner.rejections);
    });
    return out;
  }
  if (typeof value.name === "string" || "parameters" in value) {
    const bfcl = isObject(value.parameters) && value.parameters.type === "dict";
    return fromFunction(value, bfcl ? "bfcl" : "function", source, inherited, out);
  }
  return reject("SHAPE", `entry has none of the known tool shapes (keys: ${Object.keys(value).slice(0, 8).join(", ") || "none"})`);
}

function fromFunction(fn: Obj, format: CatalogFormat, source: SourceLocation, inherited: Inherited, out: Extracted): Extracted {
  const name = typeof fn.name === "string" ? fn.name.trim() : "";
  if (!name) {
    out.rejections.push({ code: "NAME", reason: "tool has no name", source });
    return out;
  }
  if (fn.description !== undefined && typeof fn.description !== "string") {
    out.rejections.push({ code: "SHAPE", reason: `description must be a string, got ${typeof fn.description}`, source, name });
    return out;
  }
  const returns = fn.returns ?? fn.response ?? responsesFromMeta(inherited.meta);
  out.candidates.push({
    name,
    description: typeof fn.description === "string" ? fn.description : "",
    parameters: fn.parameters,
    ...(returns !== undefined ? { returns } : {}),
    ...(inherited.category ? { category: inherited.category } : {}),
    ...(inherited.meta ? { meta: inherited.meta } : {}),
    format,
    source,
  });
  return out;
}

/** Catalog lines sometimes describe the result in `meta` (Seal-Tools' `responses`, ToolBench's `template_response`). */
function responsesFromMeta(meta: Record<string, JsonValue> | undefined): unknown {
  if (!meta) return undefined;
  if (isObject(meta.responses)) {
    const properties: Obj = {};
    for (const [key, field] of Object.entries(meta.responses)) properties[key] = isObject(field) ? field : shapeToSchema(field);
    return { type: "object", properties };
  }
  if (meta.template_response !== undefined) return shapeToSchema(meta.template_response);
  return undefined;
}

/** `{"code": "int", "items": [{"name": "str"}]}` → a JSON Schema of that shape. */
export function shapeToSchema(shape: unknown): Obj {
  if (typeof shape === "string") return KNOWN_TYPE_NAMES.has(shape.toLowerCase()) ? { type: shape } : {};
  if (Array.isArray(shape)) return shape.length > 0 ? { type: "array", items: shapeToSchema(shape[0]) } : { type: "array" };
  if (isObject(shape)) {
    const properties: Obj = {};
    for (const [key, field] of Object.entries(shape)) properties[key] = shapeToSchema(field);
    return { type: "object", properties };
  }
  return {};
}

const KNOWN_TYPE_NAMES = new Set([
  "str",
  "string",
  "int",
  "integer",
  "float",
  "number",
  "bool",
  "boolean",
  "dict",
  "object",
  "list",
  "array",
  "double",
  "long",
]);

function lineIfKnown(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

/**
 * The entries of one parsed document: a list of tools (`[...]`, `{tools: [...]}`, a JSON-RPC
 * `{result: {tools}}`, `{functions: [...]}`) or a single entry. OpenAPI documents are handled elsewhere.
 */
export function documentEntries(doc: ParsedDocument, file: string, pointer: string, line: number | undefined): Extracted {
  const out: Extracted = { candidates: [], rejections: [] };
  const value = doc.value;
  let list: unknown[] | null = null;
  let base: (string | number)[] = [];
  if (Array.isArray(value)) list = value;
  else if (isObject(value)) {
    const result = isObject(value.result) ? value.result : null;
    if (Array.isArray(value.tools)) [list, base] = [value.tools, ["tools"]];
    else if (result && Array.isArray(result.tools)) [list, base] = [result.tools, ["result", "tools"]];
    else if (Array.isArray(value.functions)) [list, base] = [value.functions, ["functions"]];
  }
  if (list === null) {
    const source = { file, pointer, ...lineIfKnown(line ?? doc.lineOf([])) };
    return entryCandidates(value, source, doc.lineOf, []);
  }
  list.forEach((entry, i) => {
    const path = [...base, i];
    const source = { file, pointer: `${pointer}${path.map((p) => `/${p}`).join("")}`, ...lineIfKnown(doc.lineOf(path)) };
    const part = entryCandidates(entry, source, doc.lineOf, path);
    out.candidates.push(...part.candidates);
    out.rejections.push(...part.rejections);
  });
  return out;
}
