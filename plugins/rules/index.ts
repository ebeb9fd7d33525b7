// Stage `rules`: what each tool of a service requires and changes, derived from everything the
// input says (its name, description and parameters, the policy, the data's own examples, the tables
// read off the data), each rule with its source; and the clock the service's texts set. Between
// `schema` and `codegen`: codegen writes the code from these rules, verify checks them. Replace this
// stage (a plugin with `replaces: ["rules"]`) to derive rules another way; the artifact is the contract.
import { z } from "zod";
import { defineStage } from "../../kernel/stage.ts";
import { type DomainRules, domainRulesSchema } from "../../lib/contracts/domain-rules.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { renderRules } from "../../lib/rules-file/render.ts";
import { deriveRules } from "./derive.ts";
import { modelSettled } from "./model-rules.ts";
import { entitiesOf, withUserRules } from "./user-rules.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    rules: Record<string, DomainRules>;
    "rules-text": Record<string, string>;
  }
}

export default defineStage({
  name: "rules",
  description: "derive each service tool's requirements and effects from its name, description, policy, data and schema",
  version: "1",
  consumes: ["catalog", "schemas", "packs"],
  produces: ["rules", "rules-text"],
  options: z.object({}),
  uses: ["llm"],
  artifacts: {
    rules: {
      schema: z.record(z.string(), domainRulesSchema),
      format: "files",
      path: "envs/{key}/rules.json",
      description: "per service domain: each tool's rules (requires, effects, what it answers) with their sources, and the clock",
    },
    "rules-text": {
      schema: z.record(z.string(), z.string()),
      format: "files",
      path: "envs/{key}/rules.md",
      description: "per service domain: the same rules in plain sentences, numbered as a rules file names them",
    },
  },
  summary: ({ rules }) => {
    const all = Object.values(rules).flatMap((r) => r.tools);
    const count = (kind: "requires" | "effects") => all.reduce((n, t) => n + t.service[kind].length, 0);
    return all.length === 0
      ? []
      : [`rules: ${count("requires")} requirements and ${count("effects")} effects over ${all.length} service tools`];
  },
  async run(ctx, { catalog, schemas, packs }) {
    const llm = ctx.services.has("llm") ? await ctx.services.get("llm") : null;
    const specs = new Map(catalog.map((tool) => [tool.name, tool]));
    const packOf = new Map(packs.filter((pack) => pack.data).map((pack) => [pack.name, pack]));
    const out: Record<string, DomainRules> = {};
    const text: Record<string, string> = {};
    for (const [domain, schema] of Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) {
      const pack = packOf.get(domain);
      if (schema.source !== "data" || !pack?.data) continue;
      const tools = schema.tools.map((t) => specs.get(t.tool)).filter((spec): spec is ToolSpec => Boolean(spec));
      const draft = deriveRules(domain, tools, schema.tables, pack.data, pack.policy ?? null);
      // With a model, the derived rules are a draft it corrects; a person's rules file comes last.
      const settled = llm?.kind === "model" ? await modelSettled(llm, draft, tools, pack, schema, ctx.logger, ctx.signal) : draft;
      out[domain] = withUserRules(settled, pack, schema);
      text[domain] = renderRules(out[domain], entitiesOf(schema));
      const derived = out[domain].tools;
      for (const p of out[domain].problems ?? [])
        ctx.logger.warn({ domain, tool: p.tool, problem: p.problem }, `${domain}: no rules derived for ${p.tool}: ${p.problem}`);
      ctx.logger.info(
        { domain, tools: derived.length, writes: derived.filter((t) => t.access === "write").length, clock: out[domain].clock ?? null },
        `${domain}: rules for ${derived.length} tools`,
      );
    }
    return { rules: out, "rules-text": text };
  },
});
