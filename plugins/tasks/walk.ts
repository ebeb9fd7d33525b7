// Tool chains on a domain's dependency graph: a seeded walk (AgentScaler), then dependency-aware
// expansion (ScaleEnv): breadth-first, tools that depend on the chain so far join it.

import type { Rng } from "../../kernel/rng.ts";
import type { DependencyGraph } from "../../lib/contracts/dependency-graph.ts";

export interface ChainShape {
  /** Length of the seed walk, both ends included. */
  walk: { min: number; max: number };
  /** Most calls expansion adds. */
  expand: number;
  /** Only read tools (and edges between them). */
  readOnly: boolean;
}

export interface Chain {
  walk: string[];
  expanded: string[];
}

/** Out-neighbours of each tool, in a stable order. */
function adjacency(graph: DependencyGraph, allowed: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const tool of graph.tools) if (allowed.has(tool)) out.set(tool, []);
  for (const edge of graph.edges) {
    if (!allowed.has(edge.from) || !allowed.has(edge.to)) continue;
    const next = out.get(edge.from) as string[];
    if (!next.includes(edge.to)) next.push(edge.to);
  }
  return out;
}

/**
 * One chain, or null when the graph offers none of this shape. A write chain holds at least one
 * write; a walk never visits a tool twice (a task repeats a call only by expansion's choice).
 */
export function sampleChain(
  graph: DependencyGraph,
  access: ReadonlyMap<string, "read" | "write">,
  shape: ChainShape,
  rng: Rng,
): Chain | null {
  const allowed = new Set(graph.tools.filter((t) => access.has(t) && (!shape.readOnly || access.get(t) === "read")));
  if (allowed.size === 0) return null;
  const next = adjacency(graph, allowed);
  const length = rng.int(shape.walk.min, Math.max(shape.walk.min, shape.walk.max));
  // Starting where the graph leads somewhere makes longer walks possible.
  const starts = [...allowed].filter((t) => (next.get(t)?.length ?? 0) > 0);
  const start = rng.pick(starts.length > 0 && length > 1 ? starts : [...allowed]);
  const walk = [start];
  while (walk.length < length) {
    const options = (next.get(walk.at(-1) as string) ?? []).filter((t) => !walk.includes(t));
    if (options.length === 0) break;
    walk.push(rng.pick(options));
  }
  if (!shape.readOnly && !walk.some((t) => access.get(t) === "write")) {
    // Extend the walk to a write it leads to, if one is reachable in a step.
    const write = (next.get(walk.at(-1) as string) ?? []).find((t) => access.get(t) === "write" && !walk.includes(t));
    if (!write) return null;
    walk.push(write);
  }
  const expanded: string[] = [];
  const queue = [...walk];
  const seen = new Set(walk);
  while (queue.length > 0 && expanded.length < shape.expand) {
    const tool = queue.shift() as string;
    for (const dependent of rng.shuffle(next.get(tool) ?? [])) {
      if (seen.has(dependent) || expanded.length >= shape.expand) continue;
      seen.add(dependent);
      if (!rng.chance(0.5)) continue;
      expanded.push(dependent);
      queue.push(dependent);
    }
  }
  return { walk, expanded };
}
