// `domains.json`: the domains (communities of the tool graph), their tools and keywords, and the tools left out with why.
import { z } from "zod";

export const domainsSchema = z.object({
  settings: z.object({ minSize: z.number(), maxSize: z.number(), resolution: z.number() }),
  /** Modularity of the final partition on the tool graph. */
  modularity: z.number(),
  domains: z.array(
    z.object({
      name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
      tools: z.array(z.string()).min(1),
      /** Its most distinctive words (offline names are made of them). */
      keywords: z.array(z.string()),
    }),
  ),
  rejected: z.array(z.object({ tool: z.string(), reason: z.string() })),
});

export type Domains = z.infer<typeof domainsSchema>;

export type Domain = Domains["domains"][number];
