// The offline representation of a tool: a TF-IDF weighted bag of its words, one vector per tool.
//
// Words come from the tool's own fields, weighted (AgentScaler links tools by their parameters, so
// those count most after the name):
//   name words ×4 (operation verbs such as `get`, `cancel` only ×0.5) · adjacent name words ×4 ·
//   name namespace ×4 · source document ×3 · parameter names ×1.5 · description ×1 ·
//   parameter descriptions ×0.7.
// These were chosen on StableToolBench (labels: one RapidAPI tool each) and our example catalog,
// never on held-out material; bench/RESULTS.md has the figures.
// The namespace (namespaces.ts) is the part of a name that tools of one API share (`math` in
// math.factorial, `pet_store` in get_order_for_pet_store): it tells apart APIs whose endpoints are
// otherwise alike. Category labels never enter: they are what domain recovery is evaluated against.
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { toolWords } from "../../lib/domain-model/tool-words.ts";
import { nameNamespaces } from "./namespaces.ts";

/** A sparse vector: word ids ascending, weights L2-normalised. */
export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
}

export interface LexicalSpace {
  vectors: SparseVector[];
  vocabulary: string[];
  /** Documents each word occurs in. */
  documentFrequency: Int32Array;
}

/** TF-IDF vectors: log-scaled weighted term frequency × smoothed IDF, L2-normalised. */
export function buildLexicalSpace(tools: readonly ToolSpec[]): LexicalSpace {
  const vocabulary: string[] = [];
  const index = new Map<string, number>();
  const namespaces = nameNamespaces(tools);
  const bags = tools.map((tool, t) => {
    const bag = new Map<number, number>();
    for (const [word, weight] of toolWords(tool, namespaces[t])) {
      let id = index.get(word);
      if (id === undefined) {
        id = vocabulary.length;
        vocabulary.push(word);
        index.set(word, id);
      }
      bag.set(id, weight);
    }
    return bag;
  });
  const documentFrequency = new Int32Array(vocabulary.length);
  for (const bag of bags) for (const id of bag.keys()) documentFrequency[id] = (documentFrequency[id] ?? 0) + 1;
  const n = tools.length;
  const vectors = bags.map((bag) => {
    const ids = Int32Array.from([...bag.keys()].sort((a, b) => a - b));
    const weights = new Float64Array(ids.length);
    let norm = 0;
    ids.forEach((id, i) => {
      const w = (1 + Math.log(bag.get(id) ?? 1)) * Math.log((1 + n) / (1 + (documentFrequency[id] ?? 0)));
      weights[i] = w;
      norm += w * w;
    });
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < weights.length; i++) weights[i] = (weights[i] ?? 0) / norm;
    return { ids, weights };
  });
  return { vectors, vocabulary, documentFrequency };
}
