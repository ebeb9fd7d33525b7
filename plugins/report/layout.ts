// The tool graph laid out for drawing: ForceAtlas2 (graphology) from seeded starting points, so
// the same run draws the same picture.
import { UndirectedGraph } from "graphology";
import forceAtlas2Module from "graphology-layout-forceatlas2";
import type { Rng } from "../../kernel/rng.ts";

// The package is CommonJS; its default import is the function object the types describe as `default`.
const forceAtlas2 = forceAtlas2Module as unknown as typeof import("graphology-layout-forceatlas2").default;

export interface LaidOut {
  /** Positions scaled into [0, 1], by node index. */
  x: number[];
  y: number[];
}

export function layoutGraph(nodes: number, edges: readonly { source: number; target: number; weight: number }[], rng: Rng): LaidOut {
  const graph = new UndirectedGraph<{ x: number; y: number }, { weight: number }>();
  for (let i = 0; i < nodes; i++) graph.addNode(String(i), { x: rng.next() * 100, y: rng.next() * 100 });
  for (const edge of edges) {
    if (edge.source === edge.target) continue;
    const [a, b] = [String(edge.source), String(edge.target)];
    if (!graph.hasEdge(a, b)) graph.addEdge(a, b, { weight: edge.weight });
  }
  if (nodes > 1) {
    const settings = forceAtlas2.inferSettings(graph);
    forceAtlas2.assign(graph, {
      iterations: nodes > 2000 ? 60 : 150,
      getEdgeWeight: "weight",
      settings: { ...settings, barnesHutOptimize: nodes > 500, gravity: 1, scalingRatio: 4 },
    });
  }
  const xs = graph.mapNodes((_, a) => a.x);
  const ys = graph.mapNodes((_, a) => a.y);
  const scale = (values: number[]) => {
    const min = Math.min(...values);
    const span = Math.max(...values) - min || 1;
    return values.map((v) => Number(((v - min) / span).toFixed(4)));
  };
  return { x: scale(xs), y: scale(ys) };
}
