// `tool-graph.json`: one node per tool, weighted undirected edges between similar tools.
import { z } from "zod";

export const toolGraphSchema = z.object({
  /** How similarity was measured: `lexical` (TF-IDF, offline) or `embedding`. */
  representation: z.enum(["lexical", "embedding"]),
  settings: z.record(z.string(), z.json()),
  nodes: z.array(z.object({ tool: z.string() })),
  /** Undirected edges between node indices, weight = cosine similarity. */
  edges: z.array(z.object({ source: z.number().int(), target: z.number().int(), weight: z.number() })),
});

export type ToolGraph = z.infer<typeof toolGraphSchema>;
