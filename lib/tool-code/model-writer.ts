// Tool code written by cooperating model roles (ScaleEnv): a writer writes the module, a reviewer
// checks it against the schema, a test writer proposes cases for procedural testing. Every answer
// is checked (the code must compile and pass the static checks) and fed back when it is not.
import { z } from "zod";
import type { Finding, ToolDeclaration } from "../../sandbox/index.ts";
import { modelTestSchema } from "../contracts/codegen-report.ts";
import type { DomainSchema } from "../contracts/domain-schema.ts";
import type { ToolSpec } from "../contracts/tool-spec.ts";
import type { LlmService } from "../llm/port.ts";
import { askForJson, askUntilValid, extractCode, extractJson } from "../llm/structured.ts";

/** Compiles a module against its declarations: the findings that block, or none. */
export type CompileCheck = (source: string) => Promise<Finding[]>;

const RUNTIME = `The module may import only from "envscale/runtime":
  fail(message) – refuse the call (the agent sees the message); ensure(condition, message) – fail unless it holds;
  requireRecord(table, id, what) – the record with this key in a keyed table, or fail("<what> <id> not found");
  newId(prefix) – a new id such as "ord_k3x9q2mz"; now() – the task clock (ISO 8601); today() – its date.
Rules: one named export per tool, \`export function <tool>(db, args) { … }\`, synchronous (no async, no timers, no I/O);
db maps table names to objects keyed by each record's key; change db in place to write; return JSON.
Refuse bad calls with fail/ensure (unknown ids, broken preconditions); never let a TypeError escape.`;

/**
 * What every role is told of the service besides its tools: the clock, the policy and a sample of
 * whole records of every collection (lib/service-context), the same text for every role.
 */
export type ServiceContextText = string;

function describeDomain(
  schema: DomainSchema,
  tools: readonly ToolSpec[],
  names: ReadonlyMap<string, string>,
  context?: ServiceContextText,
): string {
  const toolList = schema.tools.map((model) => {
    const spec = tools.find((t) => t.name === model.tool);
    return {
      function: names.get(model.tool),
      description: spec?.description ?? "",
      parameters: spec?.parameters ?? {},
      access: model.access,
      operation: model.operation,
      does: model.summary,
      // A service tool's rules, each with where it came from: the code must keep every one.
      ...(model.service ? { rules: [...model.service.requires, ...model.service.effects].map((r) => `${r.source}: ${r.text}`) } : {}),
    };
  });
  const parts = [`Database tables:\n${JSON.stringify(schema.tables, null, 1)}`, `Tools:\n${JSON.stringify(toolList, null, 1)}`];
  if (context) parts.push(context);
  return parts.join("\n\n");
}

const compileFeedback = (findings: readonly Finding[]) =>
  `it does not compile: ${findings
    .slice(0, 8)
    .map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`)
    .join("; ")}`;

/** The writer: the whole module, checked by compiling it. */
export async function writeModule(
  llm: LlmService,
  input: {
    schema: DomainSchema;
    tools: readonly ToolSpec[];
    names: ReadonlyMap<string, string>;
    feedback?: string;
    context?: ServiceContextText;
  },
  compile: CompileCheck,
  rounds: number,
  signal: AbortSignal,
) {
  return askUntilValid(
    llm,
    {
      purpose: `codegen-writer:${input.schema.domain}`,
      messages: [
        { role: "system", content: `You write TypeScript tool modules that implement API tools over an in-memory database.\n${RUNTIME}` },
        {
          role: "user",
          content: `${describeDomain(input.schema, input.tools, input.names, input.context)}\n\n${input.feedback ? `A reviewer found these problems in an earlier version; fix them:\n${input.feedback}\n\n` : ""}Write the module. Answer with the code in one \`\`\`ts block.`,
        },
      ],
      temperature: 0.2,
    },
    async (text) => {
      const code = extractCode(text);
      if (!code.includes("export function")) return { ok: false, error: "the answer holds no `export function`" };
      const findings = await compile(code);
      return findings.length > 0 ? { ok: false, error: compileFeedback(findings) } : { ok: true, value: code };
    },
    rounds,
    signal,
  );
}

const reviewSchema = z.object({
  approved: z.boolean(),
  problems: z.array(z.object({ tool: z.string(), problem: z.string() })).default([]),
});
export type Review = z.infer<typeof reviewSchema>;

/** The reviewer: does the code do what the schema says each tool does? */
export async function reviewModule(
  llm: LlmService,
  input: {
    schema: DomainSchema;
    tools: readonly ToolSpec[];
    names: ReadonlyMap<string, string>;
    code: string;
    context?: ServiceContextText;
  },
  rounds: number,
  signal: AbortSignal,
) {
  return askForJson(
    llm,
    {
      purpose: `codegen-reviewer:${input.schema.domain}`,
      messages: [
        {
          role: "system",
          content: `You review tool modules. ${RUNTIME}\nAnswer with JSON {"approved": true|false, "problems": [{"tool": "...", "problem": "..."}]}.`,
        },
        {
          role: "user",
          content: `${describeDomain(input.schema, input.tools, input.names, input.context)}\n\nModule:\n\`\`\`ts\n${input.code}\n\`\`\``,
        },
      ],
      temperature: 0,
    },
    { name: "review", schema: reviewSchema },
    null,
    rounds,
    signal,
  );
}

/** The test writer: cases against the sample state, each expected to succeed or to be refused. */
export async function writeTests(
  llm: LlmService,
  input: { schema: DomainSchema; tools: readonly ToolSpec[]; names: ReadonlyMap<string, string>; context: ServiceContextText },
  rounds: number,
  signal: AbortSignal,
) {
  const functions = new Set(input.names.values());
  return askForJson(
    llm,
    {
      purpose: `codegen-tests:${input.schema.domain}`,
      messages: [
        {
          role: "system",
          content:
            'You write test cases for API tools. Answer with JSON {"cases": [{"tool": "<function>", "arguments": {...}, "expect": "success" | "rejection", "note": "why"}]}: for each tool, calls that must succeed on the sample state and calls that must be refused.',
        },
        { role: "user", content: describeDomain(input.schema, input.tools, input.names, input.context) },
      ],
      temperature: 0.2,
    },
    { name: "tests", schema: z.object({ cases: z.array(modelTestSchema) }) },
    (answer) => {
      const unknown = answer.cases.filter((c) => !functions.has(c.tool)).map((c) => c.tool);
      if (unknown.length > 0) return { ok: false, error: `unknown tools: ${[...new Set(unknown)].join(", ")}` };
      return { ok: true, value: answer.cases };
    },
    rounds,
    signal,
  );
}

/** A case the model says is wrong, not the tool: it contradicts the tool's description or the policy. */
export const caseFaultSchema = z.object({ case: z.string().min(1), why: z.string().min(1) });
const caseFaultsSchema = z.object({ case_faults: z.array(caseFaultSchema).min(1) });
export type CaseFault = z.infer<typeof caseFaultSchema>;

/** What the repairer answers: a corrected function, or the cases that are wrong (the code is kept). */
export type RepairAnswer = { kind: "code"; code: string } | { kind: "case-faults"; faults: CaseFault[] };

/**
 * Repair one tool: its current function and how it failed go in; a new function comes out, or,
 * when the code is right and a case contradicts the tool's description or the policy, the faulty
 * cases with why (verification reports them as the case's fault and keeps the code).
 */
export async function rewriteTool(
  llm: LlmService,
  input: {
    schema: DomainSchema;
    tools: readonly ToolSpec[];
    names: ReadonlyMap<string, string>;
    functionName: string;
    current: string;
    failures: string;
    declaration: ToolDeclaration;
    context?: ServiceContextText;
    /** The ids of the failing cases the model may call faulty. */
    cases?: readonly string[];
  },
  check: (code: string) => Promise<{ ok: true; value: string } | { ok: false; error: string }>,
  rounds: number,
  signal: AbortSignal,
) {
  const disputable = new Set(input.cases ?? []);
  return askUntilValid<RepairAnswer>(
    llm,
    {
      purpose: `codegen-repair:${input.schema.domain}:${input.functionName}`,
      messages: [
        { role: "system", content: `You fix one tool of a TypeScript tool module.\n${RUNTIME}` },
        {
          role: "user",
          content: `${describeDomain(input.schema, input.tools, input.names, input.context)}\n\nThe tool \`${input.functionName}\` failed procedural testing:\n${input.failures}\n\nIts current code:\n\`\`\`ts\n${input.current}\n\`\`\`\nAnswer with the corrected \`export function ${input.functionName}(db, args) { … }\` alone, in one \`\`\`ts block.${disputable.size > 0 ? `\nThe cases were made from rules that may be wrong. If the code is right and a failing case is not (it contradicts the tool's description or the policy: it expects a call the policy forbids to succeed, or a refusal nothing asks for), do not change the code: answer instead with JSON {"case_faults": [{"case": "<case id: ${[...disputable].join(", ")}>", "why": "<the words of the description or policy it contradicts>"}]}.` : ""}`,
        },
      ],
      temperature: 0.2,
    },
    async (text): Promise<{ ok: true; value: RepairAnswer } | { ok: false; error: string }> => {
      const fenced = /```(?:ts|typescript|js|javascript)\s*\n/i.test(text) || text.includes("export function");
      if (!fenced && disputable.size > 0) {
        const json = extractJson(text);
        if (json.ok) {
          const parsed = caseFaultsSchema.safeParse(json.value);
          if (!parsed.success)
            return { ok: false, error: `the case_faults JSON does not have the required shape: ${parsed.error.issues[0]?.message}` };
          const unknown = parsed.data.case_faults.filter((f) => !disputable.has(f.case)).map((f) => f.case);
          if (unknown.length > 0)
            return { ok: false, error: `no failing case ${unknown.join(", ")}: the failing cases are ${[...disputable].join(", ")}` };
          return { ok: true, value: { kind: "case-faults", faults: parsed.data.case_faults } };
        }
      }
      const checked = await check(extractCode(text));
      return checked.ok ? { ok: true, value: { kind: "code", code: checked.value } } : checked;
    },
    rounds,
    signal,
  );
}
