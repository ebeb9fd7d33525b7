// Offline code generation: one TypeScript function per tool, from a template per operation kind.
//
// Tables are objects keyed by their key field. Every template refuses bad calls with `fail`/`ensure`
// (unknown ids, broken preconditions): those are anticipated rejections, never crashes.

import type { DomainSchema, Field, Table, ToolModel } from "../contracts/domain-schema.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";
import { q } from "./code-text.ts";
import { body } from "./operation-bodies.ts";
import { serviceBody } from "./service-bodies.ts";
import { HELPERS } from "./template-helpers.ts";

const typeName = (table: Table) =>
  table.entity
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join("")
    .replace(/^[0-9]/, "T$&")
    // `Row`: a record type must not be named like a global (`Function`, `Date`, `Map`).
    .concat("Row");

function tsType(field: Pick<Field, "type" | "enum">): string {
  if (field.enum) return field.enum.map((v) => q(v)).join(" | ");
  switch (field.type) {
    case "integer":
    case "number":
      return "number";
    case "object":
      return "Record<string, unknown>";
    case "array":
      return "unknown[]";
    default:
      return field.type;
  }
}

interface Emitted {
  code: string;
  helpers: Set<string>;
}

function argsType(spec: ToolSpec | undefined): string {
  const properties = (spec?.parameters.properties ?? {}) as Record<string, { type?: unknown; enum?: unknown[] }>;
  const required = new Set((spec?.parameters.required as string[] | undefined) ?? []);
  const entries = Object.entries(properties).map(([name, schema]) => {
    const type = Array.isArray(schema.enum)
      ? schema.enum.map((v) => q(v)).join(" | ")
      : tsType({
          type: (["string", "number", "integer", "boolean", "object", "array"].includes(String(schema.type))
            ? schema.type
            : "string") as Field["type"],
        });
    return `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : q(name)}${required.has(name) ? "" : "?"}: ${type}`;
  });
  return `{ ${entries.join("; ")} }`;
}

/**
 * JavaScript names of tools: catalog names may hold `-` or start with a digit, sandbox tools are
 * identifiers (`get-order` → get_order, `3d_print` → _3d_print; clashes get a suffix).
 */
export function functionNames(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of names) {
    let base = name.replace(/[^A-Za-z0-9_$]/g, "_");
    if (!/^[A-Za-z_$]/.test(base)) base = `_${base}`;
    let candidate = base;
    for (let i = 2; taken.has(candidate); i++) candidate = `${base}_${i}`;
    taken.add(candidate);
    out.set(name, candidate);
  }
  return out;
}

/** One tool's function, with its doc comment and what it does to the database. */
export function toolFunction(model: ToolModel, schema: DomainSchema, spec: ToolSpec | undefined, functionName: string): Emitted {
  const helpers = new Set<string>();
  const lines = model.service ? serviceBody(model, schema, helpers) : body(model, schema, spec, helpers);
  const description = (spec?.description ?? "").replace(/\*\//g, "*\\/").replace(/\s+/g, " ").trim();
  const code = [
    "/**",
    ...(description ? [` * ${description}`, " *"] : []),
    ` * ${model.access}: ${model.summary.replace(/\*\//g, "*\\/")}`,
    " */",
    `export function ${functionName}(db: Db, args: ${argsType(spec)}) {`,
    ...lines.map((line) => `  ${line}`),
    "}",
  ].join("\n");
  return { code, helpers };
}

/** The record types and the database type of a domain (a data pack's nested values typed loosely: their shape is the data's). */
export function databaseTypes(schema: DomainSchema): string {
  const loose = schema.source === "data";
  const parts = schema.tables.map((table) => {
    const fields = table.fields.map(
      (f) =>
        `  ${/^[A-Za-z_$][\w$]*$/.test(f.name) ? f.name : q(f.name)}${loose && f.nullable ? "?" : ""}: ${loose && (f.type === "object" || f.type === "array") ? "any" : tsType(f)}${f.nullable ? " | null" : ""};`,
    );
    return `interface ${typeName(table)} {\n${fields.join("\n")}\n}`;
  });
  const db = schema.tables.map((t) => `  ${t.name}: Record<string, ${typeName(t)}>;`);
  return `${parts.join("\n\n")}\n\ninterface Db {\n${db.join("\n")}\n}`;
}

/** The runtime helpers a body uses. */
function runtimeImports(code: string): string[] {
  return ["ensure", "fail", "newId", "now", "requireRecord", "today"].filter((name) => new RegExp(`\\b${name}\\(`).test(code));
}

/** A whole tool module for a domain: imports, types, helpers, one function per tool. */
export function assembleModule(
  schema: DomainSchema,
  functions: readonly { tool: string; code: string; helpers?: Iterable<string> }[],
  header: string,
): string {
  const helpers = new Set<string>();
  for (const f of functions) for (const h of f.helpers ?? []) helpers.add(h);
  const tools = functions.map((f) => f.code).join("\n\n");
  const helperCode = [...helpers]
    .sort()
    .map((h) => HELPERS[h])
    .filter(Boolean)
    .join("\n\n");
  const imports = runtimeImports(`${tools}\n${helperCode}`);
  return [
    `// ${header}`,
    imports.length > 0 ? `import { ${imports.join(", ")} } from "envscale/runtime";` : "",
    "",
    databaseTypes(schema),
    ...(helperCode ? ["", helperCode] : []),
    "",
    tools,
    "",
  ].join("\n");
}

/** The whole module, written by templates. */
export function templateModule(schema: DomainSchema, specs: ReadonlyMap<string, ToolSpec>): string {
  const names = functionNames(schema.tools.map((t) => t.tool));
  const functions = schema.tools.map((model) => ({
    tool: model.tool,
    ...toolFunction(model, schema, specs.get(model.tool), names.get(model.tool) as string),
  }));
  return assembleModule(
    schema,
    functions,
    `Tools of domain "${schema.domain}", written by envscale's offline templates (one per operation kind).`,
  );
}
