// Order stages by what they consume and produce: a DAG built with graphology, sorted deterministically.
import { DirectedGraph } from "graphology";
import { stronglyConnectedComponents } from "graphology-components";
import { closest } from "./closest-match.ts";
import { EnvscaleError } from "./errors.ts";
import type { AnyStage } from "./stage.ts";

export interface PlanStep {
  stage: AnyStage;
  /** For each consumed kind, the stage whose version of it this step reads. */
  inputs: Record<string, string>;
  /** For each produced kind: `null` when this is the version everyone downstream reads, else the
   *  variant name under which this intermediate version is stored (see artifacts.ts). */
  outputs: Record<string, string | null>;
}

export interface Plan {
  steps: PlanStep[];
  /** Stages left out, with why (disabled, or replaced by another). */
  skipped: { stage: string; reason: string }[];
}

/**
 * Resolve `replaces` and `enabled`, check producers, and order the stages.
 * `stages` is in load order (built-ins, then user plugins): it breaks ties, so output is stable.
 */
export function buildPlan(stages: readonly AnyStage[], isEnabled: (stage: AnyStage) => boolean = () => true): Plan {
  const skipped: Plan["skipped"] = [];
  const byName = new Map<string, AnyStage>();
  for (const stage of stages) {
    const existing = byName.get(stage.name);
    if (existing) {
      throw new EnvscaleError("E_STAGE_DUPLICATE_NAME", `two stages are named "${stage.name}"`, {
        details: { stage: stage.name },
        hint: `to take a built-in's place, give yours another name and set replaces: "${stage.name}"`,
      });
    }
    byName.set(stage.name, stage);
  }

  let active = stages.filter((stage) => {
    if (isEnabled(stage)) return true;
    skipped.push({ stage: stage.name, reason: "disabled" });
    return false;
  });

  // Replacements: a stage that replaces another removes it (chains work: A replaces B replaces C).
  const removed = new Set<string>();
  for (const stage of active) {
    if (!stage.replaces) continue;
    if (!byName.has(stage.replaces)) throw unknownStage(stage.replaces, [...byName.keys()], `stage "${stage.name}" replaces`);
    removed.add(stage.replaces);
    skipped.push({ stage: stage.replaces, reason: `replaced by ${stage.name}` });
  }
  active = active.filter((stage) => !removed.has(stage.name));
  const rank = new Map(active.map((stage, index) => [stage.name, index]));

  // Producers and transformers of each kind.
  const producers = new Map<string, AnyStage[]>();
  const transformers = new Map<string, AnyStage[]>();
  for (const stage of active) {
    for (const kind of new Set(stage.produces)) {
      const table = stage.consumes.includes(kind) ? transformers : producers;
      table.set(kind, [...(table.get(kind) ?? []), stage]);
    }
  }
  for (const [kind, list] of producers) {
    if (list.length > 1) {
      const names = list.map((s) => `"${s.name}"`).join(" and ");
      throw new EnvscaleError("E_STAGE_DUPLICATE_PRODUCER", `artifact "${kind}" is produced by both ${names}`, {
        details: { kind, stages: list.map((s) => s.name) },
        hint: `set replaces: "${list[0]?.name}" on the stage meant to take its place, or disable one`,
      });
    }
  }

  // Version chain of each kind: producer, then its transformers in load order.
  const chain = new Map<string, string[]>();
  for (const stage of active) {
    for (const kind of stage.consumes) {
      if (producers.has(kind)) continue;
      const consumers = active.filter((s) => s.consumes.includes(kind)).map((s) => `"${s.name}"`);
      throw new EnvscaleError(
        "E_STAGE_MISSING_PRODUCER",
        `artifact "${kind}" is consumed by ${consumers.join(", ")} but no stage produces it`,
        { details: { kind, stages: consumers }, hint: "add a plugin that produces it, or check the spelling of the kind" },
      );
    }
  }
  for (const [kind, [producer]] of producers) {
    chain.set(kind, [producer?.name ?? "", ...(transformers.get(kind) ?? []).map((s) => s.name)]);
  }

  // The graph: an edge from the stage whose version a step reads to that step.
  const graph = new DirectedGraph();
  for (const stage of active) graph.addNode(stage.name);
  const steps = new Map<string, PlanStep>();
  for (const stage of active) {
    const inputs: Record<string, string> = {};
    for (const kind of stage.consumes) {
      const versions = chain.get(kind) ?? [];
      const at = versions.indexOf(stage.name);
      // A transformer reads the version just before its own; everyone else reads the last one.
      const source = at > 0 ? versions[at - 1] : versions[versions.length - 1];
      if (!source) continue;
      inputs[kind] = source;
      if (source !== stage.name) graph.mergeEdge(source, stage.name);
    }
    const outputs: Record<string, string | null> = {};
    for (const kind of stage.produces) {
      const versions = chain.get(kind) ?? [];
      outputs[kind] = versions[versions.length - 1] === stage.name ? null : stage.name;
    }
    steps.set(stage.name, { stage, inputs, outputs });
  }

  return { steps: topologicalOrder(graph, rank).map((name) => steps.get(name) as PlanStep), skipped };
}

/** Kahn's algorithm, taking the lowest-ranked ready stage first; a cycle is named by its stages. */
function topologicalOrder(graph: DirectedGraph, rank: Map<string, number>): string[] {
  const indegree = new Map<string, number>();
  graph.forEachNode((node) => indegree.set(node, graph.inDegree(node)));
  const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  const order: string[] = [];
  const byRank = (a: string, b: string) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0);
  while (ready.length > 0) {
    ready.sort(byRank);
    const node = ready.shift() as string;
    order.push(node);
    graph.forEachOutNeighbor(node, (next) => {
      const d = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, d);
      if (d === 0) ready.push(next);
    });
  }
  if (order.length === graph.order) return order;
  const cycles = stronglyConnectedComponents(graph).filter((component) => component.length > 1);
  const described = cycles.map((c) => c.sort(byRank).join(" → ")).join("; ");
  throw new EnvscaleError("E_STAGE_CYCLE", `stages depend on each other in a cycle: ${described}`, {
    details: { cycles },
    hint: "a stage that should transform a kind must consume and produce that same kind",
  });
}

export function unknownStage(name: string, known: readonly string[], context: string): EnvscaleError {
  const suggestion = closest(name, known);
  return new EnvscaleError("E_STAGE_UNKNOWN", `${context} "${name}", which is not a stage`, {
    details: { stage: name, known },
    ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : { hint: "`envscale stages` lists them" }),
  });
}
