// Tools for a theme, proposed by a model (ScaleEnv's synthesis from scratch): names, parameters as
// JSON Schema, pre- and postconditions. Answers are checked (shape, names, schemas that compile)
// and fed back; what stays unusable is rejected with the reason.
import { z } from "zod";
import { createSchemaCompiler, type ToolCandidate } from "../../lib/contracts/tool-candidates.ts";
import { TOOL_NAME } from "../../lib/contracts/tool-spec.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import { askForJson } from "../../lib/llm/structured.ts";

const proposedSchema = z.object({
  tools: z
    .array(
      z.object({
        name: z.string(),
        description: z.string().min(1),
        parameters: z.record(z.string(), z.unknown()),
        preconditions: z.array(z.string()).default([]),
        postconditions: z.array(z.string()).default([]),
      }),
    )
    .min(2),
});

const INSTRUCTIONS = `You design the API tools of one application domain, for training tool-using agents.
Answer with JSON {"tools": [{"name": "snake_case_name", "description": "...", "parameters": <JSON Schema of type object>,
"preconditions": ["what must hold before the call"], "postconditions": ["what holds after it"]}]}.
Give 6 to 12 tools: reads (get, list, search) and writes (create, update, cancel…) over the same records,
with ids that connect them (a tool that creates an order returns its order_id; others take order_id).`;

export async function proposeTools(
  llm: LlmService,
  theme: string,
  rounds: number,
  signal: AbortSignal,
): Promise<{ ok: true; candidates: ToolCandidate[] } | { ok: false; reason: string }> {
  const compile = createSchemaCompiler();
  const result = await askForJson(
    llm,
    {
      purpose: `propose-tools:${theme}`,
      messages: [
        { role: "system", content: INSTRUCTIONS },
        { role: "user", content: `Domain: ${theme}` },
      ],
      temperature: 0.4,
    },
    { name: "tools", schema: proposedSchema },
    (proposed) => {
      const problems: string[] = [];
      const names = new Set<string>();
      for (const tool of proposed.tools) {
        if (!TOOL_NAME.test(tool.name)) problems.push(`tool name ${JSON.stringify(tool.name)} must match ${TOOL_NAME}`);
        if (names.has(tool.name)) problems.push(`two tools are named ${tool.name}`);
        names.add(tool.name);
        if (tool.parameters.type !== "object") problems.push(`${tool.name}: parameters must be a JSON Schema of type object`);
        const error = compile(tool.parameters);
        if (error) problems.push(`${tool.name}: parameters do not compile as JSON Schema: ${error}`);
      }
      return problems.length > 0 ? { ok: false, error: problems.slice(0, 6).join("; ") } : { ok: true, value: proposed.tools };
    },
    rounds,
    signal,
  );
  if (!result.ok) return { ok: false, reason: result.reason };
  const slug = theme.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return {
    ok: true,
    candidates: result.value.map((tool, i) => ({
      name: tool.name,
      description: [
        tool.description.trim(),
        tool.preconditions.length > 0 ? `Preconditions: ${tool.preconditions.join("; ")}.` : "",
        tool.postconditions.length > 0 ? `Postconditions: ${tool.postconditions.join("; ")}.` : "",
      ]
        .filter(Boolean)
        .join(" "),
      parameters: tool.parameters,
      format: "function",
      category: slug,
      meta: { theme, preconditions: tool.preconditions, postconditions: tool.postconditions },
      source: { file: `theme:${slug}`, pointer: `/tools/${i}` },
    })),
  };
}
