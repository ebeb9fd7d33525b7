// The schema written by a model (ScaleEnv): the tools go in, a database and the role of every
// parameter come out, checked against the same zod schema and consistency rules as the offline one.

import { type DomainSchema, domainSchemaSchema, operationKinds, parameterRoles, schemaProblems } from "../../contracts/domain-schema.ts";
import type { ToolSpec } from "../../contracts/tool-spec.ts";
import type { LlmService } from "../../llm/port.ts";
import { askUntilValid, extractJson } from "../../llm/structured.ts";
import { summarize } from "./summary.ts";

const INSTRUCTIONS = `You design the database behind a set of API tools, so that every tool can be implemented as code over it.
Answer with one JSON object:
{"tables": [{"name": "orders", "entity": "order", "key": "order_id", "keyKind": "id" | "natural", "idPrefix": "ord",
   "status": {"field": "status", "initial": "pending", "values": ["pending", "cancelled"]} (only if records change state),
   "fields": [{"name": "order_id", "type": "string"}, {"name": "customer_id", "type": "string", "references": "customers"},
              {"name": "total", "type": "number", "minimum": 0}, {"name": "note", "type": "string", "nullable": true}]}],
 "tools": [{"tool": "<tool name>", "access": "read" | "write", "operation": one of ${operationKinds.join(", ")},
   "table": "<table it acts on>", "reads": [tables], "writes": [tables, empty for reads],
   "parameters": [{"name": "<parameter>", "role": one of ${parameterRoles.join(", ")}, "table": "<for key/reference/source/destination>", "field": "<field of the table>"}],
   "status": {"to": "cancelled", "refusedFrom": ["cancelled"]} (set-status only),
   "debits": [{"parameter": "quantity", "table": "products", "field": "stock"}] (optional),
   "summary": "one line on what it does to the database"}]}
Rules: table names plural snake_case; every table's key is one of its fields; every tool listed exactly once with every one of its parameters; a read tool writes nothing; a write tool writes its table.`;

/** Ask the model for a domain's schema; the reason when it gave nothing usable. */
export async function modelSchema(
  llm: LlmService,
  domain: string,
  tools: readonly ToolSpec[],
  rounds: number,
  signal: AbortSignal,
): Promise<{ ok: true; schema: DomainSchema } | { ok: false; reason: string }> {
  const listing = tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    ...(tool.returns ? { returns: tool.returns } : {}),
  }));
  const names = tools.map((t) => t.name);
  const specs = new Map(tools.map((t) => [t.name, t]));
  const result = await askUntilValid(
    llm,
    {
      purpose: `schema:${domain}`,
      messages: [
        { role: "system", content: INSTRUCTIONS },
        { role: "user", content: `Domain "${domain}". Tools:\n${JSON.stringify(listing, null, 1)}` },
      ],
      jsonSchema: {
        name: "domain_schema",
        schema: { type: "object", properties: { tables: { type: "array" }, tools: { type: "array" } }, required: ["tables", "tools"] },
      },
      temperature: 0,
    },
    (text) => {
      const parsed = extractJson(text);
      if (!parsed.ok) return parsed;
      const value = parsed.value as Record<string, unknown>;
      const modelled = Array.isArray(value?.tools)
        ? (value.tools as Record<string, unknown>[]).map((t) => ({ summary: "", ...t }))
        : value?.tools;
      const candidate = domainSchemaSchema.safeParse({ ...value, tools: modelled, domain, source: "model" });
      if (!candidate.success) {
        const issue = candidate.error.issues[0];
        return {
          ok: false,
          error: `the JSON does not have the required shape: at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
        };
      }
      const problems = schemaProblems(candidate.data, names);
      // Every parameter of every tool must have a role.
      for (const tool of candidate.data.tools) {
        for (const parameter of Object.keys((specs.get(tool.tool)?.parameters.properties ?? {}) as object)) {
          if (!tool.parameters.some((p) => p.name === parameter)) problems.push(`tool ${tool.tool}: parameter ${parameter} has no role`);
        }
      }
      if (problems.length > 0) return { ok: false, error: `the schema is inconsistent: ${problems.slice(0, 8).join("; ")}` };
      return { ok: true, value: candidate.data };
    },
    rounds,
    signal,
  );
  if (!result.ok) return { ok: false, reason: result.reason };
  const schema = result.value;
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  for (const tool of schema.tools)
    if (!tool.summary) tool.summary = summarize(tool, tables.get(tool.table) as DomainSchema["tables"][number]);
  return { ok: true, schema };
}
