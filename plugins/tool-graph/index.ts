// Stage `tool-graph`: one node per tool, edges between tools with similar parameters and words.
import { z } from "zod";
import { defineStage } from "../../kernel/stage.ts";
import type { ToolGraph } from "../../lib/contracts/tool-graph.ts";
import { toolGraphSchema } from "../../lib/contracts/tool-graph.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { FIELD_WEIGHTS } from "../../lib/domain-model/tool-words.ts";
import { failsOnlyItsItem } from "../../lib/llm/item-failure.ts";
import { denseKnn, sparseKnn } from "./knn.ts";
import { buildLexicalSpace } from "./lexical-vectors.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    "tool-graph": ToolGraph;
  }
}

export const toolGraphOptions = z.object({
  /** Neighbours kept per tool. */
  k: z.number().int().min(1).max(200).default(10),
  /** Smallest cosine similarity that makes an edge. */
  threshold: z.number().min(0).max(1).default(0.3),
  /** A tool with no neighbour above `threshold` keeps its best one if at least this similar (0 disables). */
  bestFloor: z.number().min(0).max(1).default(0.15),
  /** Drop neighbours less similar than this fraction of a tool's best one (0 disables). */
  relative: z.number().min(0).max(1).default(0),
  /** Words in more than this share of tools propose no candidate neighbours (lexical only). */
  maxDocumentShare: z.number().min(0).max(1).default(0.08),
  /** `auto`: embeddings when the LLM service has an embedding model, else lexical. */
  representation: z.enum(["auto", "lexical", "embedding"]).default("auto"),
});
export type ToolGraphOptions = z.infer<typeof toolGraphOptions>;

/** The lexical tool graph (pure: no service needed). */
export function buildToolGraph(tools: readonly ToolSpec[], options: ToolGraphOptions): ToolGraph {
  const space = buildLexicalSpace(tools);
  const edges = sparseKnn(space.vectors, space.documentFrequency, options);
  return {
    representation: "lexical",
    settings: {
      k: options.k,
      threshold: options.threshold,
      bestFloor: options.bestFloor,
      relative: options.relative,
      maxDocumentShare: options.maxDocumentShare,
      weights: { ...FIELD_WEIGHTS },
    },
    nodes: tools.map((tool) => ({ tool: tool.name })),
    edges,
  };
}

/** What an embedding model reads of a tool: its name, description and parameters. */
export function embeddingText(tool: ToolSpec): string {
  const properties = (tool.parameters.properties ?? {}) as Record<string, { description?: unknown }>;
  const params = Object.entries(properties).map(([name, schema]) =>
    typeof schema?.description === "string" ? `${name} (${schema.description})` : name,
  );
  return `${tool.name}: ${tool.description}\nparameters: ${params.join(", ")}`;
}

export default defineStage({
  name: "tool-graph",
  description: "link tools by parameter and word similarity (TF-IDF offline, embeddings with a model)",
  version: "1",
  consumes: ["catalog"],
  produces: ["tool-graph"],
  options: toolGraphOptions,
  uses: ["llm"],
  artifacts: {
    "tool-graph": {
      schema: toolGraphSchema,
      format: "json",
      description: "nodes, weighted edges and the settings used",
      count: (graph) => graph.edges.length,
    },
  },
  async run(ctx, { catalog }) {
    const options = ctx.options;
    if (options.representation !== "lexical" && ctx.services.has("llm")) {
      const llm = await ctx.services.get("llm");
      let vectors: number[][] | null = null;
      let failed = false;
      try {
        vectors = await llm.embed(catalog.map(embeddingText), ctx.signal);
      } catch (error) {
        // One failed request (or an unusable answer) costs the embeddings, not the run.
        if (!failsOnlyItsItem(error)) throw error;
        ctx.logger.warn({ code: error.code, reason: error.message }, "the embeddings failed: using the lexical representation");
        failed = true;
      }
      if (vectors) {
        ctx.logger.info({ tools: catalog.length, dimensions: vectors[0]?.length ?? 0 }, "tool graph from embeddings");
        return {
          "tool-graph": {
            representation: "embedding",
            settings: { k: options.k, threshold: options.threshold, model: llm.settings.embeddingModel ?? null },
            nodes: catalog.map((tool) => ({ tool: tool.name })),
            edges: denseKnn(vectors, options),
          },
        };
      }
      if (options.representation === "embedding" && !failed)
        ctx.logger.warn("no embedding model is configured: using the lexical representation");
    }
    const graph = buildToolGraph(catalog, options);
    ctx.logger.info({ tools: catalog.length, edges: graph.edges.length }, `tool graph: ${graph.edges.length} edges`);
    return { "tool-graph": graph };
  },
});
