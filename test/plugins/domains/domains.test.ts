// Domains by community detection: size rules, agreement scores, the stages on the example catalog, names
// by a model.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinLlmService as llmService } from "../../../apps/cli/llm-providers.ts";
import { Rng } from "../../../kernel/rng.ts";
import { runPipeline } from "../../../kernel/run.ts";
import type { AnyStage } from "../../../kernel/stage.ts";
import type { Domains } from "../../../lib/contracts/domains.ts";
import type { ToolGraph } from "../../../lib/contracts/tool-graph.ts";
import { adjustedRandIndex, normalizedMutualInformation } from "../../../plugins/domains/cluster-agreement.ts";
import { detectCommunities } from "../../../plugins/domains/communities.ts";
import domainsStage, { partitionDomains } from "../../../plugins/domains/index.ts";
import ingest, { readCatalog } from "../../../plugins/ingest/index.ts";
import toolGraphStage, { buildToolGraph, toolGraphOptions } from "../../../plugins/tool-graph/index.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../../support/fake-openai.ts";
import { repoRoot, tempDir } from "../../support/helpers.ts";

const exampleCatalog = join(repoRoot, "examples", "catalog");

describe("communities", () => {
  const rng = () => {
    const r = Rng.forRun(7).fork("t");
    return () => r.next();
  };
  // Two cliques of 4 joined by one weak edge, a pair linked to the first clique, and a loner.
  const clique = (nodes: number[]) => nodes.flatMap((a, i) => nodes.slice(i + 1).map((b) => ({ source: a, target: b, weight: 0.9 })));
  const graph: ToolGraph = {
    representation: "lexical",
    settings: {},
    nodes: Array.from({ length: 11 }, (_, i) => ({ tool: `t${i}` })),
    edges: [
      ...clique([0, 1, 2, 3]),
      ...clique([4, 5, 6, 7]),
      { source: 3, target: 4, weight: 0.05 },
      { source: 8, target: 9, weight: 0.9 },
      { source: 9, target: 0, weight: 0.3 },
    ],
  };

  it("merges communities under minSize into their best-connected neighbour and rejects loners with the reason", () => {
    const partition = detectCommunities(graph, { minSize: 3, maxSize: 40, resolution: 1 }, rng());
    const sets = partition.communities.map((c) => c.join(","));
    expect(sets).toContain("0,1,2,3,8,9");
    expect(sets).toContain("4,5,6,7");
    expect(partition.rejected).toEqual([{ node: 10, reason: expect.stringMatching(/linked to no other/) }]);
    expect(partition.modularity).toBeGreaterThan(0.3);
  });

  it("splits communities over maxSize and rejects small ones whose neighbours are full", () => {
    const partition = detectCommunities(graph, { minSize: 3, maxSize: 4, resolution: 0.01 }, rng());
    for (const community of partition.communities) expect(community.length).toBeLessThanOrEqual(4);
    const rejected = partition.rejected.map((r) => r.node);
    expect(rejected).toEqual([8, 9, 10]);
    expect(partition.rejected[0]?.reason).toMatch(/every neighbouring domain is full/);
    // Every node is in exactly one community or rejected.
    const seen = [...partition.communities.flat(), ...rejected].sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it("leaves no tool behind: a loner joins a near domain of its own source, else the nearest near one, else stays one of its own", () => {
    const words = (node: number) =>
      new Set(
        node === 10
          ? ["weather", "forecast", "order"]
          : node < 4
            ? ["order", "refund"]
            : node < 8
              ? ["weather", "city", "forecast"]
              : ["misc"],
      );
    // Node 10 is near both cliques in words and shares a source with the first: it joins the first.
    const bySource = detectCommunities(graph, { minSize: 3, maxSize: 40, resolution: 1 }, rng(), {
      home: (node) => (node === 10 || node < 4 ? "a.json#" : "b.json#"),
      words,
    });
    expect(bySource.rejected).toEqual([]);
    expect(bySource.communities.find((c) => c.includes(10))).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    // Alone in its source: it joins the domain nearest in words.
    const byWords = detectCommunities(graph, { minSize: 3, maxSize: 40, resolution: 1 }, rng(), {
      home: (node) => (node === 10 ? "c.json#" : "a.json#"),
      words,
    });
    expect(byWords.communities.find((c) => c.includes(10))).toEqual(expect.arrayContaining([4, 5, 6, 7]));
    // Every domain full, or nothing near enough: it is still an environment, a small one.
    const full = detectCommunities(graph, { minSize: 3, maxSize: 4, resolution: 0.01 }, rng(), {
      home: (node) => `${node}.json#`,
      words: () => new Set(),
    });
    expect(full.rejected).toEqual([]);
    expect(full.communities.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it("makes a catalog that is one source of at most maxSize tools one domain, and a pack's tools one domain named for it", async () => {
    const { tools } = await readCatalog([join(exampleCatalog, "calendar.jsonl")]);
    const graph = buildToolGraph(tools, toolGraphOptions.parse({}));
    const r = Rng.forRun(1).fork("d");
    const one = partitionDomains(tools, graph, { minSize: 3, maxSize: 40, resolution: 1 }, () => r.next());
    expect(one.domains.map((d) => d.tools.length)).toEqual([tools.length]);
    const { tools: all } = await readCatalog([exampleCatalog]);
    const allGraph = buildToolGraph(all, toolGraphOptions.parse({}));
    const packTools = tools.map((t) => all.find((a) => a.description === t.description)?.name as string);
    const packed = partitionDomains(all, allGraph, { minSize: 3, maxSize: 40, resolution: 1 }, () => r.next(), [
      { name: "events", tools: packTools },
    ]);
    expect(packed.domains[0]).toEqual(expect.objectContaining({ name: "events", tools: packTools }));
    expect(packed.domains.flatMap((d) => d.tools).sort()).toEqual(all.map((t) => t.name).sort());
  });

  it("agreement scores: identical clusterings 1, label names irrelevant, independent ones near 0", () => {
    expect(adjustedRandIndex(["a", "a", "b", "b"], ["x", "x", "y", "y"])).toBe(1);
    expect(normalizedMutualInformation(["a", "a", "b", "b"], ["x", "x", "y", "y"])).toBeCloseTo(1);
    expect(adjustedRandIndex(["a", "a", "b", "b"], ["x", "y", "x", "y"])).toBeLessThan(0);
    expect(normalizedMutualInformation(["a", "a", "b", "b"], ["x", "y", "x", "y"])).toBeCloseTo(0);
    // scikit-learn: adjusted_rand_score([0,0,1,1,2,2],[0,0,1,2,2,2]) = 0.4444…
    expect(adjustedRandIndex(["0", "0", "1", "1", "2", "2"], ["0", "0", "1", "2", "2", "2"])).toBeCloseTo(0.4444, 4);
  });
});

describe("the stages on the example catalog", () => {
  it("recovers the five example APIs as five domains, with names from their words, reproducibly", async () => {
    const { tools } = await readCatalog([exampleCatalog]);
    const graph = buildToolGraph(tools, toolGraphOptions.parse({}));
    const run = (seed: number) => {
      const r = Rng.forRun(seed).fork("d");
      return partitionDomains(tools, graph, { minSize: 3, maxSize: 40, resolution: 1 }, () => r.next());
    };
    const result = run(1);
    expect(result.rejected).toEqual([]);
    const byFile = new Map(tools.map((t) => [t.name, t.source.file]));
    const files = result.domains.map((d) => [...new Set(d.tools.map((t) => byFile.get(t)))]);
    expect(files.every((f) => f.length === 1)).toBe(true);
    expect(result.domains).toHaveLength(5);
    expect(result.domains.map((d) => d.name).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/flight|reservation/),
        expect.stringMatching(/event/),
        expect.stringMatching(/file|directory/),
      ]),
    );
    expect(run(1)).toEqual(result);
  });

  it("run as stages, record edges and domains with counts in the manifest", async () => {
    const dir = tempDir();
    const result = await runPipeline({
      stages: [ingest, toolGraphStage, domainsStage] as AnyStage[],
      services: [llmService],
      config: { stages: { ingest: { sources: [exampleCatalog] } } },
      runDir: dir,
      seed: 1,
    });
    const graph = JSON.parse(readFileSync(join(dir, "tool-graph.json"), "utf8")) as ToolGraph;
    const domains = JSON.parse(readFileSync(join(dir, "domains.json"), "utf8")) as Domains;
    expect(graph.representation).toBe("lexical");
    expect(graph.nodes).toHaveLength(40);
    expect(domains.domains.flatMap((d) => d.tools).sort()).toEqual(graph.nodes.map((n) => n.tool).sort());
    expect(result.manifest.stages["tool-graph"]?.outputs["tool-graph"]?.count).toBe(graph.edges.length);
    expect(result.manifest.stages.domains?.outputs.domains?.count).toBe(5);
  });
});

describe("with a model", () => {
  let server: FakeOpenAi;
  beforeAll(async () => {
    server = await startFakeOpenAi();
  });
  afterAll(async () => {
    await server.close();
  });

  it("builds the graph from embeddings and names domains by the model, keeping offline names for garbage", async () => {
    const dir = tempDir();
    let call = 0;
    server.fallback = (body) => {
      call += 1;
      // The domain holding search_flights gets garbage every round, the others a good name.
      return JSON.stringify(body.messages).includes("search_flights")
        ? { content: "I think these are about {travel" }
        : { content: `{"name": "domain-number-${call}"}` };
    };
    await runPipeline({
      stages: [ingest, toolGraphStage, domainsStage] as AnyStage[],
      services: [llmService],
      config: {
        llm: { provider: "openai", baseUrl: server.url, apiKey: "k", model: "m", embeddingModel: "e", repairRounds: 2, concurrency: 1 },
        stages: { ingest: { sources: [exampleCatalog] }, "tool-graph": { threshold: 0.9 }, domains: { minSize: 1 } },
      },
      runDir: dir,
      seed: 1,
    });
    const graph = JSON.parse(readFileSync(join(dir, "tool-graph.json"), "utf8")) as ToolGraph;
    expect(graph.representation).toBe("embedding");
    expect(graph.settings.model).toBe("e");
    const domains = JSON.parse(readFileSync(join(dir, "domains.json"), "utf8")) as Domains;
    expect(domains.domains.length).toBeGreaterThan(1);
    expect(domains.domains.filter((d) => d.name.startsWith("domain-number-")).length).toBe(domains.domains.length - 1);
  });
});
