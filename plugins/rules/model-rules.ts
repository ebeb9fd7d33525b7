// With a model, the rules derived offline are a draft the model corrects, not orders it obeys: one
// structured request (one zod schema, through askUntilValid) shows it the draft, numbered as
// `envscale rules` prints it, with the tools, the clock, the policy and whole records of every
// collection; it answers per tool keep or correct (remove, replace or add rules, in the same rule
// language as a rules file), and writes a function only where the language cannot say what a tool
// does. Its corrections are checked as a person's rules file is and applied with source `model`;
// an answer that does not check is shown back with what is wrong. Cases are then made from the
// rules it settled on.

import type { Logger } from "pino";
import { z } from "zod";
import { EnvscaleError } from "../../kernel/errors.ts";
import type { DomainPack } from "../../lib/contracts/domain-pack.ts";
import type { DomainRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import { checkRulesFile } from "../../lib/contracts/rules-file.ts";
import { conditionSchema, effectSchema, requirementSchema } from "../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import { askForJson } from "../../lib/llm/structured.ts";
import { applyCorrections } from "../../lib/rules-file/apply.ts";
import { renderRules } from "../../lib/rules-file/render.ts";
import { DEFAULT_CLOCK, serviceContext } from "../../lib/service-context/context.ts";
import { functionNames } from "../../lib/tool-code/templates.ts";
import { entitiesOf } from "./user-rules.ts";

const entry = <S extends z.ZodType>(rule: S) =>
  z.object({
    rule,
    text: z.string().describe("the rule in words, and the words of the description or policy it comes from"),
    when: z.array(conditionSchema).optional(),
  });

/** The model's answer: per tool, keep the draft or correct it. */
export const ruleCorrectionsSchema = z.object({
  tools: z.array(
    z.object({
      tool: z.string(),
      verdict: z.enum(["keep", "correct"]),
      /** Draft rules that are wrong, by number (`requires.2`). */
      remove: z.array(z.string()).default([]),
      /** Draft rules replaced, by number, with what is right. */
      replace: z
        .array(
          z.object({
            rule: z.string().describe("requires.N or effects.N"),
            with: z.union([entry(requirementSchema), entry(effectSchema)]),
          }),
        )
        .default([]),
      /** Rules the draft misses. */
      add: z
        .object({ requires: z.array(entry(requirementSchema)).default([]), effects: z.array(entry(effectSchema)).default([]) })
        .default({
          requires: [],
          effects: [],
        }),
      /** Only where the rule language cannot say what the tool does: its whole function, `export function <name>(db, args) {…}`. */
      function: z.string().optional(),
      why: z.string().optional(),
    }),
  ),
});
export type RuleCorrections = z.infer<typeof ruleCorrectionsSchema>;

const INSTRUCTIONS = `You check the rules of a service's tools. They were derived offline, by patterns, from the tools' names, descriptions, the policy and the data: they are a DRAFT and may be wrong (a requirement that contradicts a tool's description, a status written in the wrong case, an owner check taken as a reassignment, a cap of the policy missed).
The tool code and its test cases are written from the rules you settle on, so correct every rule that contradicts a tool's description, the policy or the data; keep the ones that are right.
Answer with one JSON object {"tools": [{"tool", "verdict": "keep" | "correct", "remove": ["requires.2"], "replace": [{"rule": "effects.1", "with": {"rule": {...}, "text": "..."}}], "add": {"requires": [...], "effects": [...]}, "function"?, "why"?}]}, one entry per tool.
Write rules in the same rule language as the draft's JSON (its "kind"s and places). Write "function" (the tool's whole \`export function <name>(db, args) { … }\`) only where that language cannot say what the tool does.`;

/** The draft as the model sees it: the rules in sentences, numbered, and each tool's rules as JSON. */
function draftText(
  rules: DomainRules,
  entities: ReadonlyMap<string, string>,
  specs: readonly ToolSpec[],
  names: ReadonlyMap<string, string>,
): string {
  const tools = rules.tools.map((t) => {
    const spec = specs.find((s) => s.name === t.tool);
    return {
      tool: t.tool,
      function: names.get(t.tool) ?? t.tool,
      description: spec?.description ?? "",
      parameters: spec?.parameters ?? {},
      rules: { requires: t.service.requires, effects: t.service.effects },
    };
  });
  return `The draft, in sentences:\n${renderRules(rules, entities)}\nThe tools and their draft rules, in the rule language:\n${JSON.stringify(tools, null, 1)}`;
}

/** The corrected rules and the functions the model wrote, or the reason its answer was not used. */
export async function correctRules(
  llm: LlmService,
  input: {
    rules: DomainRules;
    entities: ReadonlyMap<string, string>;
    specs: readonly ToolSpec[];
    names: ReadonlyMap<string, string>;
    context: string;
  },
  rounds: number,
  signal?: AbortSignal,
): Promise<{ ok: true; rules: DomainRules; functions: Record<string, string>; corrected: string[] } | { ok: false; reason: string }> {
  const tools = input.rules.tools.map((t) => t.tool);
  const answer = await askForJson(
    llm,
    {
      purpose: `rules:${input.rules.domain}`,
      messages: [
        { role: "system", content: INSTRUCTIONS },
        { role: "user", content: `${input.context}\n\n${draftText(input.rules, input.entities, input.specs, input.names)}` },
      ],
      temperature: 0,
    },
    { name: "rule_corrections", schema: ruleCorrectionsSchema },
    (value) => {
      const file = {
        tools: Object.fromEntries(
          value.tools
            .filter((t) => t.verdict === "correct")
            .map((t) => [
              t.tool,
              {
                ...(t.remove.length ? { remove: t.remove } : {}),
                ...(t.replace.length ? { replace: Object.fromEntries(t.replace.map((r) => [r.rule, r.with])) } : {}),
                ...(t.add.requires.length || t.add.effects.length ? { add: t.add } : {}),
              },
            ]),
        ),
      };
      const functions: Record<string, string> = {};
      for (const t of value.tools) {
        if (!t.function) continue;
        const name = input.names.get(t.tool) ?? t.tool;
        if (!tools.includes(t.tool)) return { ok: false, error: `tool ${t.tool}: no such tool` };
        if (!new RegExp(`export\\s+function\\s+${name}\\s*\\(`).test(t.function))
          return { ok: false, error: `tool ${t.tool}: its function must be \`export function ${name}(db, args) { … }\`` };
        functions[t.tool] = t.function;
      }
      try {
        const parameters = new Map(input.specs.map((spec) => [spec.name, Object.keys(spec.parameters.properties ?? {})] as const));
        const checked = checkRulesFile(file, "the corrections", tools, parameters);
        const rules = applyCorrections(input.rules, checked, "model", "the corrections", input.entities);
        return { ok: true, value: { rules, functions, corrected: Object.keys(file.tools).sort() } };
      } catch (error) {
        if (error instanceof EnvscaleError) return { ok: false, error: error.message };
        throw error;
      }
    },
    rounds,
    signal,
  );
  return answer.ok ? { ok: true, ...answer.value } : { ok: false, reason: answer.reason };
}

/** A domain's rules as the model settles them over the derived draft; the draft, with why, when its answer is unusable. */
export async function modelSettled(
  llm: LlmService & { readonly settings: { repairRounds: number } },
  derived: DomainRules,
  specs: readonly ToolSpec[],
  pack: DomainPack,
  schema: DomainSchema,
  logger: Logger,
  signal?: AbortSignal,
): Promise<DomainRules> {
  const names = functionNames(derived.tools.map((t) => t.tool));
  const context = serviceContext({
    clock: derived.clock ?? DEFAULT_CLOCK,
    ...(pack.policy ? { policy: pack.policy } : {}),
    ...(pack.data ? { data: pack.data } : {}),
  });
  const result = await correctRules(
    llm,
    { rules: derived, entities: entitiesOf(schema), specs, names, context },
    llm.settings.repairRounds,
    signal,
  );
  if (!result.ok) {
    logger.warn(
      { domain: derived.domain, reason: result.reason },
      `${derived.domain}: the model's rule corrections were unusable; keeping the draft`,
    );
    return { ...derived, modelRejected: result.reason };
  }
  logger.info(
    { domain: derived.domain, corrected: result.corrected },
    `${derived.domain}: the model corrected the rules of ${result.corrected.length} tools`,
  );
  return {
    ...result.rules,
    ...(result.corrected.length > 0 ? { modelCorrected: result.corrected } : {}),
    ...(Object.keys(result.functions).length > 0 ? { functions: result.functions } : {}),
  };
}
