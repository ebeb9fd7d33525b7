// Stage `codegen`: each domain's tool module (envs/<domain>/tools.ts) and its seeded initial state
// (envs/<domain>/sample-state.json). Offline: templates per operation kind. With a model: a writer,
// a reviewer and a test writer (ScaleEnv's cooperating agents), falling back to the templates when
// the writer's code never compiles.
import { z } from "zod";
import type { JsonObject } from "../../kernel/canonical-json.ts";
import { defineStage } from "../../kernel/stage.ts";
import type { CodegenReport } from "../../lib/contracts/codegen-report.ts";
import { codegenReportSchema, type ModelTest } from "../../lib/contracts/codegen-report.ts";
import { applyRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import { type DomainState, domainStateSchema } from "../../lib/contracts/domain-state.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { DEFAULT_CLOCK, serviceContext } from "../../lib/service-context/context.ts";
import { toolDeclarations } from "../../lib/tool-code/declarations.ts";
import { reviewModule, writeModule, writeTests } from "../../lib/tool-code/model-writer.ts";
import { replaceFunction } from "../../lib/tool-code/module-edit.ts";
import { functionNames, templateModule } from "../../lib/tool-code/templates.ts";
import { compileToolModule, ModuleLoadError } from "../../sandbox/index.ts";
import { generateState } from "./sample-state.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    "tool-modules": Record<string, string>;
    "sample-states": Record<string, DomainState>;
    "codegen-reports": Record<string, CodegenReport>;
  }
}

export const codegenOptions = z.object({
  /** Records per table in the sample state. */
  records: z.number().int().min(1).max(1000).default(6),
  /** The task clock of sample states and verification. */
  clock: z.iso.datetime().default(DEFAULT_CLOCK),
});

export default defineStage({
  name: "codegen",
  description: "write each domain's tool module (templates offline; writer, reviewer and test writer with a model) and its seeded state",
  version: "1",
  consumes: ["catalog", "schemas", "rules", "packs"],
  produces: ["tool-modules", "sample-states", "codegen-reports"],
  options: codegenOptions,
  uses: ["llm", "sandbox"],
  artifacts: {
    "tool-modules": {
      schema: z.record(z.string(), z.string()),
      format: "files",
      path: "envs/{key}/tools.ts",
      description: "the tool module of each domain (TypeScript, envscale/runtime)",
    },
    "sample-states": {
      schema: z.record(z.string(), domainStateSchema),
      format: "files",
      path: "envs/{key}/sample-state.json",
      description: "a seeded initial database per domain, referential integrity kept",
    },
    "codegen-reports": {
      schema: z.record(z.string(), codegenReportSchema),
      format: "files",
      path: "envs/{key}/codegen.json",
      description: "who wrote the code, review, model-written tests",
    },
  },
  async run(ctx, { catalog, schemas, rules, packs }) {
    const packData = new Map(packs.flatMap((pack) => (pack.data ? [[pack.name, pack.data] as const] : [])));
    const packPolicy = new Map(packs.flatMap((pack) => (pack.policy ? [[pack.name, pack.policy] as const] : [])));
    const specs = new Map(catalog.map((tool) => [tool.name, tool]));
    const llm = ctx.services.has("llm") ? await ctx.services.get("llm") : null;
    const domains = Object.keys(schemas).sort();
    const results = await ctx.mapItems(
      domains,
      (domain) => domain,
      async (domain, item) => {
        // A service's tools are written from their rules, on the clock its texts set.
        const schema = applyRules(schemas[domain] as DomainSchema, rules[domain]);
        const clock = rules[domain]?.clock ?? ctx.options.clock;
        const names = functionNames(schema.tools.map((t) => t.tool));
        const tools = schema.tools.map((t) => specs.get(t.tool)).filter((t): t is ToolSpec => Boolean(t));
        // A service's own data is its state, in its own shape; otherwise seeded data for the schema.
        const given = schema.source === "data" ? packData.get(domain) : undefined;
        const state = given
          ? structuredClone(given)
          : generateState(schema, item.rng.fork("state"), { records: ctx.options.records, clock: ctx.options.clock });
        const report: CodegenReport = {
          domain,
          source: "templates",
          functions: Object.fromEntries(names),
          clock,
          ...(rules[domain]?.clock ? { clockStepMs: 0 } : {}),
          rounds: 0,
          tests: [],
        };
        let source = templateModule(schema, specs);
        // Where the rule language could not say what a tool does, the function the model wrote for it.
        for (const [tool, code] of Object.entries(rules[domain]?.functions ?? {})) {
          const name = names.get(tool);
          const replaced = name ? await replaceFunction(source, name, code) : null;
          if (replaced) source = replaced;
        }
        if (llm?.kind === "model") {
          const declarations = toolDeclarations(schema, specs, names);
          const compile = async (code: string) => {
            const result = await compileToolModule(code, { filename: `${domain}/tools.ts`, tools: declarations });
            if (!result.ok) return result.findings.filter((f) => f.severity === "error");
            // Code that compiles may still not load (a top-level loop, a memory bomb, a throw): that
            // is an unusable answer too, shown back to the model like a compile error.
            const sandbox = await ctx.services.get("sandbox");
            try {
              const env = await sandbox.open(result.module, state as JsonObject, { clock, seed: 0 });
              await env.close();
              return [];
            } catch (error) {
              if (!(error instanceof ModuleLoadError)) throw error;
              return [
                {
                  severity: "error" as const,
                  rule: `load:${error.code}`,
                  message: error.message,
                  file: `${domain}/tools.ts`,
                  line: 1,
                  column: 1,
                },
              ];
            }
          };
          const rounds = llm.settings.repairRounds;
          // Every role sees the clock, the policy and whole records of every collection of the
          // state the code runs on (the service's own data, or the seeded one).
          const policy = packPolicy.get(domain);
          const context = serviceContext({ clock, ...(policy ? { policy } : {}), data: state });
          const written = await writeModule(llm, { schema, tools, names, context }, compile, rounds, item.signal);
          report.rounds = written.rounds;
          if (written.ok) {
            source = written.value;
            report.source = "model";
            const review = await reviewModule(llm, { schema, tools, names, code: source, context }, rounds, item.signal);
            if (review.ok) {
              report.review = review.value;
              if (!review.value.approved && review.value.problems.length > 0) {
                const feedback = review.value.problems.map((p) => `- ${p.tool}: ${p.problem}`).join("\n");
                const revised = await writeModule(llm, { schema, tools, names, feedback, context }, compile, rounds, item.signal);
                report.rounds += revised.rounds;
                if (revised.ok) source = revised.value;
              }
            } else item.logger.warn({ domain, reason: review.reason }, "the reviewer gave no usable review");
          } else {
            report.modelRejected = written.reason;
            item.logger.warn({ domain, reason: written.reason }, "the model's code was unusable; using the templates");
          }
          const tests = await writeTests(llm, { schema, tools, names, context }, rounds, item.signal);
          if (tests.ok) report.tests = tests.value as ModelTest[];
          else item.logger.warn({ domain, reason: tests.reason }, "the test writer gave no usable cases");
        }
        return { source, state, report };
      },
      { label: "modules" },
    );
    const modules: Record<string, string> = {};
    const states: Record<string, DomainState> = {};
    const reports: Record<string, CodegenReport> = {};
    domains.forEach((domain, i) => {
      const result = results[i] as (typeof results)[number];
      modules[domain] = result.source;
      states[domain] = result.state;
      reports[domain] = result.report;
    });
    return { "tool-modules": modules, "sample-states": states, "codegen-reports": reports };
  },
});
