// Stage `dependencies`: each environment's directed tool dependency graph. A → B when an output or
// a written table of A feeds an input of B; derived from the schema (derive.ts) and kept only when
// running A then B in the sandbox confirms it (confirm.ts). Unconfirmed candidates are listed with why.
import { z } from "zod";
import type { JsonObject } from "../../kernel/canonical-json.ts";
import { defineStage } from "../../kernel/stage.ts";
import type { DependencyGraph } from "../../lib/contracts/dependency-graph.ts";
import { dependencyGraphSchema } from "../../lib/contracts/dependency-graph.ts";
import { applyRules } from "../../lib/contracts/domain-rules.ts";
import type { DomainSchema } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { EnvironmentSpec } from "../../lib/contracts/environment-spec.ts";
import { compileEnvironment } from "../../lib/episodes/environment-module.ts";
import { confirm } from "./confirm.ts";
import { candidateEdges } from "./derive.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    "dependency-graphs": Record<string, DependencyGraph>;
  }
}

export const dependenciesOptions = z.object({
  /** Most candidates checked per domain (output edges first), so huge domains stay bounded. */
  maxCandidates: z.number().int().min(1).default(400),
  timeoutMs: z.number().int().min(10).max(60_000).default(1000),
});

export default defineStage({
  name: "dependencies",
  description: "each environment's tool dependency graph: schema-derived edges confirmed by running A then B",
  version: "1",
  consumes: ["catalog", "schemas", "rules", "sample-states", "tool-modules", "environments"],
  produces: ["dependency-graphs"],
  options: dependenciesOptions,
  uses: ["sandbox"],
  artifacts: {
    "dependency-graphs": {
      schema: z.record(z.string(), dependencyGraphSchema),
      format: "files",
      path: "envs/{key}/dependencies.json",
      description: "confirmed tool dependencies (A → B, via an output or a table) and unconfirmed candidates",
      count: (graphs) => Object.values(graphs).reduce((sum, g) => sum + g.edges.length, 0),
    },
  },
  summary: ({ "dependency-graphs": graphs }) => {
    const all = Object.values(graphs);
    return [
      `dependencies: ${all.reduce((sum, g) => sum + g.edges.length, 0)} confirmed edges, ${all.reduce((sum, g) => sum + g.unconfirmed.length, 0)} candidates not confirmed`,
    ];
  },
  async run(ctx, inputs) {
    const sandbox = await ctx.services.get("sandbox");
    const parameters = new Map(inputs.catalog.map((tool) => [tool.name, tool.parameters as Record<string, unknown>]));
    const domains = Object.keys(inputs.environments).sort();
    const graphs = await ctx.mapItems(
      domains,
      (domain) => domain,
      async (domain, item): Promise<DependencyGraph> => {
        const environment = inputs.environments[domain] as EnvironmentSpec;
        const schema = applyRules(inputs.schemas[domain] as DomainSchema, inputs.rules[domain]);
        const state = (inputs["sample-states"][domain] ?? {}) as DomainState;
        const names = new Map(environment.tools.map((t) => [t.catalogName, t.name]));
        // The environment's own view of its tools (a repaired read may have become a generic list).
        const models = schema.tools.map((m) => {
          const tool = environment.tools.find((t) => t.catalogName === m.tool);
          return tool && tool.operation !== m.operation ? { ...m, operation: tool.operation, table: tool.table } : m;
        });
        const domainSchema = { ...schema, tools: models };
        const candidates = candidateEdges(domainSchema, new Set(names.keys())).slice(0, ctx.options.maxCandidates);
        const graph: DependencyGraph = { domain, tools: environment.tools.map((t) => t.name), edges: [], unconfirmed: [] };
        if (candidates.length === 0) return graph;
        const module = await compileEnvironment(sandbox, environment, inputs["tool-modules"][domain] ?? "");
        // Candidates are confirmed on a few environments at once (each episode starts from the
        // sample state, so which environment runs one changes nothing); results keep their order.
        const envs = await Promise.all(
          Array.from({ length: Math.max(1, Math.min(ctx.concurrency * 2, candidates.length)) }, () =>
            sandbox.open(module, state as JsonObject, { clock: environment.clock, seed: 0, timeoutMs: ctx.options.timeoutMs }),
          ),
        );
        const results: { edge: DependencyGraph["edges"][number]; confirmed: boolean }[] = new Array(candidates.length);
        let next = 0;
        const work = async (env: (typeof envs)[number]) => {
          while (next < candidates.length) {
            const index = next++;
            const candidate = candidates[index] as (typeof candidates)[number];
            const result = await confirm(
              {
                env,
                schema: domainSchema,
                state,
                clock: environment.clock,
                parameters,
                names,
                rng: item.rng.fork(`${candidate.from}>${candidate.to}`),
              },
              candidate,
            );
            const edge = {
              from: names.get(candidate.from) as string,
              to: names.get(candidate.to) as string,
              via: candidate.via,
              evidence: result.evidence,
            };
            results[index] = { edge, confirmed: result.confirmed };
          }
        };
        try {
          await Promise.all(envs.map(work));
        } finally {
          await Promise.all(envs.map((env) => env.close()));
        }
        for (const { edge, confirmed } of results) (confirmed ? graph.edges : graph.unconfirmed).push(edge);
        return graph;
      },
      { label: "domains" },
    );
    const out: Record<string, DependencyGraph> = {};
    domains.forEach((domain, i) => {
      out[domain] = graphs[i] as DependencyGraph;
    });
    const edges = graphs.reduce((sum, g) => sum + g.edges.length, 0);
    const unconfirmed = graphs.reduce((sum, g) => sum + g.unconfirmed.length, 0);
    ctx.logger.info(
      { domains: domains.length, edges, unconfirmed },
      `${edges} confirmed dependencies (${unconfirmed} candidates not confirmed)`,
    );
    return { "dependency-graphs": out };
  },
});
