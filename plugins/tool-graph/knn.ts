// Nearest neighbours by cosine similarity, sparsified: each tool keeps its k most similar tools
// above a threshold. The sparse version finds candidates through an inverted index, so 10,000
// tools never cost 50 million comparisons.
import type { SparseVector } from "./lexical-vectors.ts";

export interface KnnOptions {
  /** Neighbours kept per tool. */
  k: number;
  /** Smallest cosine similarity kept. */
  threshold: number;
  /**
   * Also drop neighbours less similar than this fraction of the tool's best neighbour: a tool whose
   * closest relatives are very close keeps only them, not the merely topical ones (0 disables).
   */
  relative: number;
  /** A tool whose neighbours are all below `threshold` still keeps its best one if it reaches this (0 disables). */
  bestFloor: number;
  /**
   * Words in more than this share of tools (and in more than 64) do not propose candidates: they
   * link everything and cost the most. They still count in the exact similarity.
   */
  maxDocumentShare: number;
}

export interface WeightedEdge {
  source: number;
  target: number;
  weight: number;
}

/** Cosine of two L2-normalised sparse vectors (a merge of their sorted ids). */
export function sparseCosine(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let dot = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i] as number;
    const y = b.ids[j] as number;
    if (x === y) dot += (a.weights[i++] as number) * (b.weights[j++] as number);
    else if (x < y) i++;
    else j++;
  }
  return dot;
}

/** Edges between each tool and its k nearest neighbours (undirected; the larger weight wins). */
export function sparseKnn(vectors: readonly SparseVector[], documentFrequency: Int32Array, options: KnnOptions): WeightedEdge[] {
  const n = vectors.length;
  const maxDf = Math.max(64, Math.floor(n * options.maxDocumentShare));
  // Postings: for each word, the tools that have it.
  const postingDocs: number[][] = Array.from({ length: documentFrequency.length }, () => []);
  const postingWeights: number[][] = Array.from({ length: documentFrequency.length }, () => []);
  vectors.forEach((vector, doc) => {
    for (let t = 0; t < vector.ids.length; t++) {
      const word = vector.ids[t] as number;
      if ((documentFrequency[word] ?? 0) > maxDf || vector.weights[t] === 0) continue;
      postingDocs[word]?.push(doc);
      postingWeights[word]?.push(vector.weights[t] as number);
    }
  });
  const scores = new Float64Array(n);
  const seen = new Int32Array(n);
  const touched: number[] = [];
  const best = new Map<string, WeightedEdge>();
  const candidatesKept = Math.max(options.k * 4, 32);
  for (let i = 0; i < n; i++) {
    const vector = vectors[i] as SparseVector;
    for (let t = 0; t < vector.ids.length; t++) {
      const word = vector.ids[t] as number;
      const docs = postingDocs[word];
      if (!docs || docs.length === 0 || (documentFrequency[word] ?? 0) > maxDf) continue;
      const weights = postingWeights[word] as number[];
      const w = vector.weights[t] as number;
      for (let p = 0; p < docs.length; p++) {
        const j = docs[p] as number;
        if (j === i) continue;
        // A stamp, not `scores[j] === 0`: a candidate's partial score can be exactly 0.
        if (seen[j] !== i + 1) {
          seen[j] = i + 1;
          touched.push(j);
        }
        scores[j] = (scores[j] as number) + w * (weights[p] as number);
      }
    }
    // The partial scores rank candidates; the exact cosine (common words included) decides.
    const candidates = touched.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b).slice(0, candidatesKept);
    const scored = candidates
      .map((j) => ({ j, weight: sparseCosine(vector, vectors[j] as SparseVector) }))
      .sort((a, b) => b.weight - a.weight || a.j - b.j);
    const exact = scored.filter((c) => c.weight >= options.threshold).slice(0, options.k);
    const first = scored[0];
    if (exact.length === 0 && first && options.bestFloor > 0 && first.weight >= options.bestFloor) exact.push(first);
    const floor = (exact[0]?.weight ?? 0) * options.relative;
    for (const { j, weight } of exact) if (weight >= floor) keep(best, i, j, weight);
    for (const j of touched) scores[j] = 0;
    touched.length = 0;
  }
  return [...best.values()].sort((a, b) => a.source - b.source || a.target - b.target);
}

/** The same for dense vectors (real embeddings): brute force over normalised Float32 rows. */
export function denseKnn(rows: readonly number[][], options: Pick<KnnOptions, "k" | "threshold" | "relative">): WeightedEdge[] {
  const n = rows.length;
  const dim = rows[0]?.length ?? 0;
  const matrix = new Float32Array(n * dim);
  rows.forEach((row, i) => {
    let norm = 0;
    for (const x of row) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dim; d++) matrix[i * dim + d] = (row[d] ?? 0) / norm;
  });
  const best = new Map<string, WeightedEdge>();
  const sims = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j === i) {
        sims[j] = -1;
        continue;
      }
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += (matrix[i * dim + d] as number) * (matrix[j * dim + d] as number);
      sims[j] = dot;
    }
    const order = Array.from({ length: n }, (_, j) => j)
      .filter((j) => (sims[j] as number) >= options.threshold)
      .sort((a, b) => (sims[b] as number) - (sims[a] as number) || a - b)
      .slice(0, options.k);
    const floor = (order[0] === undefined ? 0 : (sims[order[0]] as number)) * options.relative;
    for (const j of order) if ((sims[j] as number) >= floor) keep(best, i, j, sims[j] as number);
  }
  return [...best.values()].sort((a, b) => a.source - b.source || a.target - b.target);
}

function keep(best: Map<string, WeightedEdge>, i: number, j: number, weight: number): void {
  const [source, target] = i < j ? [i, j] : [j, i];
  const key = `${source}-${target}`;
  const rounded = Math.round(weight * 1e6) / 1e6;
  const existing = best.get(key);
  if (!existing || existing.weight < rounded) best.set(key, { source, target, weight: rounded });
}
