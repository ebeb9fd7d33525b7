// What each tool of a service does to its data (artifact `rules`, envs/<domain>/rules.json): its
// model as its rules make it (read or write, the tables it reads and writes) and the rules
// themselves (`service`: the record it acts on, what it requires, what it changes, what it answers,
// each rule with where it came from). The `rules` stage derives them between `schema` and
// `codegen`; codegen writes the code from them, verify checks them, tasks chain them. Only domains
// built on a service's data have rules; the others' tools are modelled by operation kind alone.
import { z } from "zod";
import { type DomainSchema, toolModelSchema } from "./domain-schema.ts";
import { serviceModelSchema } from "./tool-rules.ts";

export const ruledToolSchema = toolModelSchema.extend({ service: serviceModelSchema });
export type RuledTool = z.infer<typeof ruledToolSchema>;

export const domainRulesSchema = z.object({
  domain: z.string(),
  /** The task clock the service keeps (the policy's "today"), when its texts say; ISO 8601. */
  clock: z.string().optional(),
  tools: z.array(ruledToolSchema),
  /** Tools whose rules could not be derived (a defect of derivation), each with the problem: they keep their subject alone. */
  problems: z.array(z.object({ tool: z.string(), problem: z.string() })).optional(),
  /** With a model: the tools whose draft rules it corrected (their corrected rules have source `model`). */
  modelCorrected: z.array(z.string()).optional(),
  /** With a model: a tool's whole function, where the rule language cannot say what it does (codegen uses it). */
  functions: z.record(z.string(), z.string()).optional(),
  /** With a model: why its corrections were not used (the draft was kept). */
  modelRejected: z.string().optional(),
});
export type DomainRules = z.infer<typeof domainRulesSchema>;

/** The schema with each ruled tool's model replaced by the one its rules make (the schema alone, without rules). */
export function applyRules(schema: DomainSchema, rules: DomainRules | undefined): DomainSchema {
  if (!rules) return schema;
  const ruled = new Map(rules.tools.map((t) => [t.tool, t]));
  return { ...schema, tools: schema.tools.map((t) => ruled.get(t.tool) ?? t) };
}

/** Every domain's schema with its rules applied. */
export function applyAllRules(
  schemas: Readonly<Record<string, DomainSchema>>,
  rules: Readonly<Record<string, DomainRules>>,
): Record<string, DomainSchema> {
  return Object.fromEntries(Object.entries(schemas).map(([domain, schema]) => [domain, applyRules(schema, rules[domain])]));
}
