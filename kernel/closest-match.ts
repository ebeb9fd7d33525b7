// "Did you mean …?": the closest known name to a mistyped one.
import { distance } from "fastest-levenshtein";

/** The closest of `candidates` to `word`, if it is plausibly a typo of it (edit distance ≤ max(2, ⌊len/3⌋)). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
