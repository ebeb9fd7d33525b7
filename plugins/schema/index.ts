// Stage `schema`: each domain's database, reverse-engineered from its tools (ScaleEnv), and every
// tool classified read or write with the tables it touches. Offline by rule (infer.ts); with a
// model, written by it and checked, falling back to the rules when its answers stay unusable.
import { z } from "zod";
import { defineStage } from "../../kernel/stage.ts";
import { type DomainSchema, domainSchemaSchema } from "../../lib/contracts/domain-schema.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { DEFAULT_CLOCK, serviceContext } from "../../lib/service-context/context.ts";
import { clockOf } from "../../lib/service-tools/clock.ts";
import { inferDomainSchema } from "./infer.ts";
import { modelSchema } from "./model-schema.ts";
import { inferServiceSchema } from "./service-schema.ts";

export type Schemas = Record<string, DomainSchema>;

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    schemas: Schemas;
  }
}

export const schemasSchema = z.record(z.string(), domainSchemaSchema);

export default defineStage({
  name: "schema",
  description: "infer each domain's database (tables, keys, foreign keys) and classify every tool read or write",
  version: "1",
  consumes: ["catalog", "domains", "packs"],
  produces: ["schemas"],
  options: z.object({}),
  uses: ["llm"],
  artifacts: {
    schemas: {
      schema: schemasSchema,
      format: "files",
      path: "envs/{key}/schema.json",
      description: "per domain: tables (fields, types, keys, foreign keys, statuses) and what each tool reads and writes",
    },
  },
  summary: ({ schemas }) => {
    const all = Object.values(schemas);
    const tools = all.flatMap((schema) => schema.tools);
    const byModel = all.filter((schema) => schema.source === "model").length;
    return [
      `schemas: ${all.reduce((sum, schema) => sum + schema.tables.length, 0)} tables; ${tools.filter((t) => t.access === "read").length} read and ${tools.filter((t) => t.access === "write").length} write tools${byModel > 0 ? `; ${byModel} of ${all.length} written by the model` : ""}`,
    ];
  },
  async run(ctx, { catalog, domains, packs }) {
    const byName = new Map(catalog.map((tool) => [tool.name, tool]));
    const packOf = new Map(packs.filter((pack) => pack.data).map((pack) => [pack.name, pack]));
    const llm = ctx.services.has("llm") ? await ctx.services.get("llm") : null;
    const schemas = await ctx.mapItems(
      domains.domains,
      (domain) => domain.name,
      async (domain, item) => {
        const tools = domain.tools.map((name) => byName.get(name)).filter((tool): tool is ToolSpec => Boolean(tool));
        // A service's own data is its schema: the tables are read off it (its rules are the next stage's).
        const pack = packOf.get(domain.name);
        if (pack?.data) return inferServiceSchema(domain.name, tools, pack.data, pack);
        const rules = inferDomainSchema(domain.name, tools);
        if (llm?.kind !== "model") return rules;
        // A pack with a policy and no data: the model is told the policy and the clock it sets.
        const policy = packs.find((p) => p.name === domain.name)?.policy;
        const context = serviceContext({ clock: (policy && clockOf(policy)) || DEFAULT_CLOCK, ...(policy ? { policy } : {}) });
        const written = await modelSchema(llm, domain.name, tools, llm.settings.repairRounds, item.signal, context);
        if (written.ok) return written.schema;
        item.logger.warn({ domain: domain.name, reason: written.reason }, "the model's schema was unusable; using the inferred one");
        return { ...rules, modelRejected: written.reason };
      },
      { label: "schemas" },
    );
    const out: Schemas = {};
    domains.domains.forEach((domain, i) => {
      // One domain whose schema breaks the contract (a defect of inference on an odd catalog) is
      // left out with the reason; the other domains' environments are still built.
      const checked = domainSchemaSchema.safeParse(schemas[i]);
      if (checked.success) out[domain.name] = schemas[i] as DomainSchema;
      else {
        const issue = checked.error.issues[0];
        ctx.logger.warn(
          { domain: domain.name, path: issue?.path.join("."), problem: issue?.message },
          `domain ${domain.name} left out: its schema is invalid at ${issue?.path.join(".")}: ${issue?.message}`,
        );
      }
    });
    const tables = Object.values(out).reduce((sum, schema) => sum + schema.tables.length, 0);
    const writes = Object.values(out).reduce((sum, schema) => sum + schema.tools.filter((t) => t.access === "write").length, 0);
    ctx.logger.info(
      { domains: domains.domains.length, tables, writes },
      `${tables} tables for ${domains.domains.length} domains; ${writes} write tools`,
    );
    return { schemas: out };
  },
});
