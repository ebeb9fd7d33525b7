// Stage `report`: `<run>/report.html`, a page a person can look at — the tool graph drawn with its
// domains coloured (layout computed here), a per-domain table, the filter funnel and throughput.
// Self-contained: it opens from disk with no network. Throughput comes from the manifest's
// timings, so this is the one artifact two runs with the same seed do not share byte for byte.
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { defineStage } from "../../kernel/stage.ts";
import { type ReportData, renderReport } from "./html.ts";
import { layoutGraph } from "./layout.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    report: Record<string, string>;
  }
}

interface ManifestStage {
  wall_ms?: number;
  metrics?: Record<string, Record<string, number>>;
}

async function stageTimes(runDir: string): Promise<Record<string, ManifestStage>> {
  try {
    const manifest = JSON.parse(await readFile(join(runDir, "manifest.json"), "utf8")) as { stages?: Record<string, ManifestStage> };
    return manifest.stages ?? {};
  } catch {
    return {};
  }
}

export default defineStage({
  name: "report",
  description: "report.html: the tool graph by domain, a per-domain table, the filter funnel, throughput",
  version: "1",
  consumes: ["catalog", "tool-graph", "domains", "verifications", "tasks", "trajectories", "funnel"],
  produces: ["report"],
  artifacts: {
    report: {
      schema: z.record(z.string(), z.string()),
      format: "files",
      path: "{key}.html",
      description: "a self-contained page: tool graph, domain table, funnel, throughput",
    },
  },
  summary: () => ["report: report.html"],
  async run(ctx, inputs) {
    const domains = inputs.domains.domains;
    const domainOf = new Map<string, number>();
    domains.forEach((d, i) => {
      for (const tool of d.tools) domainOf.set(tool, i);
    });
    const graph = inputs["tool-graph"];
    const laid = layoutGraph(graph.nodes.length, graph.edges, ctx.rng.fork("layout"));
    const tasksBy = new Map<string, number>();
    for (const task of inputs.tasks) tasksBy.set(task.domain, (tasksBy.get(task.domain) ?? 0) + 1);
    const trajectoriesBy = new Map<string, number>();
    for (const t of inputs.trajectories) trajectoriesBy.set(t.domain, (trajectoriesBy.get(t.domain) ?? 0) + 1);
    const funnel = inputs.funnel;
    const times = await stageTimes(ctx.runDir);
    const seconds = (stage: string) => (times[stage]?.wall_ms ?? 0) / 1000;
    const sandboxCalls = Object.values(times).reduce((sum, s) => sum + (s.metrics?.sandbox?.calls ?? 0), 0);
    const sandboxSeconds = Object.entries(times)
      .filter(([, s]) => (s.metrics?.sandbox?.calls ?? 0) > 0)
      .reduce((sum, [name]) => sum + seconds(name), 0);
    const verifications = inputs.verifications;
    const data: ReportData = {
      title: basename(ctx.runDir),
      seed: ctx.seed,
      graph: {
        nodes: graph.nodes.map((n, i) => ({ tool: n.tool, domain: domainOf.get(n.tool) ?? null, x: laid.x[i] ?? 0, y: laid.y[i] ?? 0 })),
        edges: graph.edges.map((e) => ({ source: e.source, target: e.target })),
      },
      domains: domains.map((d) => {
        const summary = verifications[d.name]?.summary;
        return {
          name: d.name,
          tools: d.tools.length,
          verified: (summary?.verified ?? 0) + (summary?.repaired ?? 0),
          dropped: summary?.dropped ?? 0,
          tasks: tasksBy.get(d.name) ?? 0,
          trajectories: trajectoriesBy.get(d.name) ?? 0,
          kept: funnel.domains[d.name]?.kept ?? 0,
        };
      }),
      funnel: [
        { label: "trajectories", count: funnel.total.trajectories },
        { label: "valid", count: funnel.total.valid },
        { label: "state-aligned", count: funnel.total.aligned },
        { label: "exact match", count: funnel.total.exact_match },
      ],
      throughput: [
        { stage: "ingest", seconds: seconds("ingest"), items: inputs.catalog.length, unit: "tools" },
        { stage: "verify", seconds: seconds("verify"), items: inputs.catalog.length, unit: "tools" },
        { stage: "tasks", seconds: seconds("tasks"), items: inputs.tasks.length, unit: "tasks" },
        { stage: "rollouts", seconds: seconds("rollouts"), items: inputs.trajectories.length, unit: "trajectories" },
        { stage: "filter", seconds: seconds("filter"), items: inputs.trajectories.length, unit: "trajectories" },
        { stage: "sandbox (stages that used it)", seconds: sandboxSeconds, items: sandboxCalls, unit: "calls" },
      ],
      totals: [
        { label: "tools", value: String(inputs.catalog.length) },
        { label: "domains", value: String(domains.length) },
        {
          label: "verified tools",
          value: String(Object.values(verifications).reduce((n, v) => n + v.summary.verified + v.summary.repaired, 0)),
        },
        { label: "tasks", value: String(inputs.tasks.length) },
        { label: "trajectories", value: String(inputs.trajectories.length) },
        { label: "kept for SFT", value: String(funnel.total.kept) },
      ],
    };
    return { report: { report: renderReport(data) } };
  },
});
