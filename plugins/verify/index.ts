// Stage `verify` (procedural testing, ScaleEnv): every tool runs its generated cases in the sandbox;
// a tool with an unexpected failure goes back for repair with the failure as feedback (to the model,
// or offline to a generic template of its access kind), up to `repairRounds`; then it is dropped.
// Only verified tools enter the environment: `tools.ts` keeps the others unexported.
import { z } from "zod";
import { defineStage } from "../../kernel/stage.ts";
import type { CodegenReport } from "../../lib/contracts/codegen-report.ts";
import { applyRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import { type EnvironmentSpec, environmentSpecSchema } from "../../lib/contracts/environment-spec.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import type { Verification } from "../../lib/contracts/verification.ts";
import { verificationSchema } from "../../lib/contracts/verification.ts";
import { type DomainInput, type DomainOutput, DomainVerifier } from "./domain-verifier.ts";
import { verifyOptions } from "./options.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    verifications: Record<string, Verification>;
    environments: Record<string, EnvironmentSpec>;
    bundles: Record<string, string>;
    "bundle-maps": Record<string, string>;
  }
}

export default defineStage({
  name: "verify",
  description: "procedural testing in the sandbox: valid, must-refuse and edge cases per tool; repair or drop",
  version: "1",
  consumes: ["catalog", "schemas", "rules", "tool-modules", "sample-states", "codegen-reports", "packs"],
  produces: ["tool-modules", "verifications", "environments", "bundles", "bundle-maps"],
  options: verifyOptions,
  uses: ["llm", "sandbox"],
  artifacts: {
    verifications: {
      schema: z.record(z.string(), verificationSchema),
      format: "files",
      path: "envs/{key}/verification.json",
      description: "per tool: cases, successes, anticipated rejections, unexpected failures, verdict",
    },
    environments: {
      schema: z.record(z.string(), environmentSpecSchema),
      format: "files",
      path: "envs/{key}/environment.json",
      description: "the verified tools of each environment and the module they run from",
    },
    bundles: {
      schema: z.record(z.string(), z.string()),
      format: "files",
      path: "envs/{key}/tools.bundle.js",
      description: "compiled tool modules (isolated-vm scripts)",
    },
    "bundle-maps": {
      schema: z.record(z.string(), z.string()),
      format: "files",
      path: "envs/{key}/tools.bundle.js.map",
      description: "source maps of the compiled modules, so a served environment needs no recompilation",
    },
  },
  summary: ({ verifications, environments }) => {
    const all = Object.values(verifications).map((v) => v.summary);
    const sum = (key: keyof (typeof all)[number]) => all.reduce((total, s) => total + s[key], 0);
    const tools = sum("tools");
    const kept = sum("verified") + sum("repaired");
    return [
      `verification: ${kept} of ${tools} tools kept (pass rate ${tools === 0 ? "0.0" : ((100 * kept) / tools).toFixed(1)}%), ${sum("repaired")} repaired, ${sum("dropped")} dropped, ${sum("cases")} cases run`,
      `environments: ${Object.keys(environments).length} of ${all.length} domains`,
    ];
  },
  jobs: {
    /** One domain's verification; its payload carries the domain's inputs and its tools' specs. */
    async domain(ctx, payload: { input: DomainInput; specs: ToolSpec[] }): Promise<DomainOutput> {
      const sandbox = await ctx.services.get("sandbox");
      const llm = ctx.services.has("llm") ? await ctx.services.get("llm") : null;
      const specs = new Map(payload.specs.map((spec) => [spec.name, spec]));
      return new DomainVerifier(payload.input, specs, sandbox, ctx.options, llm, ctx.item).verify();
    },
  },
  async run(ctx, inputs) {
    const specs = new Map(inputs.catalog.map((tool) => [tool.name, tool]));
    const domains = Object.keys(inputs.schemas).sort();
    const policies = new Map(inputs.packs.flatMap((pack) => (pack.policy ? [[pack.name, pack.policy] as const] : [])));
    const outputs = await ctx.mapJobs<string, DomainOutput>(
      "domain",
      domains,
      (domain) => domain,
      (domain) => {
        const schema = applyRules(inputs.schemas[domain] as DomainSchema, inputs.rules[domain]);
        const state = inputs["sample-states"][domain] ?? {};
        const report = inputs["codegen-reports"][domain] as CodegenReport;
        const policy = policies.get(domain);
        const input: DomainInput = {
          domain,
          schema,
          source: inputs["tool-modules"][domain] ?? "",
          state,
          report,
          ...(policy ? { policy } : {}),
        };
        return { input, specs: schema.tools.flatMap((m) => specs.get(m.tool) ?? []) };
      },
      { label: "domains" },
    );
    const modules: Record<string, string> = {};
    const verifications: Record<string, Verification> = {};
    const environments: Record<string, EnvironmentSpec> = {};
    const bundles: Record<string, string> = {};
    const bundleMaps: Record<string, string> = {};
    domains.forEach((domain, i) => {
      const output = outputs[i] as DomainOutput;
      modules[domain] = output.module;
      verifications[domain] = output.verification;
      if (output.environment && output.bundle !== null) {
        environments[domain] = output.environment;
        bundles[domain] = output.bundle;
        bundleMaps[domain] = output.bundleMap ?? "";
      }
    });
    const totals = Object.values(verifications).reduce(
      (sum, v) => ({ tools: sum.tools + v.summary.tools, kept: sum.kept + v.summary.verified + v.summary.repaired }),
      { tools: 0, kept: 0 },
    );
    ctx.logger.info(
      { domains: domains.length, environments: Object.keys(environments).length, tools: totals.tools, kept: totals.kept },
      `verified ${totals.kept} of ${totals.tools} tools (${totals.tools === 0 ? 0 : ((100 * totals.kept) / totals.tools).toFixed(1)}%); ${Object.keys(environments).length} of ${domains.length} domains have an environment`,
    );
    return { "tool-modules": modules, verifications, environments, bundles, "bundle-maps": bundleMaps };
  },
});
