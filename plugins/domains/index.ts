// Stage `domains`: Louvain communities of the tool graph become domains (one environment each).
import { z } from "zod";
import { defineStage } from "../../kernel/stage.ts";
import type { DomainPack } from "../../lib/contracts/domain-pack.ts";
import type { Domains } from "../../lib/contracts/domains.ts";
import { domainsSchema } from "../../lib/contracts/domains.ts";
import type { ToolGraph } from "../../lib/contracts/tool-graph.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { contentWords, splitIdentifier } from "../../lib/domain-model/words.ts";
import type { LlmService } from "../../lib/llm/port.ts";
import { askForJson } from "../../lib/llm/structured.ts";
import { type DomainRules, detectCommunities } from "./communities.ts";
import { distinctiveWords, uniqueName, wordDocumentFrequency } from "./domain-names.ts";

declare module "../../kernel/stage.ts" {
  interface ArtifactTypes {
    domains: Domains;
  }
}

export const domainsOptions = z.object({
  /** Smaller communities are merged into their best-connected neighbour, or rejected. */
  minSize: z.number().int().min(1).default(3),
  /** Larger communities are split. */
  maxSize: z.number().int().min(2).default(40),
  /** Louvain resolution (higher: more, smaller communities). */
  resolution: z.number().positive().default(1),
});

/** A tool's source document and namespace: its file, and its category or dotted name prefix. */
function homeOf(tool: ToolSpec): string {
  const name = tool.original_name ?? tool.name;
  const namespace = tool.category ?? (/[.:/]|__/.test(name) ? (name.split(/[.:/]|__/)[0] ?? "") : "");
  return `${tool.source.file}#${namespace}`;
}

/** Domains of a catalog (pure, offline names). `rng` must be seeded for reproducible communities.
 * Each domain pack's tools are one domain, named for the pack, placed first. */
export function partitionDomains(
  catalog: readonly ToolSpec[],
  graph: ToolGraph,
  rules: DomainRules,
  rng: () => number,
  packs: readonly Pick<DomainPack, "name" | "tools">[] = [],
): Domains {
  const index = new Map(catalog.map((tool, i) => [tool.name, i]));
  const packed = packs.map((pack) => pack.tools.map((name) => index.get(name)).filter((i): i is number => i !== undefined));
  const exclude = new Set(packed.flat());
  const rest = catalog.map((_, i) => i).filter((i) => !exclude.has(i));
  const oneSource = rest.length > 0 && rest.length <= rules.maxSize && new Set(rest.map((i) => catalog[i]?.source.file)).size === 1;
  const words = catalog.map((tool) => new Set(contentWords(`${splitIdentifier(tool.name).join(" ")} ${tool.description}`)));
  const partition = oneSource
    ? { communities: [rest], rejected: [], modularity: 0 }
    : detectCommunities(graph, rules, rng, {
        home: (node) => homeOf(catalog[node] as ToolSpec),
        words: (node) => words[node] as Set<string>,
        exclude,
      });
  const df = wordDocumentFrequency(catalog);
  const taken = new Set<string>();
  const named = (community: number[], name?: string) => {
    const tools = community.map((node) => catalog[node] as ToolSpec);
    const keywords = distinctiveWords(tools, df, catalog.length, 5);
    return { name: uniqueName(name ?? keywords.slice(0, 2).join("-"), taken), tools: tools.map((tool) => tool.name), keywords };
  };
  const domains = [
    ...packs.flatMap((pack, i) => ((packed[i]?.length ?? 0) > 0 ? [named(packed[i] as number[], pack.name)] : [])),
    ...partition.communities.map((community) => named(community)),
  ];
  return {
    settings: rules,
    modularity: partition.modularity,
    domains,
    rejected: partition.rejected.map(({ node, reason }) => ({ tool: catalog[node]?.name ?? String(node), reason })),
  };
}

/** What the model answers: a domain name. */
const domainNameSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'name must be kebab-case: lowercase letters, digits and "-", 2 to 41 characters'),
});

/** Ask a model for a domain's name; null (keep the offline name) when it gives nothing usable. */
async function modelName(llm: LlmService, tools: readonly ToolSpec[], rounds: number, signal: AbortSignal): Promise<string | null> {
  const listing = tools
    .slice(0, 25)
    .map((tool) => `- ${tool.name}: ${tool.description.slice(0, 160)}`)
    .join("\n");
  const result = await askForJson(
    llm,
    {
      purpose: `domain-name:${tools[0]?.name ?? ""}`,
      messages: [
        {
          role: "system",
          content:
            'You name groups of API tools. Answer with JSON {"name": "..."}: a short kebab-case name of what the tools are about (2-4 words, lowercase, e.g. "flight-booking").',
        },
        { role: "user", content: `Tools:\n${listing}` },
      ],
      temperature: 0,
    },
    { name: "domain_name", schema: domainNameSchema },
    (answer) => ({ ok: true, value: answer.name }),
    rounds,
    signal,
  );
  return result.ok ? result.value : null;
}

export default defineStage({
  name: "domains",
  description: "split the tool graph into domains (Louvain, seeded; size rules; names)",
  version: "1",
  consumes: ["catalog", "tool-graph", "packs"],
  produces: ["domains"],
  options: domainsOptions,
  uses: ["llm"],
  artifacts: {
    domains: {
      schema: domainsSchema,
      format: "json",
      description: "domains with their tools, rejected tools with why, modularity",
      count: (value) => value.domains.length,
    },
  },
  summary: ({ domains }) => [
    `domains: ${domains.domains.length} (modularity ${domains.modularity}); ${domains.domains.reduce((sum, d) => sum + d.tools.length, 0)} tools in domains, ${domains.rejected.length} left out${
      domains.rejected.length > 0
        ? `: ${domains.rejected
            .slice(0, 3)
            .map((r) => `${r.tool} (${r.reason})`)
            .join("; ")}${domains.rejected.length > 3 ? "; …" : ""}`
        : ""
    }`,
  ],
  async run(ctx, { catalog, "tool-graph": graph, packs }) {
    const rng = ctx.rng.fork("louvain");
    const result = partitionDomains(catalog, graph, ctx.options, () => rng.next(), packs);
    const fixed = new Set(packs.map((pack) => pack.name));
    const llm = ctx.services.has("llm") ? await ctx.services.get("llm") : null;
    if (llm?.kind === "model") {
      const byName = new Map(catalog.map((tool) => [tool.name, tool]));
      const names = await ctx.mapItems(
        result.domains,
        (domain) => domain.tools[0] ?? domain.name,
        async (domain) =>
          fixed.has(domain.name)
            ? domain.name
            : modelName(
                llm,
                domain.tools.map((name) => byName.get(name) as ToolSpec),
                llm.settings.repairRounds,
                ctx.signal,
              ),
        { label: "names" },
      );
      const taken = new Set<string>();
      result.domains.forEach((domain, i) => {
        // A pack's domain keeps the pack's name: its runs are found by it.
        const suggested = fixed.has(domain.name) ? domain.name : names[i];
        if (suggested === null) ctx.logger.warn({ domain: domain.name }, "the model gave no usable name; keeping the offline one");
        domain.name = uniqueName(suggested ?? domain.name, taken);
      });
    }
    ctx.logger.info(
      { domains: result.domains.length, rejected: result.rejected.length, modularity: result.modularity },
      `${result.domains.length} domains (modularity ${result.modularity}), ${result.rejected.length} tools rejected`,
    );
    return { domains: result };
  },
});
