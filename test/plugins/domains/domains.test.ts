import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinLlmService as llmService } from "../../../cli/llm-providers.ts";
import type { Domains } from "../../../contracts/domains.ts";
import type { ToolGraph } from "../../../contracts/tool-graph.ts";
import type { ToolSpec } from "../../../contracts/tool-spec.ts";
import { contentWords, splitIdentifier } from "../../../domain-model/words.ts";
import { Rng } from "../../../kernel/rng.ts";
import { runPipeline } from "../../../kernel/run.ts";
import type { AnyStage } from "../../../kernel/stage.ts";
import { adjustedRandIndex, normalizedMutualInformation } from "../../../plugins/domains/cluster-agreement.ts";
import { detectCommunities } from "../../../plugins/domains/communities.ts";
import domainsStage, { partitionDomains } from "../../../plugins/domains/index.ts";
import ingest, { readCatalog } from "../../../plugins/ingest/index.ts";
import toolGraphStage, { buildToolGraph, toolGraphOptions } from "../../../plugins/tool-graph/index.ts";
import { sparseCosine, sparseKnn } from "../../../plugins/tool-graph/knn.ts";
import { buildLexicalSpace, type SparseVector } from "../../../plugins/tool-graph/lexical-vectors.ts";
import { nameNamespaces } from "../../../plugins/tool-graph/namespaces.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../../support/fake-openai.ts";
import { repoRoot, runCli, tempDir } from "../../support/helpers.ts";

const exampleCatalog = join(repoRoot, "examples", "catalog");

const tool = (name: string, parameters: Record<string, string> = {}, description = ""): ToolSpec => ({
  name,
  description,
  parameters: {
    type: "object",
    properties: Object.fromEntries(Object.entries(parameters).map(([p, d]) => [p, { type: "string", description: d }])),
  },
  format: "function",
  source: { file: "t.json", pointer: `/${name}` },
});

describe("words of tools", () => {
  it("splits identifiers of every casing and drops stopwords and digits", () => {
    expect(splitIdentifier("getPM2_5Level")).toEqual(["get", "pm", "2", "5", "level"]);
    expect(splitIdentifier("HTTPServerError")).toEqual(["http", "server", "error"]);
    expect(contentWords("List the flights of a passenger, 2 per page")).toEqual(["flight", "passenger", "page"]);
  });

  it("finds the namespace side a catalog uses, and none where there is none", () => {
    const suffixed = [
      "get_order_for_pet_store",
      "add_pet_for_pet_store",
      "list_pets_for_pet_store",
      "get_weather_for_open_meteo",
      "get_forecast_for_open_meteo",
    ].map((n) => tool(n));
    const found = nameNamespaces(suffixed);
    expect(found.map((ns) => ns.includes("ns:pet_store"))).toEqual([true, true, true, false, false]);
    expect(found.map((ns) => ns.includes("ns:open_meteo"))).toEqual([false, false, false, true, true]);
    const plain = ["get_order", "cancel_order", "list_flights", "book_flight"].map((n) => tool(n));
    expect(nameNamespaces(plain).every((ns) => ns.length === 0)).toBe(true);
  });
});

describe("the tool graph", () => {
  it("links tools that share parameters and words, not unrelated ones", () => {
    const tools = [
      tool("get_order", { order_id: "the order" }, "Fetch one order."),
      tool("cancel_order", { order_id: "the order", reason: "why" }, "Cancel an order."),
      tool("list_orders", { customer_id: "the customer" }, "List a customer's orders."),
      tool("get_weather", { city: "city name" }, "Current weather in a city."),
      tool("get_forecast", { city: "city name", days: "how many days" }, "Weather forecast for a city."),
    ];
    const graph = buildToolGraph(tools, toolGraphOptions.parse({ threshold: 0.1 }));
    const linked = (a: number, b: number) =>
      graph.edges.some((e) => (e.source === a && e.target === b) || (e.source === b && e.target === a));
    expect(linked(0, 1)).toBe(true);
    expect(linked(3, 4)).toBe(true);
    expect(linked(0, 3) || linked(1, 4) || linked(2, 3)).toBe(false);
    for (const edge of graph.edges) {
      expect(edge.source).toBeLessThan(edge.target);
      expect(edge.weight).toBeGreaterThan(0.1);
      expect(edge.weight).toBeLessThanOrEqual(1.0000001);
    }
  });

  it("keeps at most k neighbours per tool, and the inverted index finds what brute force finds", () => {
    const r = Rng.forRun(3).fork("words");
    const vocabulary = Array.from(
      { length: 40 },
      (_, i) => `w${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x`,
    );
    const pick = (n: number) => Array.from({ length: n }, () => r.pick(vocabulary));
    const tools = Array.from({ length: 80 }, (_, i) =>
      tool(`t${i}_${pick(2).join("_")}`, Object.fromEntries(pick(3).map((w) => [`${w}_id`, pick(3).join(" ")])), pick(6).join(" ")),
    );
    const space = buildLexicalSpace(tools);
    const options = { k: 3, threshold: 0.05, relative: 0, bestFloor: 0, maxDocumentShare: 1 };
    const edges = sparseKnn(space.vectors, space.documentFrequency, options);
    expect(edges.length).toBeGreaterThan(80);
    // Brute force: each tool's k most similar others above the threshold.
    const cosine = (a: number, b: number) => sparseCosine(space.vectors[a] as SparseVector, space.vectors[b] as SparseVector);
    const expected = new Set<string>();
    for (let a = 0; a < tools.length; a++) {
      const best = tools
        .map((_, b) => ({ b, w: b === a ? -1 : cosine(a, b) }))
        .filter(({ w }) => w >= options.threshold)
        .sort((x, y) => y.w - x.w || x.b - y.b)
        .slice(0, options.k);
      for (const { b } of best) expected.add(`${Math.min(a, b)}-${Math.max(a, b)}`);
    }
    const found = new Set(edges.map((e) => `${e.source}-${e.target}`));
    const agree = [...expected].filter((key) => found.has(key)).length;
    expect(agree / expected.size).toBe(1);
    for (const e of edges) expect(e.weight).toBeCloseTo(cosine(e.source, e.target), 5);
  });

  it("keeps a tool's best neighbour under the threshold only when bestFloor allows", () => {
    const tools = [
      tool("alpha_read", { key: "k" }, "reads alpha"),
      tool("beta_write", { key: "k" }, "writes beta gamma delta epsilon"),
      tool("unrelated", { other: "o" }, "nothing alike"),
    ];
    const strict = buildToolGraph(tools, toolGraphOptions.parse({ threshold: 0.99, bestFloor: 0 }));
    const lenient = buildToolGraph(tools, toolGraphOptions.parse({ threshold: 0.99, bestFloor: 0.01 }));
    expect(strict.edges).toEqual([]);
    expect(lenient.edges).toHaveLength(1);
  });
});

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

describe("envscale eval domains", () => {
  it("prints ari, nmi, domains and labels as JSON against a label field", async () => {
    const result = await runCli(["eval", "domains", exampleCatalog, "--label-field", "source.file", "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const scores = JSON.parse(result.stdout) as Record<string, number>;
    expect(scores).toMatchObject({ ari: 1, nmi: 1, domains: 5, labels: 5, tools: 40, rejected: 0 });
  });

  it("says which field is missing when no tool has it", async () => {
    const result = await runCli(["eval", "domains", exampleCatalog, "--label-field", "meta.nothing"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no tool has a value in label field "meta.nothing"/);
  });
});
