// OpenAPI 3.x documents: every operation becomes a tool, with `$ref`s resolved.
import { dereference } from "@apidevtools/json-schema-ref-parser";
import type { JsonValue } from "../../../kernel/canonical-json.ts";
import { type ParsedDocument, toPointer } from "../parse-file.ts";
import type { Extracted } from "./function-entries.ts";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);

export function isOpenApiDocument(value: unknown): boolean {
  return isObject(value) && (typeof value.openapi === "string" || typeof value.swagger === "string");
}

/** The operations of an OpenAPI document as tool candidates (Swagger 2.0 is refused with a reason). */
export async function openApiCandidates(doc: ParsedDocument, filePath: string, display: string): Promise<Extracted> {
  const out: Extracted = { candidates: [], rejections: [] };
  const api = doc.value as Obj;
  const root = { file: display, pointer: "", ...(doc.lineOf([]) ? { line: doc.lineOf([]) as number } : {}) };
  if (typeof api.openapi !== "string" || !api.openapi.startsWith("3.")) {
    out.rejections.push({
      code: "UNSUPPORTED",
      reason: `only OpenAPI 3.x is supported, this document is ${typeof api.swagger === "string" ? `Swagger ${api.swagger}` : `OpenAPI ${String(api.openapi)}`} (convert it with swagger2openapi)`,
      source: root,
    });
    return out;
  }
  let resolved: Obj;
  try {
    // In-document and file references are followed; the network never is. Recursive schemas keep
    // their `$ref`, which `expandRefs` below handles.
    resolved = (await dereference(filePath, structuredClone(api), {
      resolve: { http: false, external: true },
      dereference: { circular: "ignore" },
    })) as Obj;
  } catch (error) {
    out.rejections.push({ code: "SCHEMA", reason: `$ref resolution failed: ${(error as Error).message}`, source: root });
    return out;
  }
  const title = isObject(resolved.info) && typeof resolved.info.title === "string" ? resolved.info.title : undefined;
  const paths = (isObject(resolved.paths) ? expandRefs(resolved.paths, resolved) : {}) as Obj;
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const at = ["paths", path, method];
      const source = { file: display, pointer: toPointer(at), ...(doc.lineOf(at) ? { line: doc.lineOf(at) as number } : {}) };
      const built = operationParameters(
        [...shared, ...(Array.isArray(operation.parameters) ? operation.parameters : [])],
        operation.requestBody,
      );
      const name =
        typeof operation.operationId === "string" && operation.operationId.trim() ? operation.operationId.trim() : `${method}_${path}`;
      if (built.problem) {
        out.rejections.push({ code: "SCHEMA", reason: built.problem, source, name });
        continue;
      }
      const description = [operation.summary, operation.description]
        .filter((t): t is string => typeof t === "string" && t.trim().length > 0)
        .join(". ");
      const returns = successSchema(operation.responses);
      const tag = Array.isArray(operation.tags) && typeof operation.tags[0] === "string" ? operation.tags[0] : undefined;
      const meta: Record<string, JsonValue> = { method: method.toUpperCase(), path };
      if (title) meta.api = title;
      out.candidates.push({
        name,
        description,
        parameters: built.schema,
        ...(returns !== undefined ? { returns } : {}),
        ...(tag ? { category: tag } : {}),
        meta,
        format: "openapi",
        source,
      });
    }
  }
  return out;
}

/** Path, query, header and cookie parameters plus the JSON body, as one object schema. */
function operationParameters(
  parameters: unknown[],
  requestBody: unknown,
): { schema: Obj; problem?: undefined } | { problem: string; schema?: undefined } {
  const properties: Obj = {};
  const required: string[] = [];
  // Operation-level parameters override path-level ones with the same name and location.
  const byKey = new Map<string, Obj>();
  for (const parameter of parameters) {
    if (!isObject(parameter)) return { problem: "a parameter is not an object" };
    if (typeof parameter.name !== "string" || typeof parameter.in !== "string")
      return { problem: "a parameter has no name or no location (`in`)" };
    byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  for (const parameter of byKey.values()) {
    const name = parameter.name as string;
    const key = properties[name] === undefined ? name : `${name}_${parameter.in as string}`;
    const schema: Obj = isObject(parameter.schema) ? { ...parameter.schema } : (contentSchema(parameter.content) ?? {});
    if (typeof parameter.description === "string" && schema.description === undefined) schema.description = parameter.description;
    properties[key] = schema;
    if (parameter.required === true || parameter.in === "path") required.push(key);
  }
  if (isObject(requestBody)) {
    const body = contentSchema(requestBody.content);
    if (body && isObject(body.properties) && (body.type === undefined || body.type === "object")) {
      const bodyRequired = new Set(Array.isArray(body.required) ? body.required : []);
      for (const [name, schema] of Object.entries(body.properties)) {
        const key = properties[name] === undefined ? name : `body_${name}`;
        properties[key] = schema;
        if (bodyRequired.has(name)) required.push(key);
      }
    } else if (body) {
      properties.body =
        typeof requestBody.description === "string" && body.description === undefined
          ? { ...body, description: requestBody.description }
          : body;
      if (requestBody.required === true) required.push("body");
    }
  }
  return { schema: { type: "object", properties, ...(required.length > 0 ? { required } : {}) } };
}

/** The schema of JSON content (or of the first content type that has one). */
function contentSchema(content: unknown): Obj | undefined {
  if (!isObject(content)) return undefined;
  const json = Object.entries(content).find(([type]) => /json/i.test(type)) ?? Object.entries(content)[0];
  const media = json?.[1];
  return isObject(media) && isObject(media.schema) ? media.schema : undefined;
}

function successSchema(responses: unknown): unknown {
  if (!isObject(responses)) return undefined;
  for (const status of ["200", "201", "202", "2XX", "2xx", "default"]) {
    const response = responses[status];
    if (isObject(response)) {
      const schema = contentSchema(response.content);
      if (schema) return schema;
    }
  }
  return undefined;
}

/**
 * A tool schema must stand alone: expand the in-document `$ref`s that dereferencing left in place
 * (it leaves recursive schemas alone), inlining each schema once along a path. Only a real recursion
 * (a schema inside itself) becomes an unconstrained schema that says so.
 */
function expandRefs(value: unknown, root: Obj): unknown {
  const walk = (node: unknown, stack: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, stack));
    if (!isObject(node)) return node;
    if (typeof node.$ref === "string") {
      const target = node.$ref.startsWith("#") ? resolvePointer(root, node.$ref.slice(1)) : undefined;
      if (target === undefined || stack.includes(node.$ref)) return { description: `recursive schema (${node.$ref})` };
      return walk(target, [...stack, node.$ref]);
    }
    const copy: Obj = {};
    for (const [key, child] of Object.entries(node)) copy[key] = walk(child, stack);
    return copy;
  };
  return walk(value, []);
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Obj)[key];
  }
  return node;
}
