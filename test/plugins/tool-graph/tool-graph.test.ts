// The tool graph: words of tools, namespaces, TF-IDF neighbours through an inverted index.
import { describe, expect, it } from "vitest";
import { EnvscaleError } from "../../../kernel/errors.ts";
import { silentLogger } from "../../../kernel/log.ts";
import { Rng } from "../../../kernel/rng.ts";
import type { ToolSpec } from "../../../lib/contracts/tool-spec.ts";
import { contentWords, splitIdentifier } from "../../../lib/domain-model/words.ts";
import toolGraphStage, { buildToolGraph, toolGraphOptions } from "../../../plugins/tool-graph/index.ts";
import { sparseCosine, sparseKnn } from "../../../plugins/tool-graph/knn.ts";
import { buildLexicalSpace, type SparseVector } from "../../../plugins/tool-graph/lexical-vectors.ts";
import { nameNamespaces } from "../../../plugins/tool-graph/namespaces.ts";

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

describe("the tool graph with a model", () => {
  const tools = [tool("get_order", { order_id: "o" }, "get an order"), tool("cancel_order", { order_id: "o" }, "cancel an order")];
  /** The stage run with an llm service whose embeddings fail with `error`. */
  const runWith = (error: EnvscaleError) =>
    toolGraphStage.run(
      {
        options: toolGraphOptions.parse({}),
        logger: silentLogger(),
        signal: new AbortController().signal,
        services: {
          has: () => true,
          get: async () => ({
            settings: { embeddingModel: "e" },
            embed: async () => {
              throw error;
            },
          }),
        },
      } as never,
      { catalog: tools } as never,
    );

  it("falls back to the lexical graph when the embeddings request fails alone, and stops when the endpoint keeps failing", async () => {
    const fallback = await runWith(new EnvscaleError("E_LLM_REQUEST", "embeddings: request failed after all retries"));
    expect(fallback).toEqual({ "tool-graph": buildToolGraph(tools, toolGraphOptions.parse({})) });
    const stopped = runWith(new EnvscaleError("E_LLM", "embeddings: 6 of the last 10 requests failed"));
    await expect(stopped).rejects.toMatchObject({ code: "E_LLM" });
  });
});
