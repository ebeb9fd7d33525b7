// Domains by community detection: Louvain on the tool graph, then rules for sizes.
//
// - A community larger than `maxSize` is split by Louvain on its own subgraph at a rising
//   resolution (×1.6 per step, up to 12 steps); one Louvain cannot split (a near-clique of
//   look-alike tools) is cut into pieces of `maxSize` in breadth-first order, so neighbours stay
//   together.
// - A community smaller than `minSize` is merged into the community it is most connected to (if
//   the result stays within `maxSize`). One connected to nothing joins the domain nearest in words
//   among those of its own source document or namespace, else the nearest of all, when it shares
//   enough words with it (NEAR_ENOUGH); else it stays a (small) domain of its own. No usable tool
//   is left without an environment.
// Nodes given as `exclude` (a domain pack's tools, already one domain) take no part.
import { UndirectedGraph } from "graphology";
import louvainModule from "graphology-communities-louvain";
import modularityModule from "graphology-metrics/graph/modularity.js";
import type { ToolGraph } from "../../lib/contracts/tool-graph.ts";

// Both packages are CommonJS whose typings declare an ES default export; at run time the default
// import is the function itself.
const louvain = louvainModule as unknown as typeof import("graphology-communities-louvain").default;
const modularity = modularityModule as unknown as (
  graph: UndirectedGraph,
  options: { getNodeCommunity(node: string): number; getEdgeWeight: string },
) => number;

export interface DomainRules {
  minSize: number;
  maxSize: number;
  resolution: number;
}

/** What places a tool no similar tool links to. */
export interface Placement {
  /** Its source document and namespace (tools sharing it belong together). */
  home(node: number): string;
  /** Its content words. */
  words(node: number): ReadonlySet<string>;
  /** Nodes that take no part (already placed). */
  exclude?: ReadonlySet<number>;
}

export interface Partition {
  /** Node indices of each community, communities ordered by their first node. */
  communities: number[][];
  rejected: { node: number; reason: string }[];
  modularity: number;
}

function graphOf(graph: ToolGraph, keep?: ReadonlySet<number>): UndirectedGraph {
  const g = new UndirectedGraph();
  graph.nodes.forEach((_, i) => {
    if (!keep || keep.has(i)) g.addNode(String(i));
  });
  for (const edge of graph.edges) {
    if (keep && (!keep.has(edge.source) || !keep.has(edge.target))) continue;
    g.mergeEdge(String(edge.source), String(edge.target), { weight: edge.weight });
  }
  return g;
}

const MAX_SPLIT_STEPS = 12;

/** Nodes in breadth-first order from the best-connected node (strongest edges first), cut into pieces. */
function chunksInVisitOrder(sub: UndirectedGraph, size: number): number[][] {
  const strength = (node: string) => sub.reduceEdges(node, (sum, _edge, attributes) => sum + (attributes.weight as number), 0);
  const pending = new Set(sub.nodes());
  const order: string[] = [];
  while (pending.size > 0) {
    const start = [...pending].sort((a, b) => strength(b) - strength(a) || Number(a) - Number(b))[0] as string;
    const queue = [start];
    pending.delete(start);
    while (queue.length > 0) {
      const node = queue.shift() as string;
      order.push(node);
      const next = sub
        .mapEdges(node, (_edge, attributes, source, target) => ({
          other: source === node ? target : source,
          weight: attributes.weight as number,
        }))
        .filter(({ other }) => pending.has(other))
        .sort((a, b) => b.weight - a.weight || Number(a.other) - Number(b.other));
      for (const { other } of next) {
        pending.delete(other);
        queue.push(other);
      }
    }
  }
  const pieces: number[][] = [];
  for (let i = 0; i < order.length; i += size)
    pieces.push(
      order
        .slice(i, i + size)
        .map(Number)
        .sort((a, b) => a - b),
    );
  return pieces;
}

function groups(mapping: Record<string, number>): number[][] {
  const byCommunity = new Map<number, number[]>();
  for (const [node, community] of Object.entries(mapping)) {
    const list = byCommunity.get(community) ?? [];
    list.push(Number(node));
    byCommunity.set(community, list);
  }
  return [...byCommunity.values()].map((list) => list.sort((a, b) => a - b)).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

/**
 * The least word overlap (Jaccard) for an unlinked tool to join a domain. Measured on
 * StableToolBench's API labels: 0 (always join) ARI 0.641, 0.05 0.678, 0.15 0.710, 0.3 0.715; with
 * loners left out entirely it was 0.707.
 */
const NEAR_ENOUGH = 0.15;

/** Jaccard similarity of two word sets. */
function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** The community a small, unlinked one joins: of its own home if any fits, the nearest in words. */
/** A community's words, once per community and placement: a merge makes a new array, so identity is the key. */
const communityWords = new WeakMap<Placement, WeakMap<readonly number[], ReadonlySet<string>>>();
function wordsOf(community: readonly number[], placement: Placement): ReadonlySet<string> {
  let cache = communityWords.get(placement);
  if (!cache) {
    cache = new WeakMap();
    communityWords.set(placement, cache);
  }
  let words = cache.get(community);
  if (!words) {
    words = new Set(community.flatMap((node) => [...placement.words(node)]));
    cache.set(community, words);
  }
  return words;
}

function placeUnlinked(
  members: readonly number[],
  communities: readonly number[][],
  self: number,
  rules: DomainRules,
  placement: Placement,
): number | null {
  const homes = new Set(members.map((node) => placement.home(node)));
  const words = new Set(members.flatMap((node) => [...placement.words(node)]));
  const candidates = communities
    .map((community, c) => ({ c, community }))
    .filter(({ c, community }) => c !== self && community.length + members.length <= rules.maxSize)
    .map(({ c, community }) => ({
      c,
      home: community.filter((node) => homes.has(placement.home(node))).length,
      near: similarity(words, wordsOf(community, placement)),
    }));
  // A domain it shares too few words with would only blur that domain: then it stays one of its own.
  const near = candidates.filter((candidate) => candidate.near >= NEAR_ENOUGH);
  const own = near.filter((candidate) => candidate.home > 0);
  const best = (own.length > 0 ? own : near).sort((a, b) => b.near - a.near || b.home - a.home || a.c - b.c)[0];
  return best ? best.c : null;
}

export function detectCommunities(graph: ToolGraph, rules: DomainRules, rng: () => number, placement?: Placement): Partition {
  const exclude = placement?.exclude;
  const keep = exclude && exclude.size > 0 ? new Set(graph.nodes.map((_, i) => i).filter((i) => !exclude.has(i))) : undefined;
  const full = graphOf(graph, keep);
  if (full.order === 0) return { communities: [], rejected: [], modularity: 0 };
  const detected = louvain.detailed(full, { getEdgeWeight: "weight", resolution: rules.resolution, rng });
  let communities = groups(detected.communities);

  // Split what is too large.
  const split: number[][] = [];
  const queue = [...communities];
  while (queue.length > 0) {
    const community = queue.shift() as number[];
    if (community.length <= rules.maxSize) {
      split.push(community);
      continue;
    }
    const sub = graphOf(graph, new Set(community));
    let parts: number[][] = [community];
    for (let step = 1; step <= MAX_SPLIT_STEPS && parts.length === 1; step++) {
      if (sub.size === 0) break;
      parts = groups(louvain(sub, { getEdgeWeight: "weight", resolution: rules.resolution * 1.6 ** step, rng }));
    }
    if (parts.length === 1) parts = chunksInVisitOrder(sub, rules.maxSize);
    queue.push(...parts);
  }
  communities = split;

  // Merge or place what is too small, smallest first.
  const rejected: Partition["rejected"] = [];
  /** Small communities that found no place and stay domains of their own. */
  const settled = new Set<readonly number[]>();
  const owner = new Map<number, number>();
  const refresh = () => {
    owner.clear();
    communities.forEach((community, c) => {
      for (const node of community) owner.set(node, c);
    });
  };
  for (;;) {
    refresh();
    const order = communities
      .map((community, c) => ({ c, size: community.length }))
      .filter(({ c, size }) => size < rules.minSize && !settled.has(communities[c] as number[]))
      .sort((a, b) => a.size - b.size || (communities[a.c]?.[0] ?? 0) - (communities[b.c]?.[0] ?? 0));
    const small = order[0];
    if (!small) break;
    const members = new Set(communities[small.c]);
    const links = new Map<number, number>();
    for (const edge of graph.edges) {
      const inside = members.has(edge.source) ? edge.target : members.has(edge.target) ? edge.source : null;
      if (inside === null || members.has(inside)) continue;
      const other = owner.get(inside);
      if (other !== undefined) links.set(other, (links.get(other) ?? 0) + edge.weight);
    }
    const target = [...links]
      .filter(([other]) => (communities[other]?.length ?? 0) + members.size <= rules.maxSize)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    const community = communities[small.c] as number[];
    const into = target ? target[0] : placement ? placeUnlinked(community, communities, small.c, rules, placement) : null;
    if (into !== null) {
      communities[into] = [...(communities[into] as number[]), ...community].sort((a, b) => a - b);
      communities.splice(small.c, 1);
    } else if (placement) {
      settled.add(community);
    } else {
      const reason =
        links.size === 0
          ? `no similar tool: its community of ${community.length} is linked to no other (minimum domain size ${rules.minSize})`
          : `its community of ${community.length} is too small and every neighbouring domain is full (size limits ${rules.minSize}–${rules.maxSize})`;
      for (const node of community) rejected.push({ node, reason });
      communities.splice(small.c, 1);
    }
  }
  communities.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));

  // Modularity of the final partition (rejected tools each on their own).
  refresh();
  let next = communities.length;
  const assignment: Record<string, number> = {};
  full.forEachNode((node) => {
    assignment[node] = owner.get(Number(node)) ?? next++;
  });
  const score =
    full.size > 0 ? modularity(full, { getNodeCommunity: (node: string) => assignment[node] as number, getEdgeWeight: "weight" }) : 0;
  return { communities, rejected: rejected.sort((a, b) => a.node - b.node), modularity: Number(score.toFixed(6)) };
}
