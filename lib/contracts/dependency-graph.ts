// `envs/<domain>/dependencies.json`: confirmed tool dependencies A → B (via an output or a table) and the candidates running them did not confirm.
import { z } from "zod";

const viaSchema = z.union([
  z.object({ kind: z.literal("output"), table: z.string(), field: z.string(), parameter: z.string() }),
  z.object({ kind: z.literal("state"), table: z.string() }),
]);

export const dependencyGraphSchema = z.object({
  domain: z.string(),
  /** Tool names as the environment calls them. */
  tools: z.array(z.string()),
  /** Confirmed edges: the graph task chains walk on. */
  edges: z.array(z.object({ from: z.string(), to: z.string(), via: viaSchema, evidence: z.string() })),
  /** Candidates from the schema that running them did not confirm, with what happened. */
  unconfirmed: z.array(z.object({ from: z.string(), to: z.string(), via: viaSchema, evidence: z.string() })),
});

export type DependencyGraph = z.infer<typeof dependencyGraphSchema>;
