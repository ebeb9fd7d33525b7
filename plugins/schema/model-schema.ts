// The schema written by a model (ScaleEnv): the tools go in, a database and the role of every
// parameter come out, checked against the same zod schema and consistency rules as the offline one.

import { z } from "zod";
import {
  type DomainSchema,
  domainSchemaSchema,
  operationKinds,
  parameterRoles,
  schemaProblems,
  toolModelSchema,
} from "../../lib/contracts/domain-schema.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import { askForJson } from "../../lib/llm/structured.ts";
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

/** What the model answers: the tables, and every tool's model (its summary may be left out). */
const modelAnswerSchema = z.object({
  tables: domainSchemaSchema.shape.tables,
  tools: z.array(toolModelSchema.extend({ summary: z.string().default("") })).min(1),
});

/** Ask the model for a domain's schema; the reason when it gave nothing usable. */
export async function modelSchema(
  llm: LlmService,
  domain: string,
  tools: readonly ToolSpec[],
  rounds: number,
  signal: AbortSignal,
  /** The clock and, for a service given a policy, its policy (lib/service-context), as every role is told. */
  context?: string,
): Promise<{ ok: true; schema: DomainSchema } | { ok: false; reason: string }> {
  const listing = tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    ...(tool.returns ? { returns: tool.returns } : {}),
  }));
  const names = tools.map((t) => t.name);
  const specs = new Map(tools.map((t) => [t.name, t]));
  const result = await askForJson(
    llm,
    {
      purpose: `schema:${domain}`,
      messages: [
        { role: "system", content: INSTRUCTIONS },
        { role: "user", content: `${context ? `${context}\n\n` : ""}Domain "${domain}". Tools:\n${JSON.stringify(listing, null, 1)}` },
      ],
      temperature: 0,
    },
    { name: "domain_schema", schema: modelAnswerSchema },
    (answer) => {
      const candidate: DomainSchema = { domain, source: "model", tables: answer.tables, tools: answer.tools };
      const problems = schemaProblems(candidate, names);
      // Every parameter of every tool must have a role.
      for (const tool of candidate.tools) {
        for (const parameter of Object.keys((specs.get(tool.tool)?.parameters.properties ?? {}) as object)) {
          if (!tool.parameters.some((p) => p.name === parameter)) problems.push(`tool ${tool.tool}: parameter ${parameter} has no role`);
        }
      }
      if (problems.length > 0) return { ok: false, error: `the schema is inconsistent: ${problems.slice(0, 8).join("; ")}` };
      return { ok: true, value: candidate };
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
